"""LeakyReLU, GELU, SiLU and Dropout2d (engine modules). `inplace=True` is accepted
for PyTorch compatibility; results are computed out of place."""
from .layers import _EngineModule, _layer

_GELU_FORMS = ("none", "tanh")


def _gelu_tanh_flag(approximate):
    """F.gelu's argument as the C ABI's flag (the layer passes its string to the engine)."""
    if approximate not in _GELU_FORMS:
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return approximate == "tanh"


class LeakyReLU(_EngineModule):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(_layer("LeakyReLU", negative_slope=negative_slope, inplace=inplace))


class GELU(_EngineModule):
    """x·Φ(x), exact (approximate='none') or with the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__(_layer("GELU", approximate=approximate))


class SiLU(_EngineModule):
    """x·sigmoid(x)."""

    def __init__(self, inplace=False):
        super().__init__(_layer("SiLU", inplace=inplace))


class Dropout2d(_EngineModule):
    """Zeroes whole channels ([N, C, H, W] or [N, C, L] inputs) with probability p while
    training and scales the kept ones by 1/(1-p); the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__(_layer("Dropout2d", p=p, inplace=inplace))
