"""swiftnn: a deep-learning engine written in Swift, driven from Python with
PyTorch's names and semantics. Tensors are float32 on the CPU."""
from . import _C
from .tensor import Size, Tensor, float32
# After .tensor: the function `tensor` then replaces the submodule attribute of the same name.
from .creation import (arange, from_numpy, full, manual_seed, ones, ones_like, rand, randint, randn, tensor,
                       zeros, zeros_like)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (add, amax, argmax, div, exp, flatten, log, log_softmax, matmul, max, mean, mul, neg, permute,
                  relu, reshape, sigmoid, softmax, squeeze, sub, sum, tanh, transpose, unsqueeze)
from . import nn, optim
from .threads import get_num_threads, set_num_threads
from .profiler import profile
from . import data, datasets, transforms, utils
from . import models
from .serialization import load, save
from . import train  # noqa: E402  (after models: it builds zoo models)

__version__ = _C.version()

__all__ = [
    "Size", "Tensor", "add", "amax", "arange", "argmax", "div", "enable_grad", "exp", "flatten", "float32",
    "from_numpy", "full", "get_num_threads", "is_grad_enabled", "log", "log_softmax", "manual_seed", "matmul", "max", "mean", "mul",
    "neg", "nn", "no_grad", "ones", "ones_like", "optim", "permute", "profile", "rand", "randint", "randn", "relu", "reshape",
    "set_grad_enabled", "set_num_threads", "sigmoid", "softmax", "squeeze", "sub", "sum", "tanh", "tensor", "transpose", "unsqueeze",
    "zeros", "zeros_like",
    "data", "datasets", "models", "train", "transforms", "utils",
    "load", "save",
]

from .ops import amin, cat, chunk, concat, concatenate, split, stack  # noqa: E402

__all__ += ["amin", "cat", "chunk", "concat", "concatenate", "split", "stack"]

# After the submodule import, the name `summary` is the function (torchsummary's).
from .summary import summary, summary_string  # noqa: E402

__all__ += ["summary", "summary_string"]

from .runtime_config import config, set_kernel_isa  # noqa: E402

__all__ += ["config", "set_kernel_isa"]
