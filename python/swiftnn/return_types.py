"""Named results of ops that give values and int64 indices (PyTorch's `torch.return_types`)."""
from collections import namedtuple

__all__ = ["sort", "topk", "min"]

sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
min = namedtuple("min", ["values", "indices"])  # noqa: A001
