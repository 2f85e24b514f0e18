"""Convolution and pooling layers (torch.nn.Conv2d, MaxPool2d, AvgPool2d,
AdaptiveAvgPool2d, AdaptiveMaxPool2d), each an engine module."""
from .. import _C
from ._window import _adaptive_size, _conv_padding, _pair
from .layers import _EngineModule


class Conv2d(_EngineModule):
    """2-D convolution: weight [out_channels, in_channels/groups, kH, kW], bias [out_channels],
    initialised as PyTorch's (kaiming-uniform a=√5, bias uniform ±1/√fan_in)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros"):
        if padding_mode != "zeros":
            raise ValueError(f"padding_mode {padding_mode!r} is not supported (only 'zeros')")
        pad, mode = _conv_padding(padding)
        kernel, strides, dilations = _pair(kernel_size, "kernel_size"), _pair(stride, "stride"), _pair(dilation, "dilation")
        super().__init__(_C.conv2d_new(in_channels, out_channels, kernel, strides, pad, mode, dilations, groups, bias))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = kernel, strides, dilations
        self.padding = padding if isinstance(padding, str) else pad
        self.padding_mode = padding_mode
        if not bias:
            self.register_parameter("bias", None)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool2d(_EngineModule):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        if return_indices:
            raise NotImplementedError("MaxPool2d(return_indices=True): use F.max_pool2d(..., return_indices=True)")
        kernel = _pair(kernel_size, "kernel_size")
        strides = kernel if stride is None else _pair(stride, "stride")
        super().__init__(_C.max_pool2d_new(kernel, strides, _pair(padding, "padding"), _pair(dilation, "dilation"),
                                           bool(ceil_mode)))
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode
        self.return_indices = return_indices

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(_EngineModule):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        kernel = _pair(kernel_size, "kernel_size")
        strides = kernel if stride is None else _pair(stride, "stride")
        if divisor_override is not None and divisor_override <= 0:
            raise ValueError(f"divisor_override must be positive, got {divisor_override}")
        super().__init__(_C.avg_pool2d_new(kernel, strides, _pair(padding, "padding"), bool(ceil_mode),
                                           bool(count_include_pad), divisor_override or 0))
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(_EngineModule):
    def __init__(self, output_size):
        super().__init__(_C.adaptive_avg_pool2d_new(_adaptive_size(output_size)))
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(_EngineModule):
    def __init__(self, output_size, return_indices=False):
        if return_indices:
            raise NotImplementedError("AdaptiveMaxPool2d(return_indices=True) is not supported yet")
        super().__init__(_C.adaptive_max_pool2d_new(_adaptive_size(output_size)))
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"
