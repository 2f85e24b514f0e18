"""Pooling with Python-level logic (re-exported by nn.functional): stride None
means the kernel size, and max_pool2d sizes the indices array it returns.
conv2d and adaptive_avg_pool2d come straight from the op table."""
import numpy as np

from .. import _C
from ..tensor import Tensor, _as_tensor
from ._window import _pair, _pool_output_size


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over sliding windows; with return_indices also the flat H*W position of each maximum (int64)."""
    x = _as_tensor(input)
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    padding, dilation = _pair(padding, "padding"), _pair(dilation, "dilation")
    indices = None
    if return_indices:
        shape = tuple(x.shape)
        if len(shape) in (3, 4):
            out_hw = [_pool_output_size(shape[-2 + i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
                      for i in range(2)]
            indices = np.zeros(shape[:-2] + tuple(out_hw), dtype=np.int64)
        else:
            indices = np.zeros(0, dtype=np.int64)  # the engine reports the bad rank
    out = Tensor._wrap(_C.max_pool2d(x._h, kernel, stride, padding, dilation, bool(ceil_mode), indices))
    return (out, indices) if return_indices else out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if stride is None or stride == []:
        stride = kernel_size
    if divisor_override == 0:
        raise ValueError("divisor must be not zero")
    return Tensor._wrap(_C.avg_pool2d(_as_tensor(input)._h, kernel_size, stride, padding, ceil_mode,
                                      count_include_pad, divisor_override))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d(return_indices=True) is not supported yet")
    return Tensor._wrap(_C.adaptive_max_pool2d(_as_tensor(input)._h, output_size))
