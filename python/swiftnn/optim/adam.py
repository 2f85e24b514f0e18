"""Adam and AdamW with PyTorch's update rules and defaults (the engine's Adam)."""
from .optimizer import Optimizer, _flags


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False).

        g = grad + weight_decay·p
        m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  v̂ = max(v̂, v) if amsgrad else v
        p = p − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
    """

    _kind = "Adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None):
        flags = _flags(maximize, differentiable, foreach=foreach, capturable=capturable, fused=fused)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      **flags))


class AdamW(Adam):
    """AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False).

    Adam with decoupled weight decay: p = p·(1 − lr·weight_decay) before the Adam
    update, and the gradient is left alone.
    """

    _kind = "AdamW"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused)
