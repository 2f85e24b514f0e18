"""Function forms of the tensor ops (`swiftnn.relu(x)`, `swiftnn.matmul(a, b)`, ...).
Inputs may be Tensors or anything `swiftnn.tensor` accepts. Most come from the
op table (`_ops_generated.py`); the ones below have Python-level logic."""
from ._ops_generated import *  # noqa: F401,F403
from ._ops_generated import __all__ as _generated
from ._spread import std, var  # noqa: F401
from .tensor import _as_tensor


def max(input, dim=None, keepdim=False):
    return _as_tensor(input).max(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return _as_tensor(input).argmax(dim, keepdim)


def split(tensor, split_size_or_sections, dim=0):
    return _as_tensor(tensor).split(split_size_or_sections, dim)


concat = concatenate = cat  # noqa: F405

__all__ = _generated + ["max", "argmax", "split", "concat", "concatenate", "std", "var"]
