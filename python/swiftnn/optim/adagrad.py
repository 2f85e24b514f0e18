"""Adagrad with PyTorch's update rule and defaults."""
from .optimizer import Optimizer, _flags


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10).

        g = grad + weight_decay·p;  clr = lr / (1 + (t − 1)·lr_decay)
        s = s + g²  (s starts at initial_accumulator_value);  p = p − clr·g / (√s + eps)
    """

    _kind = "Adagrad"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        flags = _flags(maximize, differentiable, foreach=foreach, fused=fused)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, **flags))

