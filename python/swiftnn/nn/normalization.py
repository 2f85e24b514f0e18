"""Normalization layers: BatchNorm1d/2d, LayerNorm, LocalResponseNorm (engine modules)."""
import numpy as np

from .. import _C
from .layers import _EngineModule, _layer, _ResettableParameters


class _BatchNorm(_ResettableParameters, _EngineModule):
    _optional_parameters = ("weight", "bias")
    _optional_buffers = ("running_mean", "running_var", "num_batches_tracked")

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(_layer(type(self)._kind, num_features=num_features, eps=eps, momentum=momentum,
                                affine=affine, track_running_stats=track_running_stats))

    def reset_running_stats(self):
        _C.module_reset(self._handle, "running_stats")

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """As Module.state_dict, with num_batches_tracked as an int64 array (PyTorch's dtype)."""
        out = super().state_dict(destination=destination, prefix=prefix, keep_vars=keep_vars)
        key = prefix + "num_batches_tracked"
        if not keep_vars and key in out:
            out[key] = np.asarray(out[key]).astype(np.int64)
        return out


class BatchNorm1d(_BatchNorm):
    """Batch normalization over [N, C] or [N, C, L] inputs (per channel C)."""
    _kind = "BatchNorm1d"


class BatchNorm2d(_BatchNorm):
    """Batch normalization over [N, C, H, W] inputs (per channel C)."""
    _kind = "BatchNorm2d"


class LayerNorm(_ResettableParameters, _EngineModule):
    """Normalizes over the trailing `normalized_shape` dimensions; weight ones, bias zeros."""
    _optional_parameters = ("weight", "bias")

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__(_layer("LayerNorm", normalized_shape=normalized_shape, eps=eps,
                                elementwise_affine=elementwise_affine, bias=bias))


class LocalResponseNorm(_EngineModule):
    """PyTorch's local response normalization across channels:
    b_c = x_c / (k + alpha/size * sum of x^2 over the `size` neighbouring channels)^beta."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__(_layer("LocalResponseNorm", size=size, alpha=alpha, beta=beta, k=k))
