"""Function forms of the tensor ops (`swiftnn.relu(x)`, `swiftnn.matmul(a, b)`, ...).
Inputs may be Tensors or anything `swiftnn.tensor` accepts."""
from . import _C
from .tensor import Tensor, _as_tensor


def add(input, other):
    return _as_tensor(input).add(other)


def sub(input, other):
    return _as_tensor(input).sub(other)


def mul(input, other):
    return _as_tensor(input).mul(other)


def div(input, other):
    return _as_tensor(input).div(other)


def matmul(input, other):
    """NumPy's matmul rules: 1-D, 2-D and batched operands, batch dims broadcast."""
    return _as_tensor(input).matmul(other)


def neg(input):
    return _as_tensor(input).neg()


def relu(input):
    return _as_tensor(input).relu()


def sigmoid(input):
    return _as_tensor(input).sigmoid()


def tanh(input):
    return _as_tensor(input).tanh()


def exp(input):
    return _as_tensor(input).exp()


def log(input):
    return _as_tensor(input).log()


def softmax(input, dim):
    return _as_tensor(input).softmax(dim)


def log_softmax(input, dim):
    return _as_tensor(input).log_softmax(dim)


def sum(input, dim=None, keepdim=False):
    return _as_tensor(input).sum(dim, keepdim)


def mean(input, dim=None, keepdim=False):
    return _as_tensor(input).mean(dim, keepdim)


def amax(input, dim=(), keepdim=False):
    return _as_tensor(input).amax(dim, keepdim)


def max(input, dim=None, keepdim=False):
    return _as_tensor(input).max(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return _as_tensor(input).argmax(dim, keepdim)


def reshape(input, shape):
    return _as_tensor(input).reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return _as_tensor(input).flatten(start_dim, end_dim)


def transpose(input, dim0, dim1):
    return _as_tensor(input).transpose(dim0, dim1)


def permute(input, dims):
    return _as_tensor(input).permute(dims)


def unsqueeze(input, dim):
    return _as_tensor(input).unsqueeze(dim)


def squeeze(input, dim=None):
    return _as_tensor(input).squeeze(dim)


def amin(input, dim=(), keepdim=False):
    return _as_tensor(input).amin(dim, keepdim)


def _handles(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' must be a sequence of Tensors, not Tensor")
    return [_as_tensor(t)._h for t in tensors]


def cat(tensors, dim=0):
    """Joins tensors along an existing dimension."""
    return Tensor._wrap(_C.cat(_handles(tensors, "cat"), dim))


concat = concatenate = cat


def stack(tensors, dim=0):
    """Joins same-shape tensors along a new dimension."""
    return Tensor._wrap(_C.stack(_handles(tensors, "stack"), dim))


def split(tensor, split_size_or_sections, dim=0):
    return _as_tensor(tensor).split(split_size_or_sections, dim)


def chunk(input, chunks, dim=0):
    return _as_tensor(input).chunk(chunks, dim)
