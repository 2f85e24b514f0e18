"""`swiftnn.nn.functional` (`import swiftnn.nn.functional as F`): stateless forms
of the layers and losses."""
import numpy as np

from .. import _C
from ..tensor import Tensor, _as_tensor

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduction_code(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


def linear(input, weight, bias=None):
    """input·weightᵀ + bias, weight [out_features, in_features]."""
    bias_handle = None if bias is None else _as_tensor(bias)._h
    return Tensor._wrap(_C.linear(_as_tensor(input)._h, _as_tensor(weight)._h, bias_handle))


def relu(input, inplace=False):
    return _as_tensor(input).relu()


def sigmoid(input):
    return _as_tensor(input).sigmoid()


def tanh(input):
    return _as_tensor(input).tanh()


def softmax(input, dim):
    return _as_tensor(input).softmax(dim)


def log_softmax(input, dim):
    return _as_tensor(input).log_softmax(dim)


def flatten(input, start_dim=0, end_dim=-1):
    return _as_tensor(input).flatten(start_dim, end_dim)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes elements with probability p and scales the rest by 1/(1-p) when training."""
    return Tensor._wrap(_C.dropout(_as_tensor(input)._h, p, training))


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits [N, C] or [N, C, d1, ...] against class indices
    ([N] or [N, d1, ...], ints or whole-number floats) or against class
    probabilities of the input's own shape (float)."""
    if weight is not None:
        raise NotImplementedError("cross_entropy: per-class weights are not supported")
    input = _as_tensor(input)
    code = _reduction_code(reduction)
    if isinstance(target, Tensor) and target.shape == input.shape:
        return Tensor._wrap(_C.cross_entropy_probs(input._h, target._h, code, label_smoothing))
    target = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if target.dtype.kind not in "biuf":
        raise TypeError(f"cross_entropy: expected class indices or probabilities as target, got dtype {target.dtype}")
    if target.dtype.kind == "f" and target.shape == input.shape:
        return Tensor._wrap(_C.cross_entropy_probs(input._h, _C.from_array(target), code, label_smoothing))
    shape = input.shape
    if len(shape) >= 2 and target.shape != shape[:1] + shape[2:]:
        raise ValueError(f"cross_entropy: input of shape {list(shape)} needs class-index targets of shape "
                         f"{list(shape[:1] + shape[2:])} (or probabilities of shape {list(shape)}), "
                         f"got {list(target.shape)}")
    return Tensor._wrap(_C.cross_entropy(input._h, target, code, label_smoothing, ignore_index))


def mse_loss(input, target, *, reduction="mean"):
    """Mean squared error; input and target must have the same shape."""
    code = _reduction_code(reduction)
    return Tensor._wrap(_C.mse_loss(_as_tensor(input)._h, _as_tensor(target)._h, code))


# ---- normalization and activations ----------------------------------------------

from .activation import _gelu_tanh_flag  # noqa: E402


def _optional_handle(t):
    return None if t is None else _as_tensor(t)._h


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalizes over dimension 1 of [N, C, ...]. Training uses batch statistics and updates
    running_mean / running_var in place (unbiased variance) when they are given."""
    return Tensor._wrap(_C.batch_norm(_as_tensor(input)._h, _optional_handle(running_mean),
                                      _optional_handle(running_var), _optional_handle(weight),
                                      _optional_handle(bias), training, momentum, eps))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    return Tensor._wrap(_C.layer_norm(_as_tensor(input)._h, tuple(normalized_shape), _optional_handle(weight),
                                      _optional_handle(bias), eps))


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    return Tensor._wrap(_C.local_response_norm(_as_tensor(input)._h, size, alpha, beta, k))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return Tensor._wrap(_C.leaky_relu(_as_tensor(input)._h, negative_slope))


def gelu(input, approximate="none"):
    return Tensor._wrap(_C.gelu(_as_tensor(input)._h, _gelu_tanh_flag(approximate)))


def silu(input, inplace=False):
    return Tensor._wrap(_C.silu(_as_tensor(input)._h))


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of [N, C, H, W] (or [N, C, L]) with probability p when training."""
    return Tensor._wrap(_C.dropout2d(_as_tensor(input)._h, p, training))


def pad(input, pad, mode="constant", value=None):
    """Constant padding; `pad` lists (before, after) pairs from the last dimension backwards
    (negative values crop)."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    return Tensor._wrap(_C.pad(_as_tensor(input)._h, tuple(pad), 0.0 if value is None else value))


from ._conv_functional import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, conv2d,  # noqa: E402
                               max_pool2d)
