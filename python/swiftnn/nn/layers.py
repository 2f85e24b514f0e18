"""Built-in layers. Each wraps an engine module made by one constructor from its
PyTorch class name and arguments: its parameters are the engine's own tensors (so
optimizers and state dicts see one copy), `forward` runs in the engine, and its
settings (`eps`, `p`, `stride`, ...) are read from and written to the engine by
name, so nothing is kept twice."""
import json
import math
import numbers

import numpy as np

from .. import _C
from ..tensor import Tensor, _as_tensor
from .module import Module
from .parameter import Parameter


def _plain(value):
    """A setting as JSON-ready Python values: NumPy scalars as Python ones, and NaN or
    infinity as the engine's strings "nan", "inf", "-inf" (JSON has no such numbers)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else ("nan" if value != value else "inf" if value > 0 else "-inf")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"expected a number, string, bool, None or a list of them, got {type(value).__name__}")


def _to_json(value):
    return json.dumps(_plain(value))


def _from_json(text):
    """An engine setting as PyTorch holds it: lists (pairs, shapes) are tuples."""
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def _layer(kind, **config):
    """A new engine module of `kind` (PyTorch's class name) with these constructor arguments."""
    return _C.module_new(kind, _to_json(config))


def fixed_structure_error(module, action):
    """What changing the layer structure of an engine module raises."""
    return RuntimeError(
        f"cannot {action} the engine module {module._get_name()}: its forward runs in the engine, which "
        "would keep the old structure. Re-initialise weights in place (nn.init, .data), or build the "
        "model as a Python nn.Module to change its layers.")


class _EngineModule(Module):
    """A Module whose computation, state and settings live in an engine module handle.
    Its engine children (a zoo model's layers) are Python modules too (engine_tree.py)."""

    # State PyTorch registers as None when the layer is built without it (bias=False, affine=False).
    _optional_parameters = ()
    _optional_buffers = ()

    def __init__(self, handle):
        from .engine_tree import engine_children
        super().__init__()
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_options", frozenset(json.loads(_C.module_get_option(handle, None))))
        for name, kind, tensor in _C.module_state(handle):
            if "." in name:
                continue  # a child's: that child holds it
            if kind == 0:
                self._parameters[name] = Parameter._wrap(tensor)
            else:
                self._buffers[name] = Tensor._wrap(tensor)
        for name in self._optional_parameters:
            self._parameters.setdefault(name, None)
        for name in self._optional_buffers:
            self._buffers.setdefault(name, None)
        children = engine_children(handle)
        self._modules.update(children)
        object.__setattr__(self, "_engine_children", frozenset(name for name, _ in children))

    def forward(self, input):
        return Tensor._wrap(_C.module_forward(self._handle, _as_tensor(input)._h))

    def train(self, mode=True):
        super().train(mode)
        _C.module_set_training(self._handle, mode)
        return self

    def extra_repr(self):
        text = _C.module_repr(self._handle)
        return text[text.index("(") + 1:-1] if self._options else ""

    def __getattr__(self, name):
        if name in self.__dict__.get("_options", ()):
            return _from_json(_C.module_get_option(self._handle, name))
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name in self.__dict__.get("_options", ()):
            _C.module_set_option(self._handle, name, _to_json(value))
            return
        self._check_replaceable(name)
        # `layer.weight = Parameter(...)` must reach the engine, which runs forward.
        params = self.__dict__.get("_parameters")
        if params is not None and name in params:
            if not isinstance(value, Parameter):
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' of "
                                f"{self._get_name()} (swiftnn.nn.Parameter expected)")
            _C.module_set_parameter(self._handle, name, value._h)
        super().__setattr__(name, value)

    def __delattr__(self, name):
        self._check_replaceable(name)
        super().__delattr__(name)

    def add_module(self, name, module):
        self._check_replaceable(name)
        super().add_module(name, module)

    register_module = add_module

    def _check_replaceable(self, name):
        """Raises if `name` is a child the engine's forward runs (replacing it would be ignored)."""
        if name in self.__dict__.get("_engine_children", ()):
            raise fixed_structure_error(self, f"replace or delete '{name}' in")

    def __dir__(self):
        return sorted(set(super().__dir__()) | self._options)


class _ResettableParameters:
    """PyTorch's reset_parameters(), drawn again in the engine."""

    def reset_parameters(self):
        _C.module_reset(self._handle, "parameters")


class Linear(_ResettableParameters, _EngineModule):
    """y = x·Wᵀ + b over the last dimension; weight [out_features, in_features],
    initialised as PyTorch's (kaiming-uniform a=√5, bias uniform ±1/√in_features)."""
    _optional_parameters = ("bias",)

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(_layer("Linear", in_features=in_features, out_features=out_features, bias=bias))


def _rebound(module, input, output):
    """An in-place layer returns its input, which now stands for the result (as PyTorch's)."""
    if module.inplace and isinstance(input, Tensor):
        input._h = output._h
        return input
    return output


class ReLU(_EngineModule):
    """`inplace=True` writes the result into the input (recorded by autograd)."""

    def __init__(self, inplace=False):
        super().__init__(_layer("ReLU", inplace=inplace))

    def forward(self, input):
        return _rebound(self, input, super().forward(input))


class Sigmoid(_EngineModule):
    def __init__(self):
        super().__init__(_layer("Sigmoid"))


class Tanh(_EngineModule):
    def __init__(self):
        super().__init__(_layer("Tanh"))


class Softmax(_EngineModule):
    def __init__(self, dim):
        super().__init__(_layer("Softmax", dim=dim))


class LogSoftmax(_EngineModule):
    def __init__(self, dim):
        super().__init__(_layer("LogSoftmax", dim=dim))


class Identity(_EngineModule):
    """Returns its input; constructor arguments are ignored, as in PyTorch."""

    def __init__(self, *args, **kwargs):
        super().__init__(_layer("Identity"))


class Dropout(_EngineModule):
    """Zeroes elements with probability p while training and scales the rest by 1/(1-p);
    the identity in eval mode. `inplace=True` writes into the input, as in ReLU."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__(_layer("Dropout", p=p, inplace=inplace))

    def forward(self, input):
        return _rebound(self, input, super().forward(input))


class Flatten(_EngineModule):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__(_layer("Flatten", start_dim=start_dim, end_dim=end_dim))
