"""var and std with PyTorch's argument forms. Each is both `swiftnn.<name>(x, ...)`
and the method `x.<name>(...)` (tensor.py binds them); the engine computes var and std
(`_C.var`, `_C.std` from the op table)."""
import numbers

from . import _C
from .tensor import Tensor, _as_tensor


def _correction(name, dim, unbiased, correction):
    """(dim, correction) from torch.var's three forms: (dim, unbiased, keepdim), (dim, *,
    correction, keepdim) and (unbiased) given positionally."""
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{name}(): got unbiased twice (positionally as a bool and by keyword)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): give either unbiased or correction, not both")
    if correction is None:
        return dim, 0.0 if unbiased is False else 1.0
    if isinstance(correction, bool) or not isinstance(correction, numbers.Real):
        raise TypeError(f"{name}(): correction must be a number, got {type(correction).__name__}")
    return dim, float(correction)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dim (an int, a tuple, or None for every dimension): the mean squared deviation
    with n - correction in the denominator; correction=1 (unbiased=True, the default) is Bessel's."""
    dim, correction = _correction("var", dim, unbiased, correction)
    return Tensor._wrap(_C.var(_as_tensor(input)._h, dim, correction, keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation over dim: the square root of var with the same arguments."""
    dim, correction = _correction("std", dim, unbiased, correction)
    return Tensor._wrap(_C.std(_as_tensor(input)._h, dim, correction, keepdim))

