"""Tensor element types (`swiftnn.int64`, `swiftnn.bool`, ...) and PyTorch's type promotion.

float32 is the engine's compute type and the only one that can require grad.
Integer and boolean tensors (labels, indices, masks, uint8 images) are held by
NumPy arrays (see `integer_tensor.py`). `result_type` follows PyTorch's rules
(the "Type Promotion" section of its tensor attributes documentation):
categories bool < integral < floating; among operands of one category the
wider type wins; a zero-dim tensor or a Python number only decides the type
when it is of a higher category than the dimensioned tensors, and a Python
float then means the default dtype, float32."""
import builtins
import numbers

import numpy as np

__all__ = ["dtype", "float32", "float", "int64", "long", "int32", "int", "int16", "short", "int8", "uint8", "bool",
           "promote_types", "result_type", "can_cast", "get_default_dtype"]

_BOOL, _INTEGRAL, _FLOATING = 0, 1, 2


class dtype:
    """An element type, printed as `swiftnn.int64`; compares equal to itself and to
    the NumPy type it stands for (`swiftnn.int64 == np.int64`)."""

    __slots__ = ("_name", "_numpy")

    def __init__(self, name, numpy_type):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_numpy", np.dtype(numpy_type))

    def __setattr__(self, name, value):
        raise AttributeError("swiftnn.dtype objects are immutable")

    @property
    def dtype(self):
        """The NumPy dtype (so `np.dtype(swiftnn.int64)` and `array.astype(swiftnn.uint8)` work)."""
        return self._numpy

    @property
    def is_floating_point(self):
        return self._numpy.kind == "f"

    @property
    def is_signed(self):
        return self._numpy.kind in "if"

    @property
    def itemsize(self):
        return self._numpy.itemsize

    def __repr__(self):
        return f"swiftnn.{self._name}"

    __str__ = __repr__

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self is other
        try:
            return self._numpy == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self._numpy)

    def __reduce__(self):
        return self._name  # pickled as the module attribute of that name


float32 = float = dtype("float32", np.float32)  # noqa: A001 (PyTorch's names)
int64 = long = dtype("int64", np.int64)
int32 = int = dtype("int32", np.int32)  # noqa: A001
int16 = short = dtype("int16", np.int16)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)  # noqa: A001

_BY_NUMPY = {d._numpy: d for d in (float32, int64, int32, int16, int8, uint8, bool)}


def get_default_dtype():
    return float32


def as_dtype(value):
    """A swiftnn dtype from a dtype, a NumPy type or a name: TypeError for what is no dtype,
    ValueError for dtypes swiftnn does not hold (float64, complex, ...)."""
    if isinstance(value, dtype):
        return value
    try:
        numpy_type = np.dtype(value)
    except TypeError:
        raise TypeError(f"{value!r} is not a dtype") from None
    found = _BY_NUMPY.get(numpy_type)
    if found is None:
        raise ValueError(f"swiftnn has no {numpy_type} tensors (float32 computes; int64, int32, int16, int8, uint8 "
                        "and bool hold labels, indices and masks)")
    return found


def of_array(array):
    """The dtype PyTorch gives `torch.from_numpy(array)`, except that every float type
    becomes float32 (the engine's only float type) and unsigned types wider than 8
    bits become int64. Other kinds (complex, object, strings) raise TypeError."""
    kind = array.dtype.kind
    if kind == "f":
        return float32
    if kind == "b":
        return bool
    if kind in "iu":
        return _BY_NUMPY.get(array.dtype.newbyteorder("="), int64)
    raise TypeError(f"can't convert np.ndarray of type {array.dtype}. The only supported types are: "
                    "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")


def _category(dt):
    return _FLOATING if dt.is_floating_point else _BOOL if dt is bool else _INTEGRAL


def promote_types(type1, type2):
    """The smallest dtype of the higher category that holds both (torch.promote_types)."""
    a, b = as_dtype(type1), as_dtype(type2)
    if a.is_floating_point or b.is_floating_point:
        return float32
    return _BY_NUMPY[np.promote_types(a._numpy, b._numpy)]  # NumPy's integer lattice is PyTorch's


def _scalar_dtype(value):
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool
    if isinstance(value, (numbers.Integral, np.integer)):
        return int64
    if isinstance(value, (numbers.Real, np.floating)):
        return float32
    raise TypeError(f"unsupported operand of type {type(value).__name__}")


def _operand(value):
    """(tier, dtype): tier 0 dimensioned tensor, 1 zero-dim tensor, 2 Python number."""
    found = getattr(value, "dtype", None)
    if found is not None and hasattr(value, "shape") and not isinstance(value, np.generic):
        dt = as_dtype(found) if not isinstance(value, np.ndarray) else of_array(value)
        return (0 if len(value.shape) else 1), dt
    return 2, _scalar_dtype(value)


def _combine(higher, lower):
    """PyTorch's combine_categories: the lower tier counts only from a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype of an arithmetic op on these tensors, arrays and Python numbers (torch.result_type)."""
    tiers = [None, None, None]
    for value in operands:
        tier, dt = _operand(value)
        tiers[tier] = dt if tiers[tier] is None else promote_types(tiers[tier], dt)
    return _combine(tiers[0], _combine(tiers[1], tiers[2]))


def can_cast(from_, to):
    """False only when the cast would lower the category (torch.can_cast)."""
    return _category(as_dtype(from_)) <= _category(as_dtype(to))
