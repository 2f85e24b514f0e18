"""Stochastic gradient descent with PyTorch's update rule and defaults."""
from .. import _C
from .optimizer import Optimizer, _flags


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False).

        g = grad + weight_decay·p
        b = g (first step), then b = momentum·b + (1 − dampening)·g
        g = g + momentum·b if nesterov else b      (when momentum ≠ 0)
        p = p − lr·g
    """

    _engine_keys = dict(Optimizer._engine_keys, momentum="momentum", dampening="dampening",
                        weight_decay="weight_decay")

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        **_flags(maximize, differentiable, foreach=foreach, fused=fused))
        super().__init__(params, defaults)

    def _make_engine(self, group):
        return _C.sgd_new([p._h for p in group["params"]], group["lr"], group["momentum"], group["dampening"],
                          group["weight_decay"], group["nesterov"])
