"""expand, expand_as, repeat, clone, view_as, reshape_as, contiguous: NumPy
references and finite-difference gradients."""
import numpy as np
import pytest

import swiftnn
from conftest import assert_close, check_op, randn


@pytest.mark.parametrize("shape, sizes", [
    ((1,), (7,)), ((3, 1), (3, 17)), ((1, 4), (2, 3, 4)), ((2, 1, 1), (2, 63, 5)), ((), (4, 2)),
    ((3, 1), (-1, 5)),
])
def test_expand_with_gradient(rng, shape, sizes):
    a = randn(rng, *shape)
    target = tuple(s if s != -1 else shape[i - (len(sizes) - len(shape))] for i, s in enumerate(sizes))
    check_op(lambda t: t.expand(*sizes), lambda x: np.broadcast_to(x, target), a, rng=rng)
    check_op(lambda t: t.expand(sizes), lambda x: np.broadcast_to(x, target), a, rng=rng)


def test_expand_as_and_errors(rng):
    a = randn(rng, 4, 1, 1)
    other = swiftnn.zeros(4, 3, 2)
    check_op(lambda t: t.expand_as(other), lambda x: np.broadcast_to(x, (4, 3, 2)), a, rng=rng)
    with pytest.raises(RuntimeError, match="The expanded size of the tensor"):
        swiftnn.zeros(3).expand(4)
    with pytest.raises(RuntimeError, match="must be greater or equal"):
        swiftnn.zeros(3, 1).expand(3)


@pytest.mark.parametrize("shape, repeats", [
    ((1,), (7,)), ((3,), (2,)), ((2, 3), (1, 1)), ((2, 3), (3, 2)), ((2, 3), (2, 1, 4)), ((5,), (0,)), ((), (3, 2)),
])
def test_repeat_with_gradient(rng, shape, repeats):
    a = randn(rng, *shape)
    check_op(lambda t: t.repeat(*repeats), lambda x: np.tile(x, repeats), a, rng=rng)
    check_op(lambda t: t.repeat(repeats), lambda x: np.tile(x, repeats), a, rng=rng)


def test_repeat_errors():
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims"):
        swiftnn.zeros(2, 3).repeat(2)


def test_clone_is_a_graph_copy(rng):
    a = randn(rng, 3, 4)
    check_op(lambda t: t.clone() * 2, lambda x: x * 2, a, rng=rng)
    x = swiftnn.tensor(a, requires_grad=True)
    c = swiftnn.clone(x)
    assert c.grad_fn.name() == "CloneBackward0"
    c2 = x * 1
    c3 = c2.clone()
    c3.add_(1)                           # a clone is separate storage
    assert_close(c2.numpy(), a)


def test_view_as_reshape_as_contiguous(rng):
    a = randn(rng, 2, 6)
    other = swiftnn.zeros(3, 4)
    check_op(lambda t: t.view_as(other), lambda x: x.reshape(3, 4), a, rng=rng)
    check_op(lambda t: t.reshape_as(other), lambda x: x.reshape(3, 4), a, rng=rng)
    t = swiftnn.tensor(a)
    assert t.contiguous() is t


def test_se_layer_scale_with_expand_as(rng):
    x = swiftnn.tensor(randn(rng, 2, 3, 4, 4), requires_grad=True)
    y = x.mean(dim=(2, 3)).sigmoid().view(2, 3, 1, 1)
    out = x * y.expand_as(x)
    assert out.shape == (2, 3, 4, 4)
    out.sum().backward()
    assert x.grad.shape == (2, 3, 4, 4)
