"""Argument conversion shared by the generated forwarders (`_ops_generated.py`,
`nn/_functional_generated.py`): tensors in as engine handles, handles out as Tensors."""
from typing import Sequence, Tuple, Union

import importlib

# The module itself: the package attribute `swiftnn.tensor` is the function of that name.
_tensor = importlib.import_module("swiftnn.tensor")

TensorLike = Union["_tensor.Tensor", float, Sequence]
IntPair = Union[int, Tuple[int, int]]
ArrayLike = object


def _h(value):
    return _tensor._as_tensor(value)._h


def _optional_h(value):
    return None if value is None else _h(value)


def _handles(tensors, name):
    """Engine handles of a sequence of tensors (or array-likes)."""
    if isinstance(tensors, _tensor.Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be a sequence of Tensors, not Tensor")
    return [_h(t) for t in tensors]


def _wrap(handle):
    return _tensor.Tensor._wrap(handle)


def _optional_wrap(handle):
    return None if handle is None else _wrap(handle)


def _wrap_indexed(pair):
    """(values handle, int64 array) -> (Tensor, int64 tensor of the values' shape)."""
    from .integer_tensor import from_numpy_array
    handle, indices = pair
    values = _wrap(handle)
    return values, from_numpy_array(indices.reshape(values.shape))
