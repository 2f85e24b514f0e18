"""Argument normalisation shared by the convolution and pooling layers and
their functional forms: PyTorch accepts an int or a pair for every size."""
import numbers

# Padding modes of the C ABI (include/swiftnn.h).
_EXPLICIT, _VALID, _SAME = 0, 1, 2


def _pair(value, name):
    """An int or a 2-sequence of ints -> (h, w), as torch.nn.modules.utils._pair."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value), int(value))
    try:
        h, w = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}") from None
    for v in (h, w):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return (int(h), int(w))


def _conv_padding(padding):
    """-> (pair, mode) for an int, a pair, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), _VALID
        if padding == "same":
            return (0, 0), _SAME
        raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    return _pair(padding, "padding"), _EXPLICIT


def _adaptive_size(output_size):
    """An int, or a pair whose entries may be None (keep that input dimension); None -> -1 for the engine."""
    if isinstance(output_size, numbers.Integral) and not isinstance(output_size, bool):
        return (int(output_size), int(output_size))
    try:
        h, w = output_size
    except (TypeError, ValueError):
        raise TypeError(f"output_size must be an int or a pair, got {output_size!r}") from None
    return tuple(-1 if v is None else int(v) for v in (h, w))


def _pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling output length for one axis (the engine validates the arguments)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    if span < 0 or stride <= 0:
        return 0
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out
