"""Shape ops, reductions and selections of integer and bool tensors, in NumPy.

Shape ops return views where PyTorch's do (reshape of a contiguous tensor,
permute, transpose, expand, indexing); sums and products of integers and bools
are int64, as in PyTorch; max/min/sort/topk keep the dtype and give int64 indices."""
import numbers

import numpy as np

from . import dtypes, return_types
from . import tensor as _tensor  # (partly initialised when tensor.py imports this module)

__all__ = ["IntegerShapeOps", "short_type_name"]


def _shape_args(shape):
    return _tensor._shape_args(shape)


def _axis(dim, ndim):
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")
    return dim % rank


def _axes(dim, ndim):
    if dim is None or (not isinstance(dim, numbers.Integral) and len(dim) == 0):
        return None
    if isinstance(dim, numbers.Integral):
        return _axis(dim, ndim) if ndim else None
    return tuple(_axis(d, ndim) for d in dim) if ndim else None


class IntegerShapeOps:
    """Methods of IntegerTensor that keep its dtype or give int64 (see the module docstring)."""

    __slots__ = ()

    def _new(self, array):
        return type(self)._of(np.asarray(array))

    # ---- shape ----------------------------------------------------------------------

    def reshape(self, *shape):
        try:
            return self._new(self._array.reshape(_shape_args(shape)))
        except ValueError as e:
            raise RuntimeError(f"shape '{list(_shape_args(shape))}' is invalid for input of size "
                               f"{self._array.size}") from e

    view = reshape

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self._array.shape
        if not shape:
            return self.reshape(1)
        start, end = _axis(start_dim, len(shape)), _axis(end_dim, len(shape))
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if self._array.size else \
            self.reshape(shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:])

    def permute(self, *dims, **kwargs):
        dims = _tensor._permute_dims(dims, kwargs)
        return self._new(self._array.transpose([_axis(d, self._array.ndim) for d in dims]))

    def transpose(self, dim0, dim1):
        ndim = self._array.ndim
        return self._new(np.swapaxes(self._array, _axis(dim0, ndim), _axis(dim1, ndim))) if ndim else self

    def t(self):
        if self._array.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._array.ndim}D")
        return self._new(self._array.T)

    @property
    def T(self):
        return self._new(self._array.T)

    def squeeze(self, dim=None):
        if dim is None:
            return self._new(self._array.squeeze())
        dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        axes = tuple(a for a in (_axis(d, self._array.ndim) for d in dims)
                     if self._array.ndim and self._array.shape[a] == 1)
        return self._new(self._array.squeeze(axes))

    def unsqueeze(self, dim):
        return self._new(np.expand_dims(self._array, _axis(dim, self._array.ndim + 1)))

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        lead = len(sizes) - self._array.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
                               f"the number of dimensions in the tensor ({self._array.ndim})")
        target = [self._array.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes)]
        try:
            return self._new(np.broadcast_to(self._array, target))
        except ValueError as e:
            raise RuntimeError(f"The expanded size of the tensor must match the existing size: {e}") from e

    def expand_as(self, other):
        return self.expand(other.shape)

    def repeat(self, *sizes):
        sizes = _shape_args(sizes)
        if len(sizes) < self._array.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                               "of tensor")
        return self._new(np.tile(self._array, sizes))

    def flip(self, dims):
        return self._new(np.flip(self._array, _axes(dims, self._array.ndim)).copy())

    def split(self, split_size_or_sections, dim=0):
        axis = _axis(dim, self._array.ndim)
        n = self._array.shape[axis]
        if isinstance(split_size_or_sections, numbers.Integral):
            step = split_size_or_sections
            cuts = list(range(step, n, step))
        else:
            cuts = list(np.cumsum(split_size_or_sections)[:-1])
        return tuple(self._new(piece) for piece in np.split(self._array, cuts, axis))

    def chunk(self, chunks, dim=0):
        n = self._array.shape[_axis(dim, self._array.ndim)]
        return self.split(max(1, -(-n // chunks)), dim)

    # ---- reductions --------------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        out = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
        return _from(np.sum(self._array, axis=_axes(dim, self._array.ndim), keepdims=keepdim, dtype=out.dtype))

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        out = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
        return _from(np.prod(self._array, axis=_axes(dim, self._array.ndim), keepdims=keepdim, dtype=out.dtype))

    def cumsum(self, dim, *, dtype=None):
        out = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
        return _from(np.cumsum(self._array, axis=_axis(dim, self._array.ndim), dtype=out.dtype).reshape(
            self._array.shape))

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        if dtype is not None and dtypes.as_dtype(dtype).is_floating_point:
            return self.float().mean(dim, keepdim)
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {short_type_name(self.dtype)}")

    def amax(self, dim=(), keepdim=False):
        return self._new(np.max(self._array, axis=_axes(dim, self._array.ndim), keepdims=keepdim))

    def amin(self, dim=(), keepdim=False):
        return self._new(np.min(self._array, axis=_axes(dim, self._array.ndim), keepdims=keepdim))

    def _reduce_indexed(self, dim, keepdim, pick, kind):
        axis = _axis(dim, self._array.ndim)
        array = self._array if self._array.ndim else self._array.reshape(1)
        if array.shape[axis] == 0:
            raise IndexError(f"{kind}(): Expected reduction dim {dim} to have non-zero size.")
        indices = np.expand_dims(pick(array, axis=axis), axis)
        values = np.take_along_axis(array, indices, axis)
        if not keepdim or not self._array.ndim:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return self._new(values), _from(indices.astype(np.int64))

    def max(self, dim=None, keepdim=False):
        if dim is None:
            return self.amax()
        if not isinstance(dim, numbers.Integral):  # max(other): the elementwise maximum
            return _from(np.maximum(self._array, np.asarray(dim)))
        return _tensor.max_result(*self._reduce_indexed(dim, keepdim, np.argmax, "max"))

    def min(self, dim=None, keepdim=False):
        if dim is None:
            return self.amin()
        if not isinstance(dim, numbers.Integral):
            return _from(np.minimum(self._array, np.asarray(dim)))
        return return_types.min(*self._reduce_indexed(dim, keepdim, np.argmin, "min"))

    def argmax(self, dim=None, keepdim=False):
        if dim is None:
            return _from(np.asarray(np.argmax(self._array), np.int64))
        return self._reduce_indexed(dim, keepdim, np.argmax, "argmax")[1]

    def argmin(self, dim=None, keepdim=False):
        if dim is None:
            return _from(np.asarray(np.argmin(self._array), np.int64))
        return self._reduce_indexed(dim, keepdim, np.argmin, "argmin")[1]

    # ---- selections -------------------------------------------------------------------------

    def sort(self, dim=-1, descending=False, stable=False):
        axis = _axis(dim, self._array.ndim)
        array = self._array if self._array.ndim else self._array.reshape(1)
        # A stable sort of the bitwise complement (order-reversing for every integer type and
        # for bool) keeps equal elements in order when descending too.
        keys = ~array if descending else array
        indices = np.argsort(keys, axis=axis, kind="stable").reshape(self._array.shape)
        values = np.take_along_axis(self._array, indices, axis) if self._array.ndim else self._array.copy()
        return return_types.sort(self._new(values), _from(indices.astype(np.int64)))

    def argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending, stable).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):
        axis = _axis(dim, self._array.ndim)
        size = self._array.shape[axis] if self._array.ndim else 1
        if not 0 <= k <= size:
            raise RuntimeError("selected index k out of range")
        values, indices = self.sort(dim, descending=largest)
        take = [slice(None)] * self._array.ndim
        if self._array.ndim:
            take[axis] = slice(0, k)
        return return_types.topk(values[tuple(take)], indices[tuple(take)])

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if any(isinstance(b, float) and not float(b).is_integer() for b in (min, max) if b is not None):
            return self.float().clamp(min, max)
        return self._new(np.clip(self._array, min, max).astype(self._array.dtype))

    clip = clamp

    def relu(self):
        return self._new(np.maximum(self._array, 0).astype(self._array.dtype))

    def bincount(self, weights=None, minlength=0):
        if self._array.ndim != 1 or self._array.dtype.kind not in "iu":
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if weights is not None:
            return _from(np.bincount(self._array, np.asarray(weights), minlength).astype(np.float32))
        return _from(np.bincount(self._array, minlength=minlength).astype(np.int64))

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        found = np.unique(self._array.reshape(-1), return_inverse=return_inverse, return_counts=return_counts)
        if not (return_inverse or return_counts):
            return self._new(found)
        found = list(found)
        out = [self._new(found.pop(0))]
        if return_inverse:
            out.append(_from(found.pop(0).reshape(self._array.shape).astype(np.int64)))
        if return_counts:
            out.append(_from(found.pop(0).astype(np.int64)))
        return tuple(out)


def _from(array):
    from .integer_tensor import from_numpy_array
    return from_numpy_array(array)


def short_type_name(dt):
    """PyTorch's scalar type name in messages: Long, Int, Byte, Bool, ..."""
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(dt.dtype.name, str(dt))

