"""`Tensor`: a Python object owning one engine tensor (float32, C-contiguous).

Differences from PyTorch, on purpose:
- `.numpy()` and `np.asarray(t)` always return a fresh copy, so they are
  allowed on tensors that require grad (PyTorch refuses there because its
  arrays alias the tensor's memory; ours never do).
- In-place ops (`+=`, `add_`, `relu_`, `t[i] = v`, ...) are recorded by autograd
  with version counters, as PyTorch's; one recorded on a tensor whose storage a
  view (`view`, `reshape`, `flatten`, ...) in the graph shares is refused instead
  of rebasing the view's history. Indexing (`t[i]`, `t[::2]`) returns a copy, so
  writing into `t[0]` does not change `t` (`t[0] = v` does).
- float32 is the only type the engine computes in and the only one that can
  require grad; int64/int32/uint8/bool tensors (labels, indices, masks, image
  bytes) are `IntegerTensor`s, a subclass held by NumPy (integer_tensor.py).
"""
import numbers
from collections import namedtuple

import numpy as np

from . import _C, _device
from ._indexing import IndexingOps
from ._op_args import _wrap_indexed
from ._ops_generated import TensorOps
from ._tensor_str import tensor_repr
from .dtypes import float32
from .grad_mode import no_grad
from .typed_tensor_ops import TypedTensorOps

# torch.return_types.max
max_result = namedtuple("max", ["values", "indices"])


class Size(tuple):
    """A tensor shape: a tuple of ints (PyTorch's `torch.Size`), printed as `swiftnn.Size([2, 3])`
    the way PyTorch prints `torch.Size([2, 3])`. Slicing, + and * give Sizes, as in PyTorch."""

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        return f"swiftnn.Size({list(self)})"

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(super().__add__(other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, count):
        return Size(super().__mul__(count))

    __rmul__ = __mul__


class GradFn:
    """The op that produced a tensor. Only its name crosses from the engine; it is shown as
    PyTorch names its nodes (the engine's "AddBackward" is "AddBackward0")."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name + "0" if name.endswith("Backward") else name

    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object>"


def _as_tensor(value):
    """Tensors pass through; array-likes and numbers become new float32 tensors."""
    return value if isinstance(value, Tensor) else Tensor(value)


def _shape_args(shape):
    """Accepts f(2, 3) and f((2, 3)) as PyTorch does."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return tuple(shape[0])
    return shape


def _permute_dims(dims, kwargs):
    """The dims of permute(2, 0, 1), permute((2, 0, 1)) or permute(dims=(2, 0, 1))."""
    if kwargs:
        if dims or set(kwargs) != {"dims"}:
            raise TypeError(f"permute() takes the dims positionally or as dims=, got {dims} and {sorted(kwargs)}")
        dims = (kwargs["dims"],)
    return _shape_args(dims)


def _binary(fn, a, b):
    return Tensor._wrap(fn(_as_tensor(a)._h, _as_tensor(b)._h))


class Tensor(TensorOps, IndexingOps, TypedTensorOps):
    """An n-dimensional float32 array that can take part in autograd.

    `Tensor(data)` copies any array-like of numbers (NumPy arrays of any
    numeric dtype, nested lists, scalars) as float32. The op methods (add,
    relu, sum, ...), operators and autograd properties (requires_grad, grad,
    is_leaf) come from the op table through TensorOps; indexing (`t[key]`,
    `t[key] = v`, gather, ...) from IndexingOps.
    """

    # NumPy defers `ndarray + tensor` to Tensor.__radd__ instead of converting us.
    __array_priority__ = 1000

    def __init__(self, data):
        self._h = _C.from_array(data)

    @classmethod
    def _wrap(cls, handle):
        t = cls.__new__(cls)
        t._h = handle
        return t

    # ---- data ---------------------------------------------------------------

    def numpy(self, force=False):
        """A fresh float32 NumPy copy of the elements (never a view)."""
        return _C.to_numpy(self._h)

    def __array__(self, dtype=None, copy=None):
        array = _C.to_numpy(self._h)
        return array if dtype is None else array.astype(dtype, copy=False)

    def item(self):
        n = self.numel()
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return float(_C.to_numpy(self._h).reshape(-1)[0])

    def tolist(self):
        return _C.to_numpy(self._h).tolist()

    @property
    def shape(self):
        return Size(_C.shape(self._h))

    def size(self, dim=None):
        shape = self.shape
        if dim is None:
            return shape
        if not shape:
            raise IndexError(f"dimension specified as {dim} but tensor has no dimensions")
        rank = len(shape)
        if not -rank <= dim < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")
        return shape[dim]

    @property
    def ndim(self):
        return len(_C.shape(self._h))

    def dim(self):
        return self.ndim

    @property
    def dtype(self):
        return float32

    @property
    def device(self):
        return _device.CPU

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """The CPU tensor itself: swiftnn has no GPU (the first CUDA request warns once)."""
        _device.request(device if device is not None else "cuda")
        return self

    def to(self, *args, **kwargs):
        """to(device), to(dtype), to(device, dtype), to(other): the tensor itself, as every
        device is the CPU (a CUDA device warns once), or a copy in another dtype
        (swiftnn.int64, ...). copy=True gives a new tensor (still in the autograd graph)."""
        _, dtype, copy = _device.to_arguments(args, kwargs, "Tensor")
        if dtype is not None and dtype != float32:
            return self.type(dtype)
        return self.mul(1.0) if copy else self

    def __len__(self):
        shape = _C.shape(self._h)
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return self.item()

    def __int__(self):
        return int(self.item())

    def __format__(self, spec):
        # f"{loss:.4f}" works on one-element tensors, as in PyTorch.
        if spec and self.numel() == 1:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        grad_fn = self.grad_fn
        return tensor_repr(_C.to_numpy(self._h), None if grad_fn is None else grad_fn.name(), self.requires_grad)

    # ---- autograd -------------------------------------------------------------

    def requires_grad_(self, requires_grad=True):
        _C.set_requires_grad(self._h, requires_grad)
        return self

    @property
    def grad_fn(self):
        name = _C.grad_fn_name(self._h)
        return None if name is None else GradFn(name)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        if create_graph:
            raise NotImplementedError("create_graph=True (higher-order gradients) is not supported")
        if retain_graph:
            raise NotImplementedError("retain_graph=True is not supported: the engine frees the graph after backward")
        _C.backward(self._h, None if gradient is None else _as_tensor(gradient)._h)

    @property
    def data(self):
        return self.detach()

    # ---- in place (the generated add_, mul_, relu_, ... rebind self._h; see InPlaceOps.swift) ----

    def uniform_(self, *args, **kwargs):
        """uniform_(from=0, to=1): in place from the engine generator."""
        low = args[0] if len(args) > 0 else kwargs.get("from", 0.0)
        high = args[1] if len(args) > 1 else kwargs.get("to", 1.0)
        self._h = _C.uniform_(self._h, low, high)
        return self

    # ---- reductions and shape beyond the generated ones (ops_generated.py) ------------

    def max(self, dim=None, keepdim=False):
        """No dim: the largest element (a 0-d tensor). With dim: (values, indices)."""
        if dim is None:
            return self.amax()
        return max_result(*_wrap_indexed(_C.max_dim(self._h, dim, keepdim)))

    def argmax(self, dim=None, keepdim=False):
        """Indices of the maxima as an int64 tensor (of the flattened tensor when dim is None)."""
        with no_grad():
            if dim is None:
                return _wrap_indexed(_C.max_dim(_C.reshape(self._h, [-1]), 0, False))[1]
            return _wrap_indexed(_C.max_dim(self._h, dim, keepdim))[1]

    # ---- shape ------------------------------------------------------------------

    def reshape(self, *shape):
        return Tensor._wrap(_C.reshape(self._h, _shape_args(shape)))

    def view(self, *shape):
        return self.reshape(*shape)

    def is_contiguous(self, memory_format=None):
        return True

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, -1) if self.ndim == 2 else self

    @property
    def T(self):
        rank = self.ndim
        return self if rank < 2 else self.permute(*reversed(range(rank)))

    def permute(self, *dims, **kwargs):
        """permute(2, 0, 1), permute((2, 0, 1)) or permute(dims=(2, 0, 1))."""
        return Tensor._wrap(_C.permute(self._h, _permute_dims(dims, kwargs)))

    def split(self, split_size_or_sections, dim=0):
        """Pieces along `dim`: of size split_size (the last may be smaller) or of the listed sizes."""
        if isinstance(split_size_or_sections, numbers.Integral):
            return tuple(Tensor._wrap(h) for h in _C.split_size(self._h, split_size_or_sections, dim))
        return tuple(Tensor._wrap(h) for h in _C.split(self._h, list(split_size_or_sections), dim))


# var and std take the tensor first, so the function forms are the methods too.
from . import _spread  # noqa: E402

Tensor.var, Tensor.std = _spread.var, _spread.std
