"""Function forms of the dtype-aware tensor methods: comparisons, logical tests,
selections with int64 indices and dtype queries (`swiftnn.eq`, `swiftnn.sort`,
`swiftnn.topk`, `swiftnn.is_floating_point`, ...). Inputs that are not tensors
become tensors of the dtype `swiftnn.tensor` infers."""
from . import dtypes
from .creation import tensor
from .tensor import Tensor

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "equal", "allclose", "isclose", "logical_not", "logical_and", "logical_or", "logical_xor", "any", "all",
           "nonzero", "count_nonzero", "min", "argmin", "sort", "argsort", "topk", "is_tensor", "is_floating_point",
           "numel", "bincount"]


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
