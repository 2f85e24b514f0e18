"""Adagrad with PyTorch's update rule and defaults."""
from .. import _C
from .optimizer import Optimizer, _flags


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10).

        g = grad + weight_decay·p;  clr = lr / (1 + (t − 1)·lr_decay)
        s = s + g²  (s starts at initial_accumulator_value);  p = p − clr·g / (√s + eps)
    """

    _engine_keys = dict(Optimizer._engine_keys, lr_decay="lr_decay", weight_decay="weight_decay", eps="eps")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        flags = _flags(maximize, differentiable, foreach=foreach, fused=fused)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, **flags))

    def _make_engine(self, group):
        return _C.adagrad_new([p._h for p in group["params"]], group["lr"], group["lr_decay"],
                              group["weight_decay"], group["initial_accumulator_value"], group["eps"])
