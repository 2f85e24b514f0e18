"""Methods of the float32 Tensor that meet other dtypes: conversions (`.long()`,
`.to(dtype)`), comparisons (bool results) and the selections that give int64
indices (`min(dim)`, `argmin`, `sort`, `argsort`, `topk`). `Tensor` derives from
`TypedTensorOps`; `IntegerTensor` overrides what its NumPy storage does itself."""
import numbers

from . import _C, dtypes, return_types
from .integer_arithmetic import Comparisons

__all__ = ["TypedTensorOps"]


def _from_numpy_array(array):
    from .integer_tensor import from_numpy_array
    return from_numpy_array(array)


class TypedTensorOps(Comparisons):
    """Dtype conversions, comparisons and int64-index selections (see the module docstring)."""

    __slots__ = ()

    # ---- dtype conversions ------------------------------------------------------------

    def is_floating_point(self):
        return True

    def type(self, dtype=None):
        """type(): the PyTorch type name; type(dtype): this tensor in `dtype` (itself when unchanged)."""
        if dtype is None:
            return "torch.FloatTensor"
        dt = dtypes.as_dtype(dtype)
        if dt == dtypes.float32:
            return self
        # Float -> integer truncates toward zero, float -> bool tests != 0 (as PyTorch's casts).
        return _from_numpy_array(self.numpy().astype(dt.dtype))

    def long(self, memory_format=None):
        return self.type(dtypes.int64)

    def int(self, memory_format=None):
        return self.type(dtypes.int32)

    def short(self, memory_format=None):
        return self.type(dtypes.int16)

    def char(self, memory_format=None):
        return self.type(dtypes.int8)

    def byte(self, memory_format=None):
        return self.type(dtypes.uint8)

    def bool(self, memory_format=None):
        return self.type(dtypes.bool)

    def float(self, memory_format=None):
        return self.type(dtypes.float32)

    def type_as(self, other):
        return self.type(other.dtype)

    # ---- selections with int64 indices ---------------------------------------------------

    def min(self, dim=None, keepdim=False):
        """No dim: the smallest element. With dim: (values, indices) of the (first) minima."""
        if dim is None:
            return self.amin()
        if not isinstance(dim, numbers.Integral):
            raise TypeError("min(): the elementwise minimum of two tensors is torch.minimum")
        values, indices = self.neg().max(dim, keepdim)
        return return_types.min(values.neg(), indices)

    def argmin(self, dim=None, keepdim=False):
        return self.detach().neg().argmax(dim, keepdim)

    def sort(self, dim=-1, descending=False, stable=False):
        """(values, int64 indices) along dim; always stable (a valid choice for stable=False too)."""
        values, indices = _C.sort(self._h, dim, descending)
        return return_types.sort(*_wrap_pair(values, indices))

    def argsort(self, dim=-1, descending=False, stable=False):
        return self.detach().sort(dim, descending, stable).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The k largest (smallest) values along dim with their int64 indices; always sorted."""
        shape = self.shape
        if shape and -len(shape) <= dim < len(shape) and not 0 <= k <= shape[dim]:
            raise RuntimeError("selected index k out of range")  # PyTorch's error (the engine says IndexError)
        values, indices = _C.topk(self._h, k, dim, largest)
        return return_types.topk(*_wrap_pair(values, indices))


def _wrap_pair(values, indices):
    from ._op_args import _wrap_indexed
    return _wrap_indexed((values, indices))

