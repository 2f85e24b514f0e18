"""nn.utils.clip_grad_norm_ against a NumPy reference of PyTorch's algorithm."""
import math

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from conftest import assert_close, randn


def reference(grads, max_norm, norm_type):
    """PyTorch: the norm of the per-gradient norms; every gradient times min(max_norm/(total+1e-6), 1)."""
    def norm(x):
        x = np.abs(np.asarray(x, dtype=np.float64).ravel())
        if norm_type == math.inf:
            return x.max()
        if norm_type == 0:
            return float(np.count_nonzero(x))
        return (x ** norm_type).sum() ** (1 / norm_type)

    total = norm([norm(g) for g in grads])
    scale = min(max_norm / (total + 1e-6), 1.0)
    return total, [g * scale for g in grads]


def params_with(grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g) if g is not None else (2,)))
        if g is not None:
            p.grad = swiftnn.tensor(g)
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_matches_reference(norm_type, max_norm, rng):
    grads = [randn(rng, 3, 4), randn(rng, 5), None]
    params = params_with(grads)
    total = nn.utils.clip_grad_norm_((p for p in params), max_norm, norm_type=norm_type)
    expected_total, expected = reference(grads[:2], max_norm, float(norm_type))
    assert isinstance(total, swiftnn.Tensor) and total.shape == ()
    assert_close(total.numpy(), expected_total)
    for p, e in zip(params, expected):
        assert_close(p.grad.numpy(), e)
    assert params[2].grad is None


def test_single_tensor_and_zero_grads():
    p = nn.Parameter(np.zeros(3))
    p.grad = swiftnn.zeros(3)
    total = nn.utils.clip_grad_norm_(p, 1.0)
    assert total.item() == 0.0
    assert_close(p.grad.numpy(), [0, 0, 0])


def test_no_gradients_gives_zero():
    assert nn.utils.clip_grad_norm_([nn.Parameter(np.ones(2))], 1.0).item() == 0.0
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_non_finite_norm():
    p = nn.Parameter(np.zeros(2))
    p.grad = swiftnn.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert p.grad.numpy()[1] == 1.0
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == math.inf


def test_clipping_inside_training_step(rng):
    model = nn.Linear(4, 2)
    x = randn(rng, 8, 4)
    (model(x) * 100).sum().backward()
    grads = [model.weight.grad.numpy(), model.bias.grad.numpy()]
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    expected_total, expected = reference(grads, 1.0, 2.0)
    assert_close(total.item(), expected_total)
    assert_close(model.weight.grad.numpy(), expected[0])
    clipped = np.sqrt(sum((g.grad.numpy().astype(np.float64) ** 2).sum() for g in model.parameters()))
    assert clipped == pytest.approx(1.0, rel=1e-5)


def test_argument_errors():
    p = nn.Parameter(np.zeros(2))
    with pytest.raises(TypeError, match="Tensors"):
        nn.utils.clip_grad_norm_([p, np.zeros(2)], 1.0)
    with pytest.raises(TypeError):
        nn.utils.clip_grad_norm_([p], None)
    with pytest.raises(ValueError):
        nn.utils.clip_grad_norm_([p], "big")
    with pytest.raises(ValueError, match="norm_type"):
        nn.utils.clip_grad_norm_([p], 1.0, norm_type=float("nan"))
