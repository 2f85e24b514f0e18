"""Creating tensors: from data, constant fills, ranges and random draws."""
import math
import numbers

import numpy as np

from . import _C, dtypes
from .integer_tensor import from_numpy_array
from .tensor import Tensor, _shape_args


_MAX_ELEMENTS = 2**31 - 1


def _leaf(handle, requires_grad):
    t = Tensor._wrap(handle)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _typed(array, dtype, requires_grad):
    """A new tensor of `array` in `dtype` (inferred from the array when None)."""
    dt = dtypes.of_array(array) if dtype is None else dtypes.as_dtype(dtype)
    if not dt.is_floating_point:
        if requires_grad:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        return from_numpy_array(np.array(array, dtype=dt.dtype))
    return _leaf(_C.from_array(array), requires_grad)


def _as_array(data):
    """`data` as NumPy sees it; Python ints beyond int64 raise PyTorch's overflow error."""
    if isinstance(data, Tensor):
        return data.numpy()
    try:
        array = np.asarray(data)
    except OverflowError as e:
        raise RuntimeError(f"Overflow when unpacking long ({e})") from None
    if array.dtype == object and any(isinstance(v, numbers.Integral) for v in array.flat):
        raise RuntimeError("Overflow when unpacking long (an int beyond int64)")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Could not infer dtype of {type(data).__name__} (got NumPy dtype {array.dtype})")
    return array


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copied from `data`, of the dtype PyTorch picks: Python bools -> bool,
    ints -> int64, floats -> float32; NumPy arrays keep their integer or bool type
    (floats become float32, the engine's type). `dtype=` converts."""
    return _typed(_as_array(data), dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """`data` as a tensor: a tensor of the right dtype is returned as is, NumPy integer and
    bool arrays are shared (not copied), anything else is converted as `tensor` does."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray) and dtype is None and dtypes.of_array(data).dtype == data.dtype:
        return from_numpy(data)
    return tensor(data, dtype)


def from_numpy(ndarray):
    """A tensor of `ndarray`: integer and bool arrays are shared, as in PyTorch; float arrays
    are copied as float32 (the engine owns its float storage)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return from_numpy_array(ndarray)


def _fill_dtype(fill_value, dtype):
    if dtype is not None:
        return dtypes.as_dtype(dtype)
    return dtypes.float32 if isinstance(fill_value, Tensor) else dtypes.result_type(fill_value)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of `size` filled with `fill_value`; its dtype is the fill value's (int -> int64,
    bool -> bool, float -> float32) unless `dtype` says otherwise."""
    shape = (size,) if isinstance(size, numbers.Integral) else tuple(size)
    dt = _fill_dtype(fill_value, dtype)
    if dt.is_floating_point:
        return _leaf(_C.full(shape, fill_value), requires_grad)
    return _typed(np.full(shape, fill_value, dtype=dt.dtype), dt, requires_grad)


def zeros(*size, dtype=None, requires_grad=False, device=None):
    return full(_shape_args(size), 0.0, dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    return full(_shape_args(size), 1.0, dtype, requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of `size` (zero-filled: swiftnn never hands out uninitialised memory)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def _like_shape(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.shape


def zeros_like(input, dtype=None, requires_grad=False, device=None):
    """Zeros of the input's shape and (unless `dtype` is given) dtype."""
    shape = _like_shape(input, "zeros_like")
    return full(shape, 0.0, input.dtype if dtype is None else dtype, requires_grad)


def ones_like(input, dtype=None, requires_grad=False, device=None):
    shape = _like_shape(input, "ones_like")
    return full(shape, 1.0, input.dtype if dtype is None else dtype, requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    shape = _like_shape(input, "full_like")
    return full(shape, fill_value, input.dtype if dtype is None else dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Values from start up to (not including) end; `arange(end)` starts at 0. int64 when
    every argument is an int (as PyTorch), else float32; `dtype` converts."""
    if end is None:
        start, end = 0, start
    dt = dtypes.result_type(start, end, step) if dtype is None else dtypes.as_dtype(dtype)
    if dt.is_floating_point:
        return _leaf(_C.arange(start, end, step), requires_grad)
    # ValueError, as the engine's float32 arange says for the same mistakes.
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError("arange: upper bound and larger bound inconsistent with step sign")
    if -(-(end - start) // step) > _MAX_ELEMENTS:
        raise ValueError(f"arange: {-(-(end - start) // step)} elements is too many")
    return _typed(np.arange(start, end, step, dtype=np.int64), dt, requires_grad)


def randn(*size, requires_grad=False):
    """Standard-normal samples from the default generator (see `manual_seed`)."""
    return _leaf(_C.randn(_shape_args(size)), requires_grad)


def rand(*size, requires_grad=False):
    """Uniform samples in [0, 1) from the default generator."""
    return _leaf(_C.rand(_shape_args(size)), requires_grad)


def randint(*args, size=None, dtype=None, requires_grad=False, generator=None, device=None):
    """`randint(high, size)` or `randint(low, high, size)`: integers uniform in [low, high)
    from the default generator, as an int64 tensor (class labels, indices)."""
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
    if generator is not None:
        raise NotImplementedError("randint(generator=...): draws come from the default generator")
    values = _C.randint(low, high, math.prod(shape)).reshape(shape)
    return _typed(values, dtypes.int64 if dtype is None else dtype, requires_grad)


def randperm(n, *, generator=None, dtype=None, requires_grad=False, device=None):
    """A random permutation of 0..n-1 (int64) from the default generator or `generator`."""
    if not isinstance(n, numbers.Integral) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, got {n!r}")
    from .random import next_seed  # (random imports this module)
    order = _C.random_permutation(int(n), next_seed(generator))
    return _typed(order, dtypes.int64 if dtype is None else dtype, requires_grad)


def manual_seed(seed):
    """Seeds the engine's default generator (weights, randn/rand/randint, dropout)."""
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError(f"manual_seed expected a value in [-2**63, 2**64), got {seed}")
    _C.manual_seed(seed & ((1 << 64) - 1))
