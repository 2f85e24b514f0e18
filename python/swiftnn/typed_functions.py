"""Function forms of the dtype-aware tensor methods: comparisons, logical tests,
selections with int64 indices and dtype queries (`swiftnn.eq`, `swiftnn.sort`,
`swiftnn.topk`, `swiftnn.is_floating_point`, ...). Inputs that are not tensors
become tensors of the dtype `swiftnn.tensor` infers.

The op table's function forms (`swiftnn.sum`, `swiftnn.cat`, ...) run in the
engine in float32; for integer and bool tensors the versions below keep their
dtype as PyTorch does (`torch.sum(labels)` is int64, `torch.cat` of int64
tensors is int64)."""
import builtins
import functools

import numpy as np

from . import _ops_generated, dtypes
from .creation import tensor
from .integer_tensor import IntegerTensor, from_numpy_array
from .tensor import Tensor

# Function forms of the op table that integer tensors answer with their own methods.
_KEEPING_DTYPE = ("add", "sub", "mul", "div", "pow", "matmul", "neg", "abs", "clamp", "relu", "sum", "mean",
                  "amax", "amin", "reshape", "flatten", "transpose", "permute", "unsqueeze")


__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "equal", "allclose", "isclose", "logical_not", "logical_and", "logical_or", "logical_xor", "any", "all",
           "nonzero", "count_nonzero", "min", "argmin", "sort", "argsort", "topk", "is_tensor", "is_floating_point",
           "numel", "bincount"] + list(_KEEPING_DTYPE) + ["cat", "concat", "concatenate", "stack"]


def _typed(value):
    return value if isinstance(value, Tensor) else tensor(value)


def _forward(name):
    def function(input, *args, **kwargs):
        return getattr(_typed(input), name)(*args, **kwargs)
    function.__name__ = name
    function.__doc__ = f"`swiftnn.{name}(input, ...)` is `input.{name}(...)` (see Tensor.{name})."
    return function


eq, ne, lt, le, gt, ge = (_forward(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
equal, allclose, isclose = _forward("equal"), _forward("allclose"), _forward("isclose")
logical_not, logical_and, logical_or, logical_xor = (
    _forward(n) for n in ("logical_not", "logical_and", "logical_or", "logical_xor"))
any, all, nonzero, count_nonzero = (_forward(n) for n in ("any", "all", "nonzero", "count_nonzero"))  # noqa: A001
min, argmin, sort, argsort, topk = (_forward(n) for n in ("min", "argmin", "sort", "argsort", "topk"))  # noqa: A001
bincount = _forward("bincount")


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return dtypes.as_dtype(_typed(input).dtype).is_floating_point


def numel(input):
    return _typed(input).numel()


def _dispatching(name):
    generated = getattr(_ops_generated, name)

    def function(input, *args, **kwargs):
        if isinstance(input, IntegerTensor):
            return getattr(input, name)(*args, **kwargs)
        return generated(input, *args, **kwargs)
    return functools.update_wrapper(function, generated)  # the table's signature and docstring


globals().update({name: _dispatching(name) for name in _KEEPING_DTYPE})


def _join(tensors, joined, generated, dim):
    if isinstance(tensors, Tensor):  # list(t) would split it into rows
        raise TypeError(f"{generated.__name__}(): argument 'tensors' must be a sequence of Tensors, not Tensor")
    tensors = list(tensors)
    if tensors and builtins.all(isinstance(t, IntegerTensor) for t in tensors):
        dt = dtypes.result_type(*tensors)
        return from_numpy_array(joined([t.numpy().astype(dt.dtype, copy=False) for t in tensors], dim))
    return generated(tensors, dim)


def cat(tensors, dim=0):
    """Joins tensors along an existing dimension (integer tensors in their promoted dtype)."""
    return _join(tensors, np.concatenate, _ops_generated.cat, dim)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Joins same-shape tensors along a new dimension (integer tensors in their promoted dtype)."""
    return _join(tensors, np.stack, _ops_generated.stack, dim)
