"""abs, sqrt, clamp and pow (added through the op table) against float64 NumPy
references: forward values and gradients, every Python surface they have."""
import numpy as np
import pytest

import swiftnn
from conftest import assert_close, check_op, f32, randn


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 17), (2, 3, 5)])
def test_abs(rng, shape):
    x = randn(rng, *shape, away_from=0)
    check_op(swiftnn.abs, np.abs, x, rng=rng)
    check_op(lambda t: abs(t), np.abs, x, rng=rng)
    check_op(lambda t: t.abs(), np.abs, x, rng=rng)


def test_abs_gradient_is_zero_at_zero():
    x = swiftnn.tensor([0.0, -2.0, 3.0], requires_grad=True)
    abs(x).sum().backward()
    assert_close(x.grad.numpy(), [0.0, -1.0, 1.0])


@pytest.mark.parametrize("shape", [(1,), (7,), (4, 17)])
def test_sqrt(rng, shape):
    x = f32(rng.uniform(0.2, 4.0, shape))
    check_op(swiftnn.sqrt, np.sqrt, x, rng=rng)
    check_op(lambda t: t.sqrt(), np.sqrt, x, rng=rng)
    with np.errstate(invalid="ignore"):
        assert np.isnan(swiftnn.sqrt(swiftnn.tensor([-1.0])).numpy()[0])


@pytest.mark.parametrize("low, high", [(-0.5, 0.4), (None, 0.3), (-0.2, None), (0.5, -0.5)])
def test_clamp(rng, low, high):
    x = randn(rng, 5, 7)
    for bound in (low, high):
        if bound is not None:
            x[np.abs(x - bound) < 0.05] += 0.1  # keep the finite differences off the kinks
    reference = lambda v: np.minimum(np.maximum(v, -np.inf if low is None else low),  # noqa: E731
                                     np.inf if high is None else high)
    check_op(lambda t: swiftnn.clamp(t, low, high), reference, x, rng=rng)
    check_op(lambda t: t.clamp(min=low, max=high), reference, x, rng=rng)


def test_clamp_needs_a_bound_and_keeps_nan():
    with pytest.raises(RuntimeError, match="at least one"):
        swiftnn.clamp(swiftnn.ones(2))
    assert np.isnan(swiftnn.tensor([np.nan, 2.0]).clamp(0, 1).numpy()[0])
    with pytest.raises(TypeError, match="min"):
        swiftnn.ones(2).clamp(min="low")


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0])
def test_pow_scalar_exponent(rng, exponent):
    x = f32(rng.uniform(0.3, 2.5, (3, 4)))
    check_op(lambda t: t ** exponent, lambda v: np.power(v, exponent), x, rng=rng, rtol=1e-4)
    check_op(lambda t: swiftnn.pow(t, exponent), lambda v: np.power(v, exponent), x, rng=rng, rtol=1e-4)


def test_pow_integer_exponent_of_negative_base(rng):
    x = randn(rng, 6, away_from=0)
    check_op(lambda t: t ** 2, np.square, x, rng=rng)
    check_op(lambda t: t.pow(3), lambda v: v ** 3, x, rng=rng, rtol=1e-4)


@pytest.mark.parametrize("base_shape, exponent_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (2, 4)), ((), (3,))])
def test_pow_tensor_exponent_broadcasts(rng, base_shape, exponent_shape):
    base = f32(rng.uniform(0.5, 2.0, base_shape))
    exponent = f32(rng.uniform(-1.5, 2.5, exponent_shape))
    check_op(lambda a, b: a ** b, np.power, base, exponent, rng=rng, rtol=1e-4, atol=1e-5)
    check_op(swiftnn.pow, np.power, base, exponent, rng=rng, rtol=1e-4, atol=1e-5)


def test_reflected_pow(rng):
    exponent = f32(rng.uniform(-1, 2, (5,)))
    check_op(lambda e: 2.0 ** e, lambda e: np.power(2.0, e), exponent, rng=rng, rtol=1e-4)
