"""`swiftnn.nn.functional` (`import swiftnn.nn.functional as F`): stateless forms
of the layers and losses. Most come from the op table (`_functional_generated.py`);
the ones below have Python-level logic."""
import numpy as np

from .. import _C
from ..tensor import Tensor, _as_tensor
from ._functional_generated import *  # noqa: F401,F403
from ._functional_generated import ENUMS


def _reduction_code(reduction):
    """Checks a reduction name where PyTorch does (loss modules' constructors)."""
    if reduction not in ENUMS["reduction"]:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return ENUMS["reduction"].index(reduction)


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits [N, C] or [N, C, d1, ...] against class indices
    ([N] or [N, d1, ...], ints or whole-number floats) or against class
    probabilities of the input's own shape (float)."""
    if weight is not None:
        raise NotImplementedError("cross_entropy: per-class weights are not supported")
    input = _as_tensor(input)
    if isinstance(target, Tensor) and target.is_floating_point():
        if target.shape != input.shape:  # PyTorch reads a float target as class probabilities
            raise RuntimeError("expected scalar type Long but found Float (float targets are class "
                               f"probabilities of the input's shape {list(input.shape)}, got {list(target.shape)})")
        return Tensor._wrap(_C.cross_entropy_probs(input._h, target._h, reduction, label_smoothing))
    target = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if target.dtype.kind == "b":
        raise RuntimeError("expected scalar type Long but found Bool")
    if target.dtype.kind not in "biuf":
        raise TypeError(f"cross_entropy: expected class indices or probabilities as target, got dtype {target.dtype}")
    if target.dtype.kind == "f" and target.shape == input.shape:
        return Tensor._wrap(_C.cross_entropy_probs(input._h, _C.from_array(target), reduction, label_smoothing))
    shape = input.shape
    if len(shape) >= 2 and target.shape != shape[:1] + shape[2:]:
        raise ValueError(f"cross_entropy: input of shape {list(shape)} needs class-index targets of shape "
                         f"{list(shape[:1] + shape[2:])} (or probabilities of shape {list(shape)}), "
                         f"got {list(target.shape)}")
    return Tensor._wrap(_C.cross_entropy(input._h, target, reduction, label_smoothing, ignore_index))


def one_hot(tensor, num_classes=-1):
    """int64 one-hot rows [..., num_classes] of int64 class indices (num_classes=-1: max + 1)."""
    if not isinstance(tensor, Tensor) or tensor.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    classes = tensor.numpy()
    if classes.size and classes.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not classes.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(classes.max()) + 1
    elif classes.size and classes.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    from ..integer_tensor import from_numpy_array
    return from_numpy_array((classes[..., None] == np.arange(num_classes)).astype(np.int64))


def pad(input, pad, mode="constant", value=None):
    """Constant padding; `pad` lists (before, after) pairs from the last dimension backwards
    (negative values crop)."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    return Tensor._wrap(_C.pad(_as_tensor(input)._h, tuple(pad), 0.0 if value is None else value))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows; with return_indices also the flat H*W position of each maximum (int64)."""
    out, indices = _C.max_pool2d(_as_tensor(input)._h, kernel_size, stride, padding, dilation, ceil_mode)
    return (Tensor._wrap(out), indices) if return_indices else Tensor._wrap(out)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d(return_indices=True) is not supported yet")
    return Tensor._wrap(_C.adaptive_max_pool2d(_as_tensor(input)._h, output_size))
