"""RMSprop with PyTorch's update rule and defaults."""
from .optimizer import Optimizer, _flags


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False).

        g = grad + weight_decay·p;  s = α·s + (1 − α)·g²
        d = √(s − ḡ²) + eps with ḡ = α·ḡ + (1 − α)·g if centered, else √s + eps
        b = momentum·b + g/d; p = p − lr·b   (momentum > 0), else p = p − lr·g/d
    """

    _kind = "RMSprop"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        flags = _flags(maximize, differentiable, foreach=foreach, capturable=capturable)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, **flags))

