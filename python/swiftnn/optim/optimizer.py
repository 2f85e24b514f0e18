"""`Optimizer`: parameter groups over engine optimizers (one per group).

Before every `step()` the group values the engine knows by name (`lr`,
`momentum`, `betas`, `weight_decay`, `eps`, `maximize`, ...; see `_engine_keys`)
are pushed to it when they changed, so code that edits `param_groups[i]['lr']`
(schedulers) takes effect. The structural flags (`nesterov`, `amsgrad`,
`centered`) are fixed when the group is added.
"""
import numbers
from collections import defaultdict

from .. import _C
from ..grad_mode import enable_grad
from ..tensor import Tensor, _as_tensor


class Optimizer:
    # Group key -> engine hyperparameter name, or a tuple of names for a tuple value (betas).
    _engine_keys = {"lr": "lr", "maximize": "maximize"}

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.param_groups = []
        self._engines = []
        self._pushed = []  # per group: the values the engine last received
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _make_engine(self, group):
        raise NotImplementedError

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        # Handles compare equal for the same engine tensor, whatever Python object wraps it.
        taken = {p._h for group in self.param_groups for p in group["params"]}
        if any(p._h in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        engine = self._make_engine(group)
        self.param_groups.append(group)
        self._engines.append(engine)
        self._pushed.append({})

    def _sync(self):
        """Pushes changed group hyperparameters to the engines (validated there)."""
        for group, engine, pushed in zip(self.param_groups, self._engines, self._pushed):
            for key, names in self._engine_keys.items():
                value = group.get(key)
                if value is None or (key in pushed and pushed[key] == value):
                    continue
                if isinstance(names, tuple):  # betas
                    values = _pair(value, key)
                    for name, item in zip(names, values):
                        _C.optimizer_set_hyper(engine, name, item)
                    pushed[key] = values
                else:
                    _C.optimizer_set_hyper(engine, names, value)
                    pushed[key] = value

    def _engine_set(self, index, key, value):
        """Records a group value the engine itself has just set (a scheduler step)."""
        self.param_groups[index][key] = value
        self._pushed[index][key] = value

    def zero_grad(self, set_to_none=True):
        if set_to_none:
            for engine in self._engines:
                _C.optimizer_zero_grad(engine)
            return
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is not None:
                    grad.zero_()

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._sync()
        for engine in self._engines:
            _C.optimizer_step(engine)
        return loss

    def _state_entries(self):
        """(group, index in the group, name, live Tensor) for every engine state buffer."""
        for group, engine in zip(self.param_groups, self._engines):
            for index, name, handle in _C.optimizer_state(engine):
                yield group, index, name, Tensor._wrap(handle)

    @property
    def state(self):
        """PyTorch's `optimizer.state`: {parameter: {name: Tensor}} (live buffers, read-only view)."""
        state = defaultdict(dict)
        for group, index, name, tensor in self._state_entries():
            state[group["params"][index]][name] = tensor
        return state

    def state_dict(self):
        """PyTorch's layout: {'state': {index: {name: Tensor}}, 'param_groups': [{..., 'params': [index]}]},
        parameters numbered across the groups in order. The state tensors are the live buffers."""
        offsets, groups, offset = {}, [], 0
        for group in self.param_groups:
            offsets[id(group)] = offset
            count = len(group["params"])
            groups.append(dict({k: v for k, v in group.items() if k != "params"},
                               params=list(range(offset, offset + count))))
            offset += count
        state = {}
        for group, index, name, tensor in self._state_entries():
            state.setdefault(offsets[id(group)] + index, {})[name] = tensor
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Copies the state buffers in and takes the saved group hyperparameters."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("optimizer state_dict must be a dict with 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        saved_state = state_dict["state"]
        for engine in self._engines:
            _C.optimizer_clear_state(engine)
        for i, (group, saved, engine) in enumerate(zip(self.param_groups, saved_groups, self._engines)):
            for local, key in enumerate(saved["params"]):
                for name, value in saved_state.get(key, {}).items():
                    _C.optimizer_load_state(engine, local, name, _as_tensor(value).detach()._h)
            self.param_groups[i] = dict({k: v for k, v in saved.items() if k != "params"}, params=group["params"])
            self._pushed[i] = {}

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)


def _pair(value, key):
    """A 2-tuple of numbers (Adam's betas)."""
    try:
        first, second = value
    except (TypeError, ValueError):
        raise TypeError(f"{key} must be a pair of floats, got {value!r}") from None
    for item in (first, second):
        if not isinstance(item, numbers.Real):
            raise TypeError(f"{key} must be a pair of floats, got {value!r}")
    return float(first), float(second)


def _flags(maximize=False, differentiable=False, **kernel_choices):
    """PyTorch's keyword-only flags as group entries. `maximize` is honoured by the engine;
    `foreach`, `fused` and `capturable` only pick kernels in PyTorch and are just recorded."""
    if differentiable:
        raise ValueError("differentiable=True is not supported: optimizer steps are not recorded by autograd")
    return dict(maximize=maximize, differentiable=False, **kernel_choices)
