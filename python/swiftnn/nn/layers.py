"""Built-in layers. Each wraps an engine module: its parameters are the engine's
own tensors (so optimizers and state dicts see one copy) and `forward` runs in
the engine."""
from .. import _C
from ..tensor import Tensor, _as_tensor
from .module import Module
from .parameter import Parameter


class _EngineModule(Module):
    """A Module whose computation and state live in an engine module handle."""

    def __init__(self, handle):
        super().__init__()
        object.__setattr__(self, "_handle", handle)
        for name, kind, tensor in _C.module_state(handle):
            if kind == 0:
                self._parameters[name] = Parameter._wrap(tensor)
            else:
                self._buffers[name] = Tensor._wrap(tensor)

    def forward(self, input):
        return Tensor._wrap(_C.module_forward(self._handle, _as_tensor(input)._h))

    def train(self, mode=True):
        super().train(mode)
        _C.module_set_training(self._handle, mode)
        return self

    def __setattr__(self, name, value):
        # `layer.weight = Parameter(...)` must reach the engine, which runs forward.
        params = self.__dict__.get("_parameters")
        if params is not None and name in params:
            if not isinstance(value, Parameter):
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' of "
                                f"{self._get_name()} (swiftnn.nn.Parameter expected)")
            _C.module_set_parameter(self._handle, name, value._h)
        super().__setattr__(name, value)


class Linear(_EngineModule):
    """y = x·Wᵀ + b over the last dimension; weight [out_features, in_features],
    initialised as PyTorch's (kaiming-uniform a=√5, bias uniform ±1/√in_features)."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__(_C.linear_new(in_features, out_features, bias))
        self.in_features = in_features
        self.out_features = out_features
        if not bias:
            self.register_parameter("bias", None)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(_EngineModule):
    """`inplace=True` is accepted for PyTorch compatibility; the result is computed
    out of place (same values, the input is left unchanged)."""

    def __init__(self, inplace=False):
        super().__init__(_C.relu_new())
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(_EngineModule):
    def __init__(self):
        super().__init__(_C.sigmoid_new())


class Tanh(_EngineModule):
    def __init__(self):
        super().__init__(_C.tanh_new())


class Softmax(_EngineModule):
    def __init__(self, dim):
        super().__init__(_C.softmax_new(dim))
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(_EngineModule):
    def __init__(self, dim):
        super().__init__(_C.log_softmax_new(dim))
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Identity(_EngineModule):
    """Returns its input; constructor arguments are ignored, as in PyTorch."""

    def __init__(self, *args, **kwargs):
        super().__init__(_C.identity_new())


class Dropout(_EngineModule):
    """Zeroes elements with probability p while training and scales the rest by 1/(1-p);
    the identity in eval mode. `inplace` is accepted as in ReLU."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__(_C.dropout_new(p))
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(_EngineModule):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__(_C.flatten_new(start_dim, end_dim))
        self.start_dim = start_dim
        self.end_dim = end_dim

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
