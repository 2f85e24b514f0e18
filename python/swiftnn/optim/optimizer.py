"""`Optimizer`: parameter groups over engine optimizers (one per group).

Each group is made by one engine constructor from the optimizer's class name and
the group's hyperparameters. `param_groups[i]` is a mapping whose engine settings
(`lr`, `momentum`, `betas`, `weight_decay`, `eps`, `maximize`, `nesterov`, ...) are
read from and written to the engine: assigning `param_groups[0]['lr']` changes
the next step at once (or raises for a bad value), schedulers' changes are seen
there, and nothing is kept twice. Other keys (`params`, `initial_lr`, `foreach`,
your own) are kept in Python, as PyTorch keeps them.
"""
import json
from collections import defaultdict
from collections.abc import MutableMapping

from .. import _C
from ..grad_mode import enable_grad
from ..nn.layers import _to_json
from ..tensor import Tensor, _as_tensor


def _setting(text):
    """An engine setting as PyTorch holds it: floats, bools, tuples (betas)."""
    value = json.loads(text)
    if isinstance(value, list):
        return tuple(float(v) for v in value)
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _ParamGroup(MutableMapping):
    """One param group: engine settings live in the engine, the other keys here."""

    def __init__(self, engine, local):
        self._engine = engine
        self._settings = tuple(json.loads(_C.optimizer_get_option(engine, None)))
        self._local = local

    def __getitem__(self, key):
        if key in self._settings:
            return _setting(_C.optimizer_get_option(self._engine, key))
        return self._local[key]

    def __setitem__(self, key, value):
        if key in self._settings:
            _C.optimizer_set_option(self._engine, key, _to_json(value))
        else:
            self._local[key] = value

    def __delitem__(self, key):
        if key in self._settings:
            raise KeyError(f"{key!r} is an optimizer setting and cannot be removed")
        del self._local[key]

    def __iter__(self):
        yield from self._local
        yield from self._settings

    def __len__(self):
        return len(self._local) + len(self._settings)

    def __repr__(self):
        return repr(dict(self))


class Optimizer:
    # Constructor flags PyTorch uses only to pick kernels: kept in the groups, not sent to the engine.
    _python_only = ("foreach", "fused", "capturable", "differentiable")

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.param_groups = []
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

    @property
    def _engines(self):
        return [group._engine for group in self.param_groups]

    def add_param_group(self, param_group):
        if not isinstance(param_group, (dict, _ParamGroup)):
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
        values = dict(self.defaults, **{k: v for k, v in param_group.items() if k != "params"})
        config = {k: values.pop(k) for k in self.defaults if k not in self._python_only}
        engine = _C.optimizer_new(type(self)._kind, [p._h for p in params], _to_json(config))
        self.param_groups.append(_ParamGroup(engine, dict(values, params=params)))

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
        for engine in self._engines:
            _C.optimizer_step(engine)
        return loss

    def _state_entries(self):
        """(group, index in the group, name, live Tensor) for every engine state buffer."""
        for group in self.param_groups:
            for index, name, handle in _C.optimizer_state(group._engine):
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
        for group, saved in zip(self.param_groups, saved_groups):
            for local, key in enumerate(saved["params"]):
                for name, value in saved_state.get(key, {}).items():
                    _C.optimizer_load_state(group._engine, local, name, _as_tensor(value).detach()._h)
            for key, value in saved.items():
                if key != "params":
                    group[key] = value

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)


def _flags(maximize=False, differentiable=False, **kernel_choices):
    """PyTorch's keyword-only flags as group entries. `maximize` is honoured by the engine;
    `foreach`, `fused` and `capturable` only pick kernels in PyTorch and are just recorded."""
    if differentiable:
        raise ValueError("differentiable=True is not supported: optimizer steps are not recorded by autograd")
    return dict(maximize=maximize, differentiable=False, **kernel_choices)
