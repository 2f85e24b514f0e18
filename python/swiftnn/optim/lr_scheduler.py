"""Learning-rate schedulers with torch.optim.lr_scheduler's names and semantics.

The schedules run in the engine (one engine scheduler over the optimizer's
group engines, made by one constructor from the class name and arguments);
these classes keep PyTorch's Python surface: construction performs the initial
step (`last_epoch` becomes 0), `step()` advances one epoch (or iteration) and
sets each group's learning rate in the engine, `get_last_lr()` returns what the
last step set, and `state_dict()` / `load_state_dict()` save and restore the
position. The position (`last_epoch`, `base_lrs`, `_last_lr`, `_step_count`) and
the settings (`step_size`, `gamma`, `T_max`, ...) are read from the engine. Like PyTorch's `get_lr()`, the chainable schedules
start from the groups' current learning rates, so changes made to
`param_groups[i]['lr']` between steps carry on.
"""
import json
import numbers
import warnings
from collections import Counter

from .. import _C
from ..nn.layers import _to_json
from .optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "MultiStepLR", "OneCycleLR", "StepLR"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available."
)


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a float, got {type(value).__name__}")
    return float(value)


# Engine-held attributes; the settings (step_size, gamma, ...) are found by name as well.
_POSITION = ("last_epoch", "base_lrs", "_last_lr", "_step_count")


class LRScheduler:
    """The common part: `base_lrs` are the groups' `initial_lr` (set from `lr` when
    `last_epoch` is -1; required in the groups when resuming). A subclass may define
    `get_lr()` (and `_get_closed_form_lr()`) in Python, as with PyTorch's; its
    position is then kept in Python."""

    _kind = None  # the engine's scheduler kind; None for a Python schedule

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
        base_lrs = [group["initial_lr"] for group in groups]
        self._get_lr_called_within_step = False
        if self._kind is None:  # a Python subclass with its own get_lr(): PyTorch's initial step
            self._h = None
            self.base_lrs, self.last_epoch, self._step_count = base_lrs, last_epoch, 0
            self.step()
            return
        # The subclass's constructor arguments go to the engine, which validates and keeps them.
        config = dict(self.__dict__.pop("_args"), last_epoch=int(last_epoch), base_lrs=base_lrs)
        self._h = _C.scheduler_new(self._kind, optimizer._engines, _to_json(config))

    def __getattr__(self, name):
        # Only called when normal lookup fails: engine schedulers hold their position and settings.
        handle = self.__dict__.get("_h")
        if handle is None or name.startswith("__"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        try:
            return json.loads(_C.scheduler_get_option(handle, name))
        except ValueError:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        if name in _POSITION and self.__dict__.get("_h") is not None:
            raise AttributeError(f"{name} is the engine's; use load_state_dict() to move the schedule")
        object.__setattr__(self, name, value)

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

    def step(self, epoch=None):
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning)
        if self._h is None:
            self._step_count += 1
            self._python_step(epoch)
            return
        _C.scheduler_step(self._h, epoch)

    def get_lr(self):
        """The chainable values for `last_epoch` from the current learning rates, not applied
        (PyTorch's; meant for use inside step, hence the warning)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        if self._h is None:
            raise NotImplementedError(f"{type(self).__name__} must define get_lr()")
        return _C.scheduler_get_lr(self._h, len(self.optimizer.param_groups)).tolist()

    def get_last_lr(self):
        """The learning rates the last step set, one per param group."""
        return list(self._last_lr)

    def state_dict(self):
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_h")}
        if self._h is not None:
            state.update(json.loads(_C.scheduler_get_option(self._h, None)))
        return state

    def load_state_dict(self, state_dict):
        """Restores the position in the schedule. The schedule's own settings stay those this
        scheduler was built with (PyTorch's normal use: the same constructor arguments)."""
        if self._h is None:
            self.__dict__.update(state_dict)
            return
        engine = json.loads(_C.scheduler_get_option(self._h, None))
        self.__dict__.update({k: v for k, v in state_dict.items() if k not in engine and k not in ("optimizer", "_h")})
        _C.scheduler_set_state(self._h, _to_json({key: state_dict[key] for key in _POSITION}))


class StepLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` every `step_size` epochs."""
    _kind = "StepLR"

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self._args = dict(step_size=step_size, gamma=gamma)
        super().__init__(optimizer, last_epoch)


class MultiStepLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` at every milestone epoch."""
    _kind = "MultiStepLR"

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self._args = dict(milestones=list(milestones), gamma=gamma)
        super().__init__(optimizer, last_epoch)

    @property
    def milestones(self):
        """PyTorch's Counter of milestone epochs."""
        return Counter(json.loads(_C.scheduler_get_option(self._h, "milestones")))


class ExponentialLR(LRScheduler):
    """Multiplies each group's learning rate by `gamma` every epoch."""
    _kind = "ExponentialLR"

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self._args = dict(gamma=gamma)
        super().__init__(optimizer, last_epoch)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr − eta_min)·(1 + cos(π·epoch/T_max))/2, by PyTorch's recursive form."""
    _kind = "CosineAnnealingLR"

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        self._args = dict(T_max=T_max, eta_min=eta_min)
        super().__init__(optimizer, last_epoch)


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
    _kind = "OneCycleLR"

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
            for value, name in ((epochs, "epochs"), (steps_per_epoch, "steps_per_epoch")):
                if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
                    raise ValueError(f"Expected positive integer {name}, but got {value}")
            total_steps = int(epochs) * int(steps_per_epoch)
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        max_momentums = _format_param("max_momentum", optimizer, max_momentum)
        base_momentums = _format_param("base_momentum", optimizer, base_momentum)
        if cycle_momentum and "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
        if last_epoch == -1:  # PyTorch's group keys (the engine keeps its own copies of the levels)
            for group, lr, top, bottom in zip(optimizer.param_groups, max_lrs, max_momentums, base_momentums):
                group.update(initial_lr=lr / div_factor, max_lr=lr, min_lr=lr / div_factor / final_div_factor)
                if cycle_momentum:
                    group.update(max_momentum=top, base_momentum=bottom)
        self._args = dict(max_lr=max_lrs, total_steps=total_steps, pct_start=pct_start,
                          anneal_strategy=anneal_strategy, cycle_momentum=cycle_momentum,
                          base_momentum=base_momentums, max_momentum=max_momentums, div_factor=div_factor,
                          final_div_factor=final_div_factor, three_phase=three_phase)
        super().__init__(optimizer, last_epoch)
