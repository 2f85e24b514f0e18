"""Convolution and pooling layers (torch.nn.Conv2d, MaxPool2d, AvgPool2d,
AdaptiveAvgPool2d, AdaptiveMaxPool2d), each an engine module."""
from .layers import _EngineModule, _layer, _ResettableParameters


class Conv2d(_ResettableParameters, _EngineModule):
    """2-D convolution: weight [out_channels, in_channels/groups, kH, kW], bias [out_channels],
    initialised as PyTorch's (kaiming-uniform a=√5, bias uniform ±1/√fan_in)."""
    _optional_parameters = ("bias",)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(_layer("Conv2d", in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
                                stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias,
                                padding_mode=padding_mode))


class MaxPool2d(_EngineModule):
    return_indices = False

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        if return_indices:
            raise NotImplementedError("MaxPool2d(return_indices=True): use F.max_pool2d(..., return_indices=True)")
        super().__init__(_layer("MaxPool2d", kernel_size=kernel_size, stride=stride, padding=padding,
                                dilation=dilation, ceil_mode=ceil_mode))


class AvgPool2d(_EngineModule):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(_layer("AvgPool2d", kernel_size=kernel_size, stride=stride, padding=padding,
                                ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                                divisor_override=divisor_override))


class AdaptiveAvgPool2d(_EngineModule):
    def __init__(self, output_size):
        super().__init__(_layer("AdaptiveAvgPool2d", output_size=output_size))


class AdaptiveMaxPool2d(_EngineModule):
    return_indices = False

    def __init__(self, output_size, return_indices=False):
        if return_indices:
            raise NotImplementedError("AdaptiveMaxPool2d(return_indices=True) is not supported yet")
        super().__init__(_layer("AdaptiveMaxPool2d", output_size=output_size))
