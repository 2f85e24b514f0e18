"""Shared helpers: float32-exact random inputs, float64 NumPy references,
central-difference gradients of those references, and one comparison rule."""
import numpy as np
import pytest

import swiftnn

RTOL = 1e-5
ATOL = 1e-6


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _seeded():
    swiftnn.manual_seed(0)
    yield
    # A test that fails inside no_grad must not leak the mode into the next one.
    swiftnn.set_grad_enabled(True)


def f32(array):
    """Rounds to float32 (what the engine stores) and returns float64 for reference math."""
    return np.asarray(array, dtype=np.float32).astype(np.float64)


def randn(rng, *shape, away_from=None):
    """float32-representable normal samples; `away_from` keeps them 0.05 off a kink (e.g. 0 for relu)."""
    x = rng.standard_normal(shape)
    if away_from is not None:
        x[np.abs(x - away_from) < 0.05] += 0.1
    return f32(x)


def assert_close(actual, expected, rtol=RTOL, atol=ATOL):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def numeric_grad(f, x, eps=1e-6):
    """d f(x) / dx of a scalar float64 function by central differences."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f(x)
        flat[i] = saved - eps
        down = f(x)
        flat[i] = saved
        gflat[i] = (up - down) / (2 * eps)
    return grad


def check_op(op, reference, *inputs, rng, rtol=RTOL, atol=ATOL):
    """Runs `op` on Tensors made from `inputs` (float64 arrays holding float32 values),
    compares the output with `reference` in float64, then backpropagates a random
    upstream gradient and compares every input's gradient with central differences
    of sum(reference(...) * upstream)."""
    tensors = [swiftnn.tensor(x, requires_grad=True) for x in inputs]
    out = op(*tensors)
    expected = np.asarray(reference(*inputs), dtype=np.float64)
    assert_close(out.numpy(), expected, rtol, atol)
    upstream = f32(rng.standard_normal(expected.shape))
    out.backward(swiftnn.tensor(upstream))
    for i, (t, x) in enumerate(zip(tensors, inputs)):
        def scalar(value, i=i):
            args = list(inputs)
            args[i] = value
            return float(np.sum(np.asarray(reference(*args)) * upstream))

        assert t.grad is not None, f"input {i} got no gradient"
        assert_close(t.grad.numpy(), numeric_grad(scalar, x), rtol, max(atol, 1e-5))
    return out
