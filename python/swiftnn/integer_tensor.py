"""Integer and boolean tensors (int64, int32, int16, int8, uint8, bool).

They hold labels, indices, masks and image bytes. They never carry gradients
(in PyTorch too only floating-point tensors can require grad), so a NumPy array
holds their elements and NumPy computes on them; its indexing, broadcasting and
integer semantics are PyTorch's for these types. An `IntegerTensor` is a
`swiftnn.Tensor`: when it meets a float32 tensor, or an op that only the
engine has, it takes part as a float32 copy (`_h`), which is PyTorch's
promotion of integers to float32."""

import numpy as np

from . import _C, dtypes
from .integer_arithmetic import IntegerArithmetic
from .integer_shape_ops import IntegerShapeOps, short_type_name
from .tensor import Size, Tensor

__all__ = ["IntegerTensor", "from_numpy_array"]


def from_numpy_array(array):
    """A tensor of `array`'s type (the array itself is kept, not copied): float arrays become
    float32 engine tensors, integer and bool arrays IntegerTensors. The hook for code that
    produces int64 results (`_index_results.int64_result`)."""
    array = np.asarray(array)
    dt = dtypes.of_array(array)
    if dt.is_floating_point:
        return Tensor._wrap(_C.from_array(array))
    if array.dtype != dt.dtype:
        array = array.astype(dt.dtype)
    return IntegerTensor._of(array)


def _index_key(key):
    """A NumPy index from a PyTorch one: tensors become arrays (float ones are refused)."""
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        if key.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return key.numpy()
    if isinstance(key, list):
        return np.asarray([k.item() if isinstance(k, Tensor) else k for k in key])
    return key


def _view_key(key):
    """Adds `...` so that a full integer index gives a 0-d view, as PyTorch's `t[i]` does."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        return key
    return key + (Ellipsis,)


class IntegerTensor(IntegerArithmetic, IntegerShapeOps, Tensor):
    """An integer or bool tensor held by a NumPy array (see the module docstring)."""

    __array_priority__ = 1000

    def __init__(self, data, dtype=None):
        """A copy of `data` in `dtype` (else the integer or bool type `swiftnn.tensor` infers)."""
        array = np.array(data, dtype=None if dtype is None else dtypes.as_dtype(dtype).dtype)
        dt = dtypes.of_array(array)
        if dt.is_floating_point:
            raise TypeError("IntegerTensor holds integer or bool elements; use swiftnn.tensor for floats")
        self._array = array.astype(dt.dtype, copy=False)

    @classmethod
    def _of(cls, array):
        t = cls.__new__(cls)
        t._array = array
        return t

    @property
    def _h(self):
        """A float32 engine copy, for ops that run in the engine (promotion to float32)."""
        return _C.from_array(self._array)  # converts to float32 and copies once

    # ---- data ---------------------------------------------------------------

    def numpy(self, force=False):
        """The elements as a NumPy array sharing this tensor's memory (as PyTorch's)."""
        return self._array

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self._array.astype(dtype, copy=bool(copy))
        return self._array.copy() if copy else self._array

    def item(self):
        n = self._array.size
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._array.reshape(-1)[0].item()

    def tolist(self):
        return self._array.tolist()

    @property
    def dtype(self):
        return dtypes.as_dtype(self._array.dtype)

    @property
    def shape(self):
        return Size(self._array.shape)

    @property
    def ndim(self):
        return self._array.ndim

    def numel(self):
        return self._array.size

    nelement = numel

    def element_size(self):
        return self._array.itemsize

    def __len__(self):
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._array)

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._array)))

    def __bool__(self):
        if self._array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __int__(self):
        return int(self.item())

    def __float__(self):
        return float(self.item())

    def __index__(self):
        if self._array.size != 1 or self.dtype is dtypes.bool:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self):
        shown_dtype = self.dtype not in (dtypes.int64, dtypes.bool)
        if self._array.size == 0:
            extras = [] if self._array.shape == (0,) else [f"size={self._array.shape}"]
            body, shown_dtype = "[]", True
        else:
            body, extras = np.array2string(self._array, separator=", ", prefix="tensor("), []
        if shown_dtype:
            extras.append(f"dtype={self.dtype}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ---- no autograd ----------------------------------------------------------------

    @property
    def requires_grad(self):
        return False

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        return self

    @property
    def grad(self):
        return None

    @grad.setter
    def grad(self, value):
        if value is not None:
            raise RuntimeError("assigned grad has data of a different type")

    @property
    def grad_fn(self):
        return None

    @property
    def is_leaf(self):
        return True

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")

    def detach(self):
        return IntegerTensor._of(self._array)

    @property
    def data(self):
        return self.detach()

    # ---- dtype ------------------------------------------------------------------------

    def is_floating_point(self):
        return False

    def to(self, *args, **kwargs):
        from . import _device
        _, dtype, copy = _device.to_arguments(args, kwargs, "Tensor")
        if dtype is None:
            return IntegerTensor._of(self._array.copy()) if copy else self
        return self.type(dtype) if not copy or dtype != self.dtype else IntegerTensor._of(self._array.copy())

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{short_type_name(self.dtype)}Tensor"
        dt = dtypes.as_dtype(dtype)
        if dt == self.dtype:
            return self
        return from_numpy_array(self._array.astype(dt.dtype))

    def clone(self, memory_format=None):
        return IntegerTensor._of(self._array.copy())

    def contiguous(self, memory_format=None):
        return self if self._array.flags.c_contiguous else self.clone()

    # ---- indexing -----------------------------------------------------------------------

    def __getitem__(self, key):
        return IntegerTensor._of(self._array[_view_key(_index_key(key))])

    def __setitem__(self, key, value):
        self._array[_index_key(key)] = np.asarray(value)

    # ---- in place ----------------------------------------------------------------------------

    def _assign(self, result):
        result = np.asarray(result)
        if result.shape != self._array.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        if result.dtype.kind == "f" and self._array.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {short_type_name(self.dtype)}")
        self._array[...] = result
        return self

    def add_(self, other, alpha=1):
        return self._assign(self.add(other * alpha if alpha != 1 else other))

    def sub_(self, other, alpha=1):
        return self._assign(self.sub(other * alpha if alpha != 1 else other))

    def mul_(self, other):
        return self._assign(self.mul(other))

    def div_(self, other, *, rounding_mode=None):
        return self._assign(self.div(other, rounding_mode=rounding_mode))

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __ifloordiv__(self, other):
        return self._assign(self.floor_divide(other))

    def copy_(self, src, non_blocking=False):
        self._array[...] = np.broadcast_to(np.asarray(src), self._array.shape)
        return self

    def fill_(self, value):
        self._array[...] = np.asarray(value)
        return self

    def zero_(self):
        return self.fill_(0)

    def clamp_(self, min=None, max=None):
        return self._assign(self.clamp(min, max))

    def uniform_(self, *args, **kwargs):
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{short_type_name(self.dtype)}'")

    def normal_(self, mean=0.0, std=1.0):
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{short_type_name(self.dtype)}'")





def _through_float32(name):
    def inplace(self, *args, **kwargs):
        copy = self.float()
        getattr(Tensor, name)(copy, *args, **kwargs)
        self._array[...] = copy.numpy().astype(self._array.dtype)
        return self
    inplace.__doc__ = f"Tensor.{name} on a float32 copy, written back in this tensor's dtype."
    return inplace


def guard_inplace_methods(cls=None):
    """In-place methods of the float32 Tensor that the integer type does not define itself
    would write into an engine handle, which on an IntegerTensor is a temporary copy: they
    are replaced by `_through_float32` versions (exact for values below 2**24). Runs at
    import; returns the names it covered."""
    cls = cls or IntegerTensor
    own = cls.__mro__[:cls.__mro__.index(Tensor)]
    covered = [name for name in dir(Tensor) if name.endswith("_") and not name.startswith("_")
               and not any(name in vars(base) for base in own)]
    for name in covered:
        setattr(cls, name, _through_float32(name))
    return covered


guard_inplace_methods()
