"""Type promotion, written from PyTorch's documentation ("Type Promotion" in its
tensor attributes page, torch.result_type / torch.promote_types examples):
categories bool < integral < floating; a zero-dim tensor or a Python number only
decides when it is of a higher category than the dimensioned operands; a Python
float then means the default dtype float32. Checked on result_type and on the
dtypes the operators really produce."""
import numpy as np
import pytest

import swiftnn as torch

I64, I32, U8, I8, I16, B, F = (torch.int64, torch.int32, torch.uint8, torch.int8, torch.int16, torch.bool,
                               torch.float32)


def t(dtype, zero_dim=False):
    return torch.ones((), dtype=dtype) if zero_dim else torch.ones(2, dtype=dtype)


# (operand a, operand b, result dtype)
TABLE = [
    # Same category: the wider type.
    (t(I64), t(I32), I64), (t(I32), t(I64), I64), (t(U8), t(I64), I64), (t(U8), t(I8), I16),
    (t(I8), t(I16), I16), (t(B), t(B), B),
    # Across categories: the higher category.
    (t(B), t(I64), I64), (t(B), t(U8), U8), (t(B), t(I32), I32), (t(I64), t(F), F), (t(U8), t(F), F),
    (t(B), t(F), F),
    # Python numbers count only from a higher category.
    (t(I32), 5, I32), (t(U8), 5, U8), (t(U8), 300, U8), (t(B), 5, I64), (t(B), True, B),
    (t(I32), 1.0, F), (t(I64), 2.5, F), (t(F), 5, F), (t(U8), True, U8),
    # Zero-dim tensors likewise, but with their own type.
    (t(I32), t(I64, True), I32), (t(U8), t(I64, True), U8), (t(B), t(I32, True), I32),
    (t(I64), t(F, True), F), (t(I64, True), t(I32, True), I64), (t(U8, True), 5, U8),
    (t(B, True), 2.0, F),
    # NumPy arrays are dimensioned operands of their own type.
    (t(I32), np.ones(2, np.int64), I64), (t(U8), np.ones(2, np.float64), F),
]


@pytest.mark.parametrize("a, b, expected", TABLE)
def test_result_type_table(a, b, expected):
    assert torch.result_type(a, b) == expected
    assert torch.result_type(b, a) == expected


def test_documented_examples():
    assert torch.result_type(torch.tensor([1, 2], dtype=torch.int), 1.0) == torch.float32
    assert torch.result_type(torch.tensor([1, 2], dtype=torch.uint8), torch.tensor(1)) == torch.uint8
    assert torch.promote_types(torch.int32, torch.float32) == torch.float32
    assert torch.promote_types(torch.uint8, torch.long) == torch.long
    assert torch.can_cast(torch.int64, torch.float32) and not torch.can_cast(torch.float32, torch.int64)
    assert torch.can_cast(torch.bool, torch.uint8) and not torch.can_cast(torch.int32, torch.bool)


@pytest.mark.parametrize("a, b, expected", [row for row in TABLE if not isinstance(row[1], np.ndarray)])
def test_operators_produce_the_promoted_dtype(a, b, expected):
    for op in ("__add__", "__mul__", "__radd__"):
        out = getattr(a, op)(b)
        assert out.dtype == expected, (op, a.dtype, b)
    if not (expected == B):
        assert (a - b).dtype == expected


def test_true_division_gives_float32_and_floor_division_keeps_integers():
    a, b = torch.tensor([7, -7]), torch.tensor([2, 2])
    assert (a / b).dtype == torch.float32 and (a / b).tolist() == [3.5, -3.5]
    assert (a // b).dtype == torch.int64 and (a // b).tolist() == [3, -4]  # floor, as torch.floor_divide
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3]
    assert (a % b).tolist() == [1, 1]
    assert (torch.tensor([1, 2]) / 2).tolist() == [0.5, 1.0]
    assert (6 / torch.tensor([4, 3])).tolist() == [1.5, 2.0]


def test_float_side_keeps_autograd_through_promotion():
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    labels = torch.tensor([2, 0, 1])
    loss = (w * labels + labels - w / (labels + 1)).sum()
    assert loss.dtype == torch.float32
    loss.backward()
    np.testing.assert_allclose(w.grad.numpy(), [2 - 1 / 3, 0 - 1, 1 - 1 / 2], rtol=1e-6)
    mask = torch.tensor([True, False, True])
    (w * mask).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2 - 1 / 3 + 1, -1, 1 - 1 / 2 + 1], rtol=1e-6)


def test_integer_arithmetic_wraps_like_pytorch():
    x = torch.tensor([250], dtype=torch.uint8)
    assert (x + 10).dtype == torch.uint8 and (x + 10).tolist() == [4]
    assert (x + 300).tolist() == [38]
    big = torch.tensor([2**62]) * 4
    assert big.dtype == torch.int64 and big.tolist() == [0]


def test_bool_rules():
    a, b = torch.tensor([True, False]), torch.tensor([True, True])
    assert (a + b).tolist() == [True, True] and (a * b).tolist() == [True, False]
    assert (a & b).tolist() == [True, False] and (a | b).tolist() == [True, True] and (a ^ b).tolist() == [False, True]
    assert (~a).tolist() == [False, True]
    with pytest.raises(RuntimeError, match="Subtraction"):
        a - b
    with pytest.raises(RuntimeError, match="Negation"):
        -a
    assert (a + 1).dtype == torch.int64


def test_floor_and_trunc_division_with_floats():
    a = torch.tensor([7, -7])
    assert (a // 2.0).dtype == torch.float32 and (a // 2.0).tolist() == [3.0, -4.0]
    assert (a % 2.5).tolist() == [2.0, 0.5]
    assert a.div(2.0, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert a.div(2, rounding_mode="floor").tolist() == [3, -4]
    assert (a // 0.0).tolist()[0] == float("inf")
