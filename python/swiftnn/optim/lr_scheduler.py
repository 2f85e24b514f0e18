"""Learning-rate schedulers with torch.optim.lr_scheduler's names and semantics.

The schedules run in the engine (one engine scheduler over the optimizer's
group engines); these classes keep PyTorch's Python surface: construction
performs the initial step (`last_epoch` becomes 0), `step()` advances one epoch
(or iteration) and writes each group's `param_groups[i]['lr']`, `get_last_lr()`
returns what the last step set, and `state_dict()` / `load_state_dict()` save
and restore the position. Like PyTorch's `get_lr()`, the chainable schedules
start from the groups' current learning rates, so changes made to
`param_groups[i]['lr']` between steps carry on.
"""
import numbers
import warnings
from collections import Counter

from .. import _C
from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "MultiStepLR", "OneCycleLR", "StepLR"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available."
)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a float, got {type(value).__name__}")
    return float(value)


class LRScheduler:
    """The common part: `base_lrs` are the groups' `initial_lr` (set from `lr` when
    `last_epoch` is -1; required in the groups when resuming). A subclass may define
    `get_lr()` (and `_get_closed_form_lr()`) in Python, as with PyTorch's."""

    def __init__(self, optimizer, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral):
            raise TypeError(f"last_epoch must be an int, got {type(last_epoch).__name__}")
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming an "
                                   "optimizer")
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._get_lr_called_within_step = False
        optimizer._sync()
        self._h = self._make_engine(list(optimizer._engines), int(last_epoch), self.base_lrs)
        if self._h is None:  # a Python subclass with its own get_lr(): PyTorch's initial step
            self._step_count = 0
            self.step()
            return
        self._step_count = 1  # the engine performed the initial step
        self._read_back()

    def _make_engine(self, engines, last_epoch, base_lrs):
        """The engine scheduler; None for a subclass that defines get_lr() in Python."""
        return None

    def _python_step(self, epoch):
        """PyTorch's step() for subclasses that compute get_lr() in Python."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _read_back(self):
        """Copies what the engine's last step set into the param groups."""
        groups = self.optimizer.param_groups
        for i, lr in enumerate(_C.scheduler_last_lr(self._h, len(groups))):
            self.optimizer._engine_set(i, "lr", lr)
        self.last_epoch = _C.scheduler_last_epoch(self._h)
        self._last_lr = [group["lr"] for group in groups]
        self._read_momentum()

    def step(self, epoch=None):
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning)
        self._step_count += 1
        if self._h is None:
            self._python_step(epoch)
            return
        self.optimizer._sync()
        _C.scheduler_step(self._h, epoch)
        self._read_back()

    def get_lr(self):
        """The chainable values for `last_epoch` from the current learning rates, not applied
        (PyTorch's; meant for use inside step, hence the warning)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        if self._h is None:
            raise NotImplementedError(f"{type(self).__name__} must define get_lr()")
        self.optimizer._sync()
        values = _C.scheduler_get_lr(self._h, len(self.optimizer.param_groups))
        self._read_momentum()
        return values

    def _read_momentum(self):
        """Schedules that drive the momentum copy it into the groups (OneCycleLR)."""

    def get_last_lr(self):
        """The learning rates the last step set, one per param group."""
        return list(self._last_lr)

    def state_dict(self):
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_h")}

    def load_state_dict(self, state_dict):
        """Restores the position in the schedule. The schedule's own settings stay those this
        scheduler was built with (PyTorch's normal use: the same constructor arguments)."""
        self.__dict__.update(state_dict)
        if self._h is not None:
            _C.scheduler_set_state(self._h, self.last_epoch, self._step_count, self.base_lrs, self._last_lr)


class StepLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` every `step_size` epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.step_size = _positive_int(step_size, "step_size")
        self.gamma = _real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _make_engine(self, engines, last_epoch, base_lrs):
        return _C.step_lr_new(engines, self.step_size, self.gamma, last_epoch, base_lrs)


class MultiStepLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` at every milestone epoch."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, numbers.Integral):
                raise TypeError(f"milestones must be ints, got {type(m).__name__}")
        self.milestones = Counter(milestones)
        self.gamma = _real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _make_engine(self, engines, last_epoch, base_lrs):
        return _C.multistep_lr_new(engines, sorted(self.milestones.elements()), self.gamma, last_epoch, base_lrs)


class ExponentialLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = _real(gamma, "gamma")
        super().__init__(optimizer, last_epoch)

    def _make_engine(self, engines, last_epoch, base_lrs):
        return _C.exponential_lr_new(engines, self.gamma, last_epoch, base_lrs)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr − eta_min)·(1 + cos(π·epoch/T_max))/2, by PyTorch's recursive form."""

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self.T_max = _positive_int(T_max, "T_max")
        self.eta_min = _real(eta_min, "eta_min")
        super().__init__(optimizer, last_epoch)

    def _make_engine(self, engines, last_epoch, base_lrs):
        return _C.cosine_annealing_lr_new(engines, self.T_max, self.eta_min, last_epoch, base_lrs)


def _format_param(name, optimizer, param):
    """One value per param group: a list/tuple of that length, or one value for all."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"expected {len(optimizer.param_groups)} values for {name}, got {len(param)}")
        return [_real(p, name) for p in param]
    return [_real(param, name)] * len(optimizer.param_groups)


class OneCycleLR(LRScheduler):
    """The 1cycle policy, stepped once per batch: lr rises from max_lr/div_factor to max_lr over
    `pct_start` of the steps, then anneals to initial_lr/final_div_factor; with `cycle_momentum` the
    momentum (β1 for Adam/AdamW) moves between max_momentum and base_momentum the opposite way."""

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            if not isinstance(total_steps, numbers.Integral) or isinstance(total_steps, bool) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if (not isinstance(steps_per_epoch, numbers.Integral) or isinstance(steps_per_epoch, bool)
                    or steps_per_epoch <= 0):
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = self._phases(pct_start, three_phase)
        self.div_factor = _real(div_factor, "div_factor")
        self.final_div_factor = _real(final_div_factor, "final_div_factor")
        self.three_phase = bool(three_phase)
        self.pct_start = pct_start
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = lr / self.div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / self.final_div_factor
        self._max_lrs = max_lrs
        self.cycle_momentum = bool(cycle_momentum)
        max_momentums = _format_param("max_momentum", optimizer, max_momentum)
        base_momentums = _format_param("base_momentum", optimizer, base_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                for group, m_momentum, b_momentum in zip(optimizer.param_groups, max_momentums, base_momentums):
                    if self.use_beta1:
                        group["betas"] = (m_momentum, *group["betas"][1:])
                    else:
                        group["momentum"] = m_momentum
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        self._momentums = (base_momentums, max_momentums)
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start, three_phase):
        """PyTorch's `_schedule_phases` (kept for state_dict fidelity; the engine holds the same)."""
        total = self.total_steps
        if three_phase:
            return [
                dict(end_step=float(pct_start * total) - 1, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * total) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=total - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        return [
            dict(end_step=float(pct_start * total) - 1, start_lr="initial_lr", end_lr="max_lr",
                 start_momentum="max_momentum", end_momentum="base_momentum"),
            dict(end_step=total - 1, start_lr="max_lr", end_lr="min_lr",
                 start_momentum="base_momentum", end_momentum="max_momentum"),
        ]

    def _make_engine(self, engines, last_epoch, base_lrs):
        base_momentums, max_momentums = self._momentums
        return _C.one_cycle_lr_new(engines, self._max_lrs, self.total_steps, self.pct_start,
                                   self._anneal_func_type == "linear", self.cycle_momentum, base_momentums,
                                   max_momentums, self.div_factor, self.final_div_factor, self.three_phase,
                                   last_epoch)

    def _read_momentum(self):
        if not self.cycle_momentum:
            return
        optimizer = self.optimizer
        for i, (group, engine) in enumerate(zip(optimizer.param_groups, optimizer._engines)):
            if self.use_beta1:
                optimizer._engine_set(i, "betas", (_C.optimizer_get_hyper(engine, "beta1"), *group["betas"][1:]))
            else:
                optimizer._engine_set(i, "momentum", _C.optimizer_get_hyper(engine, "momentum"))
