"""Elementwise arithmetic, comparisons and bitwise ops with PyTorch's type promotion.

`Comparisons` (== != < <= > >=, eq/ne/lt/le/gt/ge, logical and closeness tests)
is shared by float32 and integer tensors: comparisons never take part in
autograd, so they run in NumPy and give bool tensors. `IntegerArithmetic` gives
integer and bool tensors + - * / // % ** @ & | ^ ~ << >>: an op whose result type
is float32 (an int64 tensor plus a float32 tensor or a Python float, or true
division) runs in the engine on float32 copies, so the float side keeps its
autograd; an integral result is computed in NumPy in the promoted type
(wrapping on overflow, as PyTorch does)."""
import builtins

import numpy as np

from . import _ops_generated, dtypes

__all__ = ["Comparisons", "IntegerArithmetic", "as_operand_array"]


def _integer_module():
    from . import integer_tensor
    return integer_tensor


def _is_tensor_like(value):
    return hasattr(value, "dtype") and hasattr(value, "shape")


def as_operand_array(value, dt):
    """`value` (tensor, array, number) as a NumPy array of dtype `dt`; ints wrap like a C cast."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"unsupported operand of type {type(value).__name__}")
    return array.astype(dt.dtype, copy=False)


def _operands(a, b):
    """(dtype, array a, array b) in the promoted type, or NotImplemented for foreign operands."""
    if b is None or isinstance(b, (str, bytes)):
        return NotImplemented
    if not _is_tensor_like(b) and not np.isscalar(b) and not isinstance(b, (list, tuple)):
        return NotImplemented
    if isinstance(b, (list, tuple)):
        b = np.asarray(b)
    try:
        dt = dtypes.result_type(a, b)
        return dt, as_operand_array(a, dt), as_operand_array(b, dt)
    except TypeError:
        return NotImplemented


def _compare(a, b, fn):
    found = _operands(a, b)
    if found is NotImplemented:
        return NotImplemented
    _, x, y = found
    return _integer_module().from_numpy_array(np.asarray(fn(x, y)))


class Comparisons:
    """Elementwise comparisons and logical tests; every result is a bool tensor."""

    __slots__ = ()

    def eq(self, other):
        return _compare(self, other, np.equal)

    def ne(self, other):
        return _compare(self, other, np.not_equal)

    def lt(self, other):
        return _compare(self, other, np.less)

    def le(self, other):
        return _compare(self, other, np.less_equal)

    def gt(self, other):
        return _compare(self, other, np.greater)

    def ge(self, other):
        return _compare(self, other, np.greater_equal)

    __eq__, __ne__, __lt__, __le__, __gt__, __ge__ = eq, ne, lt, le, gt, ge
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    __hash__ = object.__hash__  # tensors hash by identity, as PyTorch's (dict keys, sets)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _integer_module().from_numpy_array(np.isclose(np.asarray(self), np.asarray(other), rtol, atol, equal_nan))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return builtins.bool(np.allclose(np.asarray(self), np.asarray(other), rtol, atol, equal_nan))

    def equal(self, other):
        """True when both have the same shape and elements (torch.equal)."""
        other = np.asarray(other)
        mine = np.asarray(self)
        return mine.shape == other.shape and builtins.bool(np.array_equal(mine, other))

    def logical_not(self):
        return _integer_module().from_numpy_array(np.logical_not(np.asarray(self)))

    def logical_and(self, other):
        return _integer_module().from_numpy_array(np.logical_and(np.asarray(self), np.asarray(other)))

    def logical_or(self, other):
        return _integer_module().from_numpy_array(np.logical_or(np.asarray(self), np.asarray(other)))

    def logical_xor(self, other):
        return _integer_module().from_numpy_array(np.logical_xor(np.asarray(self), np.asarray(other)))

    def any(self, dim=None, keepdim=False):
        return _integer_module().from_numpy_array(np.any(np.asarray(self), axis=dim, keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        return _integer_module().from_numpy_array(np.all(np.asarray(self), axis=dim, keepdims=keepdim))

    def nonzero(self, *, as_tuple=False):
        """Indices of the non-zero elements: an int64 [n, ndim] tensor, or one index tensor per dim."""
        array = np.asarray(self)
        wrap = _integer_module().from_numpy_array
        if as_tuple:
            return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(array)))
        return wrap(np.argwhere(array).astype(np.int64))

    def count_nonzero(self, dim=None):
        return _integer_module().from_numpy_array(np.asarray(np.count_nonzero(np.asarray(self), axis=dim), np.int64))


def _float_op(name, a, b):
    """The engine op `name` on float32 copies of integer operands (the other side keeps autograd)."""
    return getattr(_ops_generated, name)(_float(a), _float(b))


def _float(value):
    return value.float() if _is_tensor_like(value) and not dtypes.as_dtype(value.dtype).is_floating_point else value


def _arith(a, b, name, fn, reflected=False):
    """a (op) b for an integer tensor `a`; `reflected` means the expression was b (op) a."""
    found = _operands(a, b)
    if found is NotImplemented:
        return NotImplemented
    dt, x, y = found
    if reflected:
        x, y = y, x
    if dt.is_floating_point and hasattr(_ops_generated, name):
        return _float_op(name, *((b, a) if reflected else (a, b)))
    if dt is dtypes.bool and name == "sub":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return _integer_module().from_numpy_array(np.asarray(fn(x, y)).astype(dt.dtype, copy=False))


def _checked_division(fn):
    """Integer division by zero raises (PyTorch's ZeroDivisionError); floats give inf/nan. Float
    results of // and % are computed here too: the engine has no such op (their gradient is 0)."""
    def divide(x, y):
        if x.dtype.kind != "f" and np.any(y == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return fn(x, y)
    return divide


def _power(x, y):
    if y.dtype.kind in "iu" and np.any(y < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return np.power(x, y)


def _bitwise(a, b, fn, name, reflected=False):
    found = _operands(a, b)
    if found is NotImplemented:
        return NotImplemented
    dt, x, y = found
    if dt.is_floating_point:
        raise TypeError(f"{name} is only supported for integer and bool tensors, got {dt}")
    if reflected:
        x, y = y, x
    return _integer_module().from_numpy_array(np.asarray(fn(x, y)).astype(dt.dtype, copy=False))


def _binary_pair(name, fn):
    def forward(self, other):
        return _arith(self, other, name, fn)

    def reflected(self, other):
        return _arith(self, other, name, fn, reflected=True)
    return forward, reflected


def _bitwise_pair(name, fn):
    def forward(self, other):
        return _bitwise(self, other, fn, name)

    def reflected(self, other):
        return _bitwise(self, other, fn, name, reflected=True)
    return forward, reflected


class IntegerArithmetic:
    """Operators of integer and bool tensors (see the module docstring)."""

    __slots__ = ()

    add, __radd__ = _binary_pair("add", np.add)
    sub, __rsub__ = _binary_pair("sub", np.subtract)
    mul, __rmul__ = _binary_pair("mul", np.multiply)
    pow, __rpow__ = _binary_pair("pow", _power)
    floor_divide, __rfloordiv__ = _binary_pair("floor_divide", _checked_division(np.floor_divide))
    remainder, __rmod__ = _binary_pair("remainder", _checked_division(np.remainder))
    matmul, __rmatmul__ = _binary_pair("matmul", np.matmul)
    __add__, __sub__, __mul__, __pow__, __floordiv__, __mod__, __matmul__ = (
        add, sub, mul, pow, floor_divide, remainder, matmul)
    bitwise_and, __rand__ = _bitwise_pair("bitwise_and", np.bitwise_and)
    bitwise_or, __ror__ = _bitwise_pair("bitwise_or", np.bitwise_or)
    bitwise_xor, __rxor__ = _bitwise_pair("bitwise_xor", np.bitwise_xor)
    bitwise_left_shift, __rlshift__ = _bitwise_pair("bitwise_left_shift", np.left_shift)
    bitwise_right_shift, __rrshift__ = _bitwise_pair("bitwise_right_shift", np.right_shift)
    __and__, __or__, __xor__, __lshift__, __rshift__ = (
        bitwise_and, bitwise_or, bitwise_xor, bitwise_left_shift, bitwise_right_shift)

    def div(self, other, *, rounding_mode=None):
        """True division gives float32 (as PyTorch's); rounding_mode 'floor' or 'trunc' keeps integers."""
        if rounding_mode is None:
            found = _operands(self, other)
            if found is NotImplemented:
                return NotImplemented
            return _float_op("div", self, other)
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            return _arith(self, other, "trunc_divide", _checked_division(
                lambda x, y: np.trunc(np.true_divide(x, y)) if x.dtype.kind == "f" else
                np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))))
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")

    __truediv__ = true_divide = div

    def __rtruediv__(self, other):
        found = _operands(self, other)
        return found if found is NotImplemented else _float_op("div", other, self)

    def __invert__(self):
        return self.bitwise_not()

    def bitwise_not(self):
        if self.dtype.is_floating_point:
            raise TypeError("bitwise_not is only supported for integer and bool tensors")
        return _integer_module().from_numpy_array(np.invert(self.numpy()))

    def neg(self):
        if self.dtype is dtypes.bool:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return _integer_module().from_numpy_array(np.negative(self.numpy()))

    __neg__ = negative = neg

    def __pos__(self):
        return self

    def abs(self):
        return self if self.dtype is dtypes.bool else _integer_module().from_numpy_array(np.abs(self.numpy()))

    __abs__ = absolute = abs

