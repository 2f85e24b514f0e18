"""`swiftnn.device` (PyTorch's `torch.device`) and the CPU-only device rules.

swiftnn computes on the CPU. Code written for a GPU (`.cuda()`, `.to(device)`,
`torch.device('cuda')`) still runs: moving a tensor or module to a CUDA device
leaves it where it is and returns it, and the first such request in a process
warns once that everything stays on the CPU."""
import builtins
import numbers
import warnings

import numpy as np

__all__ = ["device", "request"]

_TYPES = ("cpu", "cuda")
_warned = False


class device:
    """device('cpu' | 'cuda' | 'cuda:0'), device('cuda', 0), device(type='cuda', index=0).

    `.type` is 'cpu' or 'cuda' and `.index` the ordinal or None, as PyTorch's.
    A device compares equal to another with the same type and index, and to the
    string that names it (`t.device == 'cpu'`)."""

    __slots__ = ("_type", "_index")

    def __init__(self, type, index=None):  # noqa: A002 (PyTorch's parameter name)
        if isinstance(type, device):
            if index is not None:
                raise RuntimeError("device(): an index cannot be given with a device object")
            type, index = type.type, type.index
        elif isinstance(type, numbers.Integral) and not isinstance(type, bool):
            type, index = "cuda", type  # PyTorch reads a bare ordinal as a CUDA device
        elif not isinstance(type, str):
            raise TypeError(f"device() expected a string, a device or an int, got {builtins.type(type).__name__}")
        else:
            type, index = _parse(type, index)
        if index is not None:
            if not isinstance(index, numbers.Integral) or isinstance(index, bool) or index < 0:
                raise RuntimeError(f"Device index must not be negative (and must be an int), got {index!r}")
            index = int(index)
        object.__setattr__(self, "_type", type)
        object.__setattr__(self, "_index", index)

    def __setattr__(self, name, value):
        raise AttributeError("swiftnn.device objects are immutable")

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return device, (self._type, self._index)



def _parse(text, index):
    kind, sep, ordinal = text.strip().partition(":")
    if kind not in _TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {text}")
    if sep:
        if index is not None:
            raise RuntimeError(f"device(): type (string) must not include an index because index was passed "
                               f"explicitly: {text}")
        if not ordinal.isdigit():
            raise RuntimeError(f"Invalid device string: '{text}'")
        index = int(ordinal)
    return kind, index


CPU = device("cpu")


def is_device_like(value):
    """True for what `.to()` reads as a device: a device, a device string or a CUDA ordinal."""
    if isinstance(value, device):
        return True
    if isinstance(value, str):
        return value.strip().partition(":")[0] in _TYPES
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def request(target):
    """Resolves a requested device (a device, string or ordinal; None means CUDA as in `.cuda()`)
    and returns it. A CUDA device warns once per process that the data stays on the CPU."""
    global _warned
    target = device("cuda") if target is None else device(target)
    if target.type == "cuda" and not _warned:
        _warned = True
        warnings.warn(f"swiftnn runs on the CPU: {str(target)!r} was requested, so tensors and modules stay on "
                      "the CPU (swiftnn.cuda.is_available() is False). This warning is shown once.",
                      UserWarning, stacklevel=3)
    return target


def _reset_warning():
    """Makes the next CUDA request warn again (for tests)."""
    global _warned
    _warned = False


def to_arguments(args, kwargs, what):
    """(device or None, dtype or None, copy) from the arguments of `Tensor.to` / `Module.to`:
    to(dtype), to(device, dtype=None), to(tensor), each with non_blocking= and copy=."""
    kwargs = dict(kwargs)
    target, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{what}.to() got an unexpected keyword argument {next(iter(kwargs))!r}")
    positional = list(args)
    if len(positional) > 3:
        raise TypeError(f"{what}.to() takes at most 3 positional arguments, got {len(positional)}")
    if positional and hasattr(positional[0], "dtype") and hasattr(positional[0], "device") and \
            not isinstance(positional[0], (str, device, type, np.dtype, np.generic)):
        other = positional.pop(0)  # to(other): its device and dtype
        target, dtype = target or other.device, dtype or other.dtype
    elif positional and (positional[0] is None or is_device_like(positional[0])):
        target = positional.pop(0) if target is None else target
    if positional:
        dtype = positional.pop(0) if dtype is None else dtype
    if positional:  # the third positional argument of to(device, dtype, non_blocking)
        positional.pop(0)
    return (None if target is None else request(target)), dtype, copy


def is_float32(dtype):
    try:
        return np.dtype(dtype) == np.float32
    except TypeError:
        return False
