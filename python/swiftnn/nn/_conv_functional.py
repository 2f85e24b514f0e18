"""Functional convolution and pooling (re-exported by nn.functional)."""
import numpy as np

from .. import _C
from ..tensor import Tensor, _as_tensor
from ._window import _adaptive_size, _conv_padding, _pair, _pool_output_size


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of an [N, C, H, W] (or [C, H, W]) input with weight [O, C/groups, kH, kW]."""
    pad, mode = _conv_padding(padding)
    bias_handle = None if bias is None else _as_tensor(bias)._h
    return Tensor._wrap(_C.conv2d(_as_tensor(input)._h, _as_tensor(weight)._h, bias_handle, _pair(stride, "stride"),
                                  pad, mode, _pair(dilation, "dilation"), groups))


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
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    if divisor_override is not None and divisor_override <= 0:
        raise ValueError("divisor must be not zero" if divisor_override == 0 else
                         f"divisor_override must be positive, got {divisor_override}")
    return Tensor._wrap(_C.avg_pool2d(_as_tensor(input)._h, kernel, stride, _pair(padding, "padding"),
                                      bool(ceil_mode), bool(count_include_pad), divisor_override or 0))


def adaptive_avg_pool2d(input, output_size):
    return Tensor._wrap(_C.adaptive_avg_pool2d(_as_tensor(input)._h, _adaptive_size(output_size)))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if return_indices:
        raise NotImplementedError("adaptive_max_pool2d(return_indices=True) is not supported yet")
    return Tensor._wrap(_C.adaptive_max_pool2d(_as_tensor(input)._h, _adaptive_size(output_size)))
