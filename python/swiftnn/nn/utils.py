"""`torch.nn.utils` helpers: gradient clipping (computed in the engine)."""
from .. import _C
from ..tensor import Tensor
from .state_dict_keys import consume_prefix_in_state_dict_if_present

__all__ = ["clip_grad_norm_", "consume_prefix_in_state_dict_if_present"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales the gradients of `parameters` in place so that their joint `norm_type` norm
    (the norm of the per-gradient norms) is at most `max_norm`, multiplying each by
    min(max_norm / (total_norm + 1e-6), 1). Returns the total norm before clipping as a
    0-d Tensor. Parameters without a gradient are skipped; `norm_type` may be `inf`.
    A non-finite total norm raises RuntimeError when `error_if_nonfinite`. `foreach` is
    accepted for compatibility and ignored."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"clip_grad_norm_ expects Tensors, but one of the parameters is {type(p).__name__}")
    return Tensor._wrap(_C.clip_grad_norm([p._h for p in params], float(max_norm), float(norm_type),
                                          bool(error_if_nonfinite)))
