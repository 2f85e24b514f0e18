"""`Optimizer`: parameter groups over engine optimizers (one per group).

Each group's `lr` is pushed to the engine before every `step()`, so code that
edits `param_groups[i]['lr']` (schedulers) takes effect. The other
hyperparameters are fixed when the group is added.
"""
from .. import _C
from ..grad_mode import enable_grad
from ..tensor import Tensor


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        self.param_groups = []
        self._engines = []
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
        for group, engine in zip(self.param_groups, self._engines):
            _C.optimizer_set_lr(engine, group["lr"])
            _C.optimizer_step(engine)
        return loss

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)
