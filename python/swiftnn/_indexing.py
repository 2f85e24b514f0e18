"""Indexing: `t[key]`, `t[key] = v`, gather, index_select, masked_fill, where.

Every form becomes flat (row-major) element positions computed with NumPy, and
the engine does the rest with two ops: `take_flat` (read; the gradient scatters
back) and `put_flat_` (write in place, with autograd's version counters). Basic
keys (ints, slices, None, ...) index a strided dummy of one byte to learn the
offset and strides of the selection, so no array the size of the tensor is
made; advanced keys (index arrays, masks) index an arange of the positions,
which applies NumPy's rules (the same as PyTorch's) exactly.
"""
import numbers

import numpy as np

from . import _C
from ._index_results import int64_result

_INDEX_DTYPE_ERROR = "tensors used as indices must be long, int, byte or bool tensors"


def _index_array(value):
    """An int64 or bool array from a Tensor, array or list used as an index."""
    array = np.asarray(value)
    if array.dtype == np.uint8:          # byte tensors are masks, as in PyTorch
        return array.astype(bool)
    if array.dtype == bool or np.issubdtype(array.dtype, np.integer):
        return array if array.dtype == bool else array.astype(np.int64, copy=False)
    if array.size == 0 and isinstance(value, (list, tuple)):
        return array.astype(np.int64)    # t[[]] selects nothing
    raise IndexError(_INDEX_DTYPE_ERROR)


def _slice_bound(value):
    if value is None or isinstance(value, numbers.Integral):
        return value
    if hasattr(value, "__index__"):
        return value.__index__()
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        item = value.item()
        if isinstance(item, numbers.Integral) or float(item).is_integer():
            return int(item)
    raise TypeError("slice indices must be integers or None or have an __index__ method")


def _normalized(key):
    """The key as a tuple of ints, slices, None, Ellipsis and index arrays; and
    whether any entry is advanced (an array or a mask)."""
    entries = key if isinstance(key, tuple) else (key,)
    out, advanced = [], False
    for entry in entries:
        if entry is None or entry is Ellipsis or isinstance(entry, bool):
            out.append(entry)
            advanced = advanced or isinstance(entry, bool)
        elif isinstance(entry, numbers.Integral):
            out.append(int(entry))
        elif isinstance(entry, slice):
            step = _slice_bound(entry.step)
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_slice_bound(entry.start), _slice_bound(entry.stop), step))
        else:
            array = _index_array(entry)
            if array.ndim == 0 and array.dtype != bool:
                out.append(int(array))   # a 0-d integer tensor acts as an int
            else:
                out.append(array)
                advanced = True
    return tuple(out), advanced


def _pytorch_message(error):
    return str(error).replace("for axis", "for dimension").replace("along axis", "along dimension")


def positions(shape, key):
    """(flat int64 positions, result shape) of `tensor[key]` for a tensor of `shape`."""
    key, advanced = _normalized(key)
    shape = tuple(shape)
    try:
        if advanced:
            selected = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)[key]
            return np.ascontiguousarray(selected).reshape(-1), selected.shape
        strides = [1] * len(shape)
        for d in range(len(shape) - 2, -1, -1):
            strides[d] = strides[d + 1] * max(shape[d + 1], 1)
        base = np.zeros(1, np.int8)
        dummy = np.lib.stride_tricks.as_strided(base, shape=shape, strides=strides, writeable=False)
        # A trailing new axis keeps the result a view even when every entry is an int.
        view = dummy[key + ((None,) if Ellipsis in key else (Ellipsis, None))]
    except IndexError as error:
        raise IndexError(_pytorch_message(error)) from None
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    out_shape, out_strides = view.shape[:-1], view.strides[:-1]
    flat = np.full(out_shape, offset, dtype=np.int64)
    for d, (size, stride) in enumerate(zip(out_shape, out_strides)):
        axis = np.arange(size, dtype=np.int64) * stride
        flat += axis.reshape((size,) + (1,) * (len(out_shape) - d - 1))
    return flat.reshape(-1), out_shape


def _tensor_type():
    from .tensor import Tensor
    return Tensor


def _as_tensor(value):
    Tensor = _tensor_type()
    return value if isinstance(value, Tensor) else Tensor(value)


def _take(tensor, flat, shape):
    return _tensor_type()._wrap(_C.take_flat(tensor._h, flat, list(shape)))


def _put(tensor, flat, value, shape):
    """Writes `value` (broadcast to `shape`) into the flat positions of `tensor`, in place."""
    value = _as_tensor(value)
    vshape = tuple(value.shape)
    while len(vshape) > len(shape) and vshape[0] == 1:   # PyTorch drops leading ones
        vshape = vshape[1:]
    if len(vshape) > len(shape) or any(v not in (1, s) for v, s in zip(vshape[::-1], tuple(shape)[::-1])):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast "
                           f"to indexing result of shape {list(shape)}")
    if vshape != tuple(value.shape):
        value = value.reshape(vshape)
    if tuple(value.shape) != tuple(shape):
        value = value.expand(*shape)
    tensor._h = _C.put_flat_(tensor._h, flat, value._h)
    return tensor


def _wrap_dim(dim, rank):
    bound = max(rank, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {dim})")
    return dim % bound


class IndexingOps:
    """Tensor methods for indexing (Tensor derives from this)."""

    __slots__ = ()

    def __getitem__(self, key):
        flat, shape = positions(self.shape, key)
        return _take(self, flat, shape)

    def __setitem__(self, key, value):
        flat, shape = positions(self.shape, key)
        _put(self, flat, value, shape)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def index_select(self, dim, index):
        """The entries at `index` (1-D integers) along `dim`."""
        index = _index_array(index)
        if index.ndim > 1 or index.dtype == bool:
            raise IndexError("index_select(): Index is supposed to be a vector")
        rank = self.ndim
        dim = _wrap_dim(dim, rank)
        if rank == 0:   # a 0-d tensor acts as one of size 1
            if index.size != 1 or int(index.reshape(-1)[0]) not in (0, -1):
                raise IndexError("index out of range in self")
            return _take(self, np.zeros(1, np.int64), ())
        key = (slice(None),) * dim + (index.reshape(-1),)
        return self[key]

    def gather(self, dim, index):
        """out[i][j][k] = self[index[i][j][k]][j][k] for dim = 0 (likewise for others)."""
        index = np.asarray(index)
        if not np.issubdtype(index.dtype, np.integer):
            raise RuntimeError("gather(): Expected dtype int64 for index")
        shape = tuple(self.shape)
        rank = len(shape)
        dim = _wrap_dim(dim, rank)
        if index.ndim != max(rank, 1) and not (rank == 0 and index.ndim == 0):
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        full = shape if rank else (1,)
        index = index.reshape(index.shape or (1,)).astype(np.int64)
        for d, (n, size) in enumerate(zip(index.shape, full)):
            if d != dim and n > size:
                raise RuntimeError(f"Size does not match at dimension {d} expected index {list(index.shape)} "
                                   f"to be smaller than self {list(full)} apart from dimension {dim}")
        bad = (index < -full[dim]) | (index >= full[dim])
        if bad.any():
            raise RuntimeError(f"index {int(index[bad][0])} is out of bounds for dimension {dim} with size {full[dim]}")
        coords = list(np.indices(index.shape, dtype=np.int64))
        coords[dim] = index % full[dim] if full[dim] else index
        flat = np.ravel_multi_index(coords, full).reshape(-1).astype(np.int64) if index.size else np.zeros(0, np.int64)
        return _take(self, flat, index.shape if rank else ())

    def masked_fill(self, mask, value):
        """A copy with `value` where `mask` (bool, broadcast to this shape) is True."""
        return where(mask, value, self)

    def masked_fill_(self, mask, value):
        """In place: `value` where `mask` (bool, broadcast to this shape) is True."""
        mask = _bool_mask(mask, "masked_fill_")
        value = _as_tensor(value)
        if value.ndim != 0:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, "
                               f"but got tensor with {value.ndim} dimension(s).")
        try:
            chosen = np.broadcast_to(mask, tuple(self.shape))
        except ValueError:
            raise RuntimeError(f"The size of the mask {list(mask.shape)} must be broadcastable to the "
                               f"tensor's shape {list(self.shape)}") from None
        flat = np.flatnonzero(chosen).astype(np.int64)
        return _put(self, flat, value, (flat.size,))

    def expand(self, *sizes):
        """Broadcasts size-1 dimensions to `sizes` (-1 keeps a size); a copy, not a view."""
        if len(sizes) == 1 and not isinstance(sizes[0], numbers.Integral):
            sizes = tuple(sizes[0])
        return _tensor_type()._wrap(_C.expand(self._h, list(sizes)))

    def repeat(self, *repeats):
        """Tiles the tensor repeats[i] times along dimension i."""
        if len(repeats) == 1 and not isinstance(repeats[0], numbers.Integral):
            repeats = tuple(repeats[0])
        return _tensor_type()._wrap(_C.repeat(self._h, list(repeats)))

    def contiguous(self, memory_format=None):
        """The tensor itself: swiftnn tensors are always contiguous."""
        return self


def _bool_mask(mask, name):
    array = np.asarray(mask)
    if array.dtype == np.uint8:
        array = array.astype(bool)
    if array.dtype != bool:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {array.dtype}")
    return array


def where(condition, input=None, other=None):
    """where(condition, input, other): input where condition is True, else other
    (all three broadcast together). where(condition): the indices of the True
    elements, one int64 array per dimension."""
    if input is None and other is None:
        cond = np.asarray(condition)
        return tuple(int64_result(a.astype(np.int64)) for a in np.nonzero(cond))
    cond = _bool_mask(condition, "where")
    x, y = _as_tensor(input), _as_tensor(other)
    try:
        shape = np.broadcast_shapes(cond.shape, tuple(x.shape), tuple(y.shape))
    except ValueError:
        raise RuntimeError(f"The shapes of condition {list(cond.shape)}, input {list(x.shape)} and other "
                           f"{list(y.shape)} cannot be broadcast together") from None
    n = int(np.prod(shape, dtype=np.int64))
    flat_shape = (1,) + shape if not shape else shape
    both = _C.cat([x.expand(*flat_shape)._h, y.expand(*flat_shape)._h], 0)
    pick = np.arange(n, dtype=np.int64)
    pick = np.where(np.broadcast_to(cond, shape).reshape(-1), pick, pick + n)
    return _take(_tensor_type()._wrap(both), pick, shape)


def gather(input, dim, index):
    return input.gather(dim, index)


def index_select(input, dim, index):
    return input.index_select(dim, index)


def masked_fill(input, mask, value):
    return input.masked_fill(mask, value)
