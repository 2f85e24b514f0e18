"""Normalization layers: BatchNorm1d/2d, LayerNorm, LocalResponseNorm (engine modules)."""
import numbers

import numpy as np

from .. import _C
from .layers import _EngineModule


class _BatchNorm(_EngineModule):
    _dims = None  # 1 or 2, set by the subclasses

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__(_C.batchnorm_new(self._dims, num_features, eps, momentum, affine, track_running_stats))
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if not affine:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if not track_running_stats:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def __setattr__(self, name, value):
        # `bn.momentum = 0.01` (or None) must reach the engine, which updates the running stats.
        if name == "momentum" and "_handle" in self.__dict__:
            _C.batchnorm_set_momentum(self._handle, value)
        super().__setattr__(name, value)

    def reset_running_stats(self):
        if self.track_running_stats:
            _C.copy_from(self.running_mean._h, np.zeros(self.num_features, np.float32))
            _C.copy_from(self.running_var._h, np.ones(self.num_features, np.float32))
            _C.copy_from(self.num_batches_tracked._h, np.zeros((), np.float32))

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """As Module.state_dict, with num_batches_tracked as an int64 array (PyTorch's dtype)."""
        out = super().state_dict(destination=destination, prefix=prefix, keep_vars=keep_vars)
        key = prefix + "num_batches_tracked"
        if not keep_vars and key in out:
            out[key] = np.asarray(out[key]).astype(np.int64)
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization over [N, C] or [N, C, L] inputs (per channel C)."""
    _dims = 1


class BatchNorm2d(_BatchNorm):
    """Batch normalization over [N, C, H, W] inputs (per channel C)."""
    _dims = 2


class LayerNorm(_EngineModule):
    """Normalizes over the trailing `normalized_shape` dimensions; weight ones, bias zeros."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        normalized_shape = tuple(normalized_shape)
        super().__init__(_C.layernorm_new(normalized_shape, eps, elementwise_affine, bias))
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if not elementwise_affine:
            self.register_parameter("weight", None)
        if not (elementwise_affine and bias):
            self.register_parameter("bias", None)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(_EngineModule):
    """PyTorch's local response normalization across channels:
    b_c = x_c / (k + alpha/size * sum of x^2 over the `size` neighbouring channels)^beta."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__(_C.local_response_norm_new(size, alpha, beta, k))
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
