"""In-place ops with autograd: gradients by finite differences, version counters,
PyTorch's errors, the escape hatches (.data, .detach(), no_grad) and the layers."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, f32, randn

SHAPES = [(1,), (7,), (3, 17), (2, 3, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, reference", [
    ("add_", lambda a, b: a * 1.5 + b),
    ("sub_", lambda a, b: a * 1.5 - b),
    ("mul_", lambda a, b: a * 1.5 * b),
    ("div_", lambda a, b: a * 1.5 / b),
])
def test_binary_inplace_gradients(rng, shape, name, reference):
    a, b = randn(rng, *shape), randn(rng, *shape, away_from=0)

    def op(x, y):
        out = x * 1.5          # a non-leaf: in-place ops on leaves that need grad are refused
        returned = getattr(out, name)(y)
        assert returned is out
        return out

    check_op(op, reference, a, b, rng=rng)


@pytest.mark.parametrize("name, reference", [
    ("__iadd__", lambda a, b: a * 2 + b), ("__isub__", lambda a, b: a * 2 - b),
    ("__imul__", lambda a, b: a * 2 * b), ("__itruediv__", lambda a, b: a * 2 / b),
])
def test_augmented_assignment_broadcasts_other(rng, name, reference):
    a, b = randn(rng, 4, 5), randn(rng, 5, away_from=0)

    def op(x, y):
        out = x * 2
        ops = {"__iadd__": lambda: out.__iadd__(y), "__isub__": lambda: out.__isub__(y),
               "__imul__": lambda: out.__imul__(y), "__itruediv__": lambda: out.__itruediv__(y)}
        return ops[name]()

    check_op(op, reference, a, b, rng=rng)


def test_plus_equals_statement_rebinds_the_same_object(rng):
    x = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    y = x * 2
    alias = y
    y += 1
    assert y is alias and y.grad_fn.name() == "AddBackward0"
    y.sum().backward()
    assert_close(x.grad.numpy(), np.full(3, 2.0))


def test_alpha_scales_other(rng):
    a, b = randn(rng, 6), randn(rng, 6)
    check_op(lambda x, y: (x * 1).add_(y, alpha=-0.5), lambda x, y: x - 0.5 * y, a, b, rng=rng)
    check_op(lambda x, y: (x * 1).sub_(y, alpha=3.0), lambda x, y: x - 3 * y, a, b, rng=rng)


@pytest.mark.parametrize("shape", SHAPES)
def test_relu_and_clamp_inplace_gradients(rng, shape):
    a = randn(rng, *shape, away_from=0)
    check_op(lambda x: (x * 1).relu_(), lambda x: np.maximum(x, 0), a, rng=rng)
    b = randn(rng, *shape)
    b[np.abs(np.abs(b) - 0.5) < 0.05] += 0.1  # off the clamp's kinks
    check_op(lambda x: (x * 1).clamp_(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), b, rng=rng)
    check_op(lambda x: (x * 1).clamp_(min=-0.5), lambda x: np.maximum(x, -0.5), b, rng=rng)


def test_mul_by_a_tensor_that_needs_grad_keeps_the_original_self(rng):
    # d/dw of (x*1)*w is x: the backward reads the value mul_ overwrote (saved as a copy).
    a, w = randn(rng, 5), randn(rng, 5)
    check_op(lambda x, y: (x * 1).mul_(y), lambda x, y: x * y, a, w, rng=rng)


def test_copy_fill_zero(rng):
    a, b = randn(rng, 2, 3), randn(rng, 3)
    check_op(lambda y: swiftnn.zeros(2, 3).copy_(y), lambda y: np.broadcast_to(y, (2, 3)), b, rng=rng)
    x = swiftnn.tensor(a, requires_grad=True)
    src = swiftnn.tensor(b, requires_grad=True)
    h = x * 1
    h.copy_(src)
    (h * 2).sum().backward()
    assert_close(src.grad.numpy(), np.full(3, 4.0))
    assert x.grad is None or not x.grad.numpy().any()   # the old values no longer matter
    x = swiftnn.tensor(a, requires_grad=True)
    y = x * 3
    y.fill_(2.5)
    assert_close(y.numpy(), np.full((2, 3), 2.5))
    (y * x).sum().backward()      # y is now constant: d/dx = 2.5
    assert_close(x.grad.numpy(), np.full((2, 3), 2.5))
    z = swiftnn.tensor(a)
    assert z.zero_() is z and not z.numpy().any()


def test_views_see_an_inplace_write_without_grad():
    base = swiftnn.zeros(2, 3)
    view = base.view(6)
    base.add_(1)
    assert_close(view.numpy(), np.ones(6))
    view.mul_(3)
    assert_close(base.numpy(), np.full((2, 3), 3.0))


def test_version_counter_error_when_backward_needs_the_overwritten_output(rng):
    x = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"):
        y.sum().backward()


@pytest.mark.parametrize("make", [lambda x: x.exp(), lambda x: x.tanh(), lambda x: x.relu(),
                                  lambda x: x.softmax(0), lambda x: x.sqrt()])
def test_version_error_for_every_op_reading_its_output(rng, make):
    x = swiftnn.tensor(np.abs(randn(rng, 4)) + 0.5, requires_grad=True)
    y = make(x)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_version_error_when_a_saved_input_is_overwritten(rng):
    x = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    w = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    h = x * 1
    loss = (h * w).sum()      # d/dw reads h
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_writes_to_an_input_an_op_does_not_read_are_fine(rng):
    x = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    h = x * 1
    total = (h + 2).sum()     # add's backward reads neither input
    h.mul_(10)
    total.backward()
    assert_close(x.grad.numpy(), np.ones(3))


def test_parameter_update_between_forward_and_backward_is_detected(rng):
    w = swiftnn.tensor(randn(rng, 3, 3), requires_grad=True)
    x = swiftnn.tensor(randn(rng, 2, 3))
    loss = (x @ w).sum()
    w.data.normal_()          # the matmul's backward needs x and w
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_leaf_that_requires_grad_is_refused():
    w = swiftnn.ones(3, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.relu_(), lambda: w.zero_(), lambda: w.normal_(),
               lambda: w.copy_(swiftnn.zeros(3))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
            op()
    assert_close(w.numpy(), np.ones(3))


def test_escape_hatches_write_the_parameter(rng):
    w = swiftnn.ones(4, requires_grad=True)
    with swiftnn.no_grad():
        w.mul_(3)
        w -= 1
    assert_close(w.numpy(), np.full(4, 2.0))
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    w.data.fill_(5)
    assert_close(w.numpy(), np.full(4, 5.0))
    w.detach().zero_()
    assert_close(w.numpy(), np.zeros(4))
    w.data.normal_(0, 0.01)
    assert 0 < np.abs(w.numpy()).max() < 0.1
    w.data.uniform_(-2, -1)
    assert ((-2 <= w.numpy()) & (w.numpy() <= -1)).all()
    assert w.is_leaf and w.requires_grad


def test_broadcast_result_must_fit_self():
    a = swiftnn.zeros(3)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        a.add_(swiftnn.zeros(2, 3))


def test_inplace_on_a_view_flows_through_the_view_like_pytorch(rng):
    # flatten then an in-place op (x.view(n, -1) before Dropout(inplace=True) in AlexNet's head)
    a = randn(rng, 2, 3, away_from=0)
    x = swiftnn.tensor(a, requires_grad=True)
    v = (x * 1).view(6)
    v.mul_(3)
    v.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 3.0), rtol=1e-6)


def test_stale_alias_of_a_view_changed_in_place_raises_not_wrong(rng):
    x = swiftnn.tensor(randn(rng, 2, 3), requires_grad=True)
    h = x * 1
    v = h.view(6)
    v.mul_(2)
    out = (h * h).sum()  # h's history predates the write through v
    with pytest.raises(RuntimeError, match="shares its storage with a view"):
        out.backward()


def test_functional_and_layer_inplace_forms(rng):
    a = randn(rng, 2, 5, away_from=0)
    for relu in (lambda t: F.relu(t, inplace=True), nn.ReLU(inplace=True), swiftnn.relu_):
        x = swiftnn.tensor(a, requires_grad=True)
        h = x * 2
        out = relu(h)
        assert out is h and h.grad_fn.name() == "ReluBackward0"
        (out * out).sum().backward()
        assert_close(x.grad.numpy(), np.where(a > 0, 8 * a, 0))
    assert_close(F.relu(swiftnn.tensor(a)).numpy(), np.maximum(a, 0))


def test_dropout_inplace_matches_out_of_place():
    a = np.arange(1, 41, dtype=np.float32).reshape(4, 10)
    swiftnn.manual_seed(3)
    expected = F.dropout(swiftnn.tensor(a), 0.5, True).numpy()
    swiftnn.manual_seed(3)
    x = swiftnn.tensor(a, requires_grad=True)
    h = x * 1
    out = F.dropout(h, 0.5, True, inplace=True)
    assert out is h
    assert_close(h.numpy(), expected)
    h.sum().backward()
    assert_close(x.grad.numpy(), (expected != 0) * 2.0)
    swiftnn.manual_seed(3)
    layer = nn.Dropout(0.5, inplace=True)
    h2 = swiftnn.tensor(a) * 1
    assert layer(h2) is h2
    assert_close(h2.numpy(), expected)
    layer.eval()
    assert_close(layer(swiftnn.tensor(a)).numpy(), a)


def test_setitem_is_an_inplace_op_too(rng):
    # Covered at length in test_indexing.py; here: it bumps the version counter.
    x = swiftnn.tensor(randn(rng, 4), requires_grad=True)
    y = x.exp()
    y[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_values_of_inplace_ops_against_numpy(rng):
    a, b = randn(rng, 17), randn(rng, 17, away_from=0)
    for name, expected in [("add_", a + b), ("sub_", a - b), ("mul_", a * b), ("div_", a / b)]:
        t = swiftnn.tensor(a)
        getattr(t, name)(swiftnn.tensor(b))
        assert_close(t.numpy(), f32(expected))
    t = swiftnn.tensor(a)
    t.clamp_(max=0.1)
    assert_close(t.numpy(), np.minimum(a, 0.1))


def test_optimizer_step_between_forward_and_backward_is_detected(rng):
    w = swiftnn.tensor(randn(rng, 3, 3), requires_grad=True)
    x = swiftnn.tensor(randn(rng, 2, 3))
    optimizer = swiftnn.optim.SGD([w], lr=0.1)
    (x @ w).sum().backward()
    loss = (x @ w).sum()
    optimizer.step()              # writes w in place: the pending backward needs the old w
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
