"""Creating tensors: from data, constant fills, ranges and random draws."""
import math
import numbers

import numpy as np

from . import _C
from .tensor import Tensor, _shape_args, float32


def _leaf(handle, requires_grad):
    t = Tensor._wrap(handle)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _check_dtype(dtype):
    if dtype is not None and np.dtype(dtype) != float32:
        raise TypeError(f"swiftnn tensors are float32; dtype {dtype!r} is not supported")


def tensor(data, dtype=None, requires_grad=False):
    """A new float32 tensor copied from any array-like (NumPy arrays of any numeric dtype, lists, numbers)."""
    _check_dtype(dtype)
    return _leaf(_C.from_array(data), requires_grad)


def from_numpy(ndarray):
    """A tensor holding a float32 copy of `ndarray` (PyTorch shares memory; the engine always copies)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return Tensor._wrap(_C.from_array(ndarray))


def full(size, fill_value, dtype=None, requires_grad=False):
    _check_dtype(dtype)
    return _leaf(_C.full(size, fill_value), requires_grad)


def zeros(*size, dtype=None, requires_grad=False):
    return full(_shape_args(size), 0.0, dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return full(_shape_args(size), 1.0, dtype, requires_grad)


def _like_shape(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.shape


def zeros_like(input, dtype=None, requires_grad=False):
    return full(_like_shape(input, "zeros_like"), 0.0, dtype, requires_grad)


def ones_like(input, dtype=None, requires_grad=False):
    return full(_like_shape(input, "ones_like"), 1.0, dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from start up to (not including) end; `arange(end)` starts at 0. Always float32."""
    _check_dtype(dtype)
    if end is None:
        start, end = 0, start
    return _leaf(_C.arange(start, end, step), requires_grad)


def randn(*size, requires_grad=False):
    """Standard-normal samples from the default generator (see `manual_seed`)."""
    return _leaf(_C.randn(_shape_args(size)), requires_grad)


def rand(*size, requires_grad=False):
    """Uniform samples in [0, 1) from the default generator."""
    return _leaf(_C.rand(_shape_args(size)), requires_grad)


def randint(*args, size=None):
    """`randint(high, size)` or `randint(low, high, size)`: integers uniform in [low, high)
    from the default generator, as a NumPy int64 array (class labels, indices)."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint() takes (high, size) or (low, high, size)")
    shape = (size,) if isinstance(size, numbers.Integral) else tuple(size)
    if any(not isinstance(d, numbers.Integral) or d < 0 for d in shape):
        raise ValueError(f"randint(): invalid size {shape}")
    return _C.randint(low, high, math.prod(shape)).reshape(shape)


def manual_seed(seed):
    """Seeds the engine's default generator (weights, randn/rand/randint, dropout)."""
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError(f"manual_seed expected a value in [-2**63, 2**64), got {seed}")
    _C.manual_seed(seed & ((1 << 64) - 1))
