"""LeakyReLU, GELU, SiLU and Dropout2d (engine modules). `inplace=True` is accepted
for PyTorch compatibility; results are computed out of place."""
from .. import _C
from .layers import _EngineModule

_GELU_FORMS = ("none", "tanh")


def _gelu_tanh_flag(approximate):
    if approximate not in _GELU_FORMS:
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return approximate == "tanh"


def _inplace_suffix(inplace):
    return ", inplace=True" if inplace else ""


class LeakyReLU(_EngineModule):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(_C.leaky_relu_new(negative_slope))
        self.negative_slope = negative_slope
        self.inplace = inplace

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_suffix(self.inplace)}"


class GELU(_EngineModule):
    """x·Φ(x), exact (approximate='none') or with the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__(_C.gelu_new(_gelu_tanh_flag(approximate)))
        self.approximate = approximate

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(_EngineModule):
    """x·sigmoid(x)."""

    def __init__(self, inplace=False):
        super().__init__(_C.silu_new())
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Dropout2d(_EngineModule):
    """Zeroes whole channels ([N, C, H, W] or [N, C, L] inputs) with probability p while
    training and scales the kept ones by 1/(1-p); the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__(_C.dropout2d_new(p))
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
