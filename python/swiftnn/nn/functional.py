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


from ._conv_functional import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, conv2d,  # noqa: E402
                               max_pool2d)
