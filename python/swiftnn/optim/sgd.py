"""Stochastic gradient descent with PyTorch's update rule and defaults."""
from .optimizer import Optimizer, _flags


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False).

        g = grad + weight_decay·p
        b = g (first step), then b = momentum·b + (1 − dampening)·g
        g = g + momentum·b if nesterov else b      (when momentum ≠ 0)
        p = p − lr·g
    """

    _kind = "SGD"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        **_flags(maximize, differentiable, foreach=foreach, fused=fused))
        super().__init__(params, defaults)

