"""Every tensor op against a float64 NumPy reference: forward values and the
gradients of sum(op(x) * upstream)."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, f32, randn


def np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def np_log_softmax(x, dim):
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


BROADCAST_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 1, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((5,), (1,)),
    ((2, 3, 1, 5), (1, 4, 1)),
]


@pytest.mark.parametrize("a_shape,b_shape", BROADCAST_SHAPES)
@pytest.mark.parametrize("name,op,ref", [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("div", lambda a, b: a / b, np.divide),
    ("fn_add", swiftnn.add, np.add),
    ("fn_sub", swiftnn.sub, np.subtract),
    ("fn_mul", swiftnn.mul, np.multiply),
    ("fn_div", swiftnn.div, np.divide),
])
def test_broadcasting_arithmetic(name, op, ref, a_shape, b_shape, rng):
    a = randn(rng, *a_shape)
    b = randn(rng, *b_shape)
    if "div" in name:
        b = f32(np.abs(b) + 0.5)
    check_op(op, ref, a, b, rng=rng)


def test_incompatible_broadcast_is_value_error():
    with pytest.raises(ValueError, match=r"\[3, 4\].*\[3\]|\[3\].*\[3, 4\]"):
        swiftnn.ones(3, 4) + swiftnn.ones(3)


@pytest.mark.parametrize("scalar", [2.5, -3, np.float64(0.5), np.float32(4.0), np.int64(2)])
def test_scalar_operands_both_sides(scalar, rng):
    x = randn(rng, 2, 3)
    t = swiftnn.tensor(x)
    s = float(scalar)
    assert_close((t + scalar).numpy(), x + s)
    assert_close((scalar + t).numpy(), s + x)
    assert_close((t - scalar).numpy(), x - s)
    assert_close((scalar - t).numpy(), s - x)
    assert_close((t * scalar).numpy(), x * s)
    assert_close((scalar * t).numpy(), s * x)
    assert_close((t / scalar).numpy(), x / s)
    assert_close((scalar / (t * t + 1)).numpy(), s / (x * x + 1))


def test_numpy_array_operands_both_sides(rng):
    x, y = randn(rng, 2, 3), randn(rng, 3)
    t = swiftnn.tensor(x)
    for result, expected in [
        (t + y, x + y), (y + t, y + x), (t - y, x - y), (y - t, y - x),
        (t * y, x * y), (y * t, y * x), (y.astype(np.float32) * t, y * x),
    ]:
        assert isinstance(result, swiftnn.Tensor)
        assert_close(result.numpy(), expected)
    m = randn(rng, 3, 4)
    assert_close((t @ m).numpy(), x @ m)
    assert_close((m.T @ swiftnn.tensor(x).T).numpy(), m.T @ x.T)
    assert isinstance(m.T @ swiftnn.tensor(x).T, swiftnn.Tensor)


def test_unary_minus(rng):
    check_op(lambda a: -a, np.negative, randn(rng, 3, 2), rng=rng)
    check_op(swiftnn.neg, np.negative, randn(rng, 4), rng=rng)


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((1, 7), (7, 1)),
]


@pytest.mark.parametrize("a_shape,b_shape", MATMUL_SHAPES)
def test_matmul(a_shape, b_shape, rng):
    a, b = randn(rng, *a_shape), randn(rng, *b_shape)
    check_op(lambda x, y: x @ y, np.matmul, a, b, rng=rng)
    check_op(swiftnn.matmul, np.matmul, a, b, rng=rng)


def test_matmul_shape_mismatch_is_value_error():
    with pytest.raises(ValueError):
        swiftnn.ones(2, 3) @ swiftnn.ones(4, 5)
    with pytest.raises(ValueError):
        swiftnn.matmul(swiftnn.tensor(1.0), swiftnn.ones(2))


@pytest.mark.parametrize("name,ref,domain", [
    ("relu", lambda x: np.maximum(x, 0), "kink0"),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "any"),
    ("tanh", np.tanh, "any"),
    ("exp", np.exp, "any"),
    ("log", np.log, "positive"),
])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)])
def test_pointwise(name, ref, domain, shape, rng):
    x = randn(rng, *shape, away_from=0.0 if domain == "kink0" else None)
    if domain == "positive":
        x = f32(np.abs(x) + 0.1)
    check_op(lambda t: getattr(t, name)(), ref, x, rng=rng)
    check_op(getattr(swiftnn, name), ref, x, rng=rng)
    if hasattr(F, name):
        check_op(getattr(F, name), ref, x, rng=rng)


def test_relu_keeps_nan_and_zeroes_negatives():
    out = swiftnn.tensor([-1.0, 0.0, 2.0, np.nan]).relu().numpy()
    assert out[:3].tolist() == [0.0, 0.0, 2.0] and np.isnan(out[3])


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("name,ref", [("softmax", np_softmax), ("log_softmax", np_log_softmax)])
def test_softmax_each_dim(name, ref, dim, rng):
    x = randn(rng, 2, 3, 4) * 3
    check_op(lambda t: getattr(t, name)(dim), lambda a: ref(a, dim), x, rng=rng)
    check_op(lambda t: getattr(swiftnn, name)(t, dim), lambda a: ref(a, dim), x, rng=rng)
    check_op(lambda t: getattr(F, name)(t, dim=dim), lambda a: ref(a, dim), x, rng=rng)


def test_softmax_is_stable_for_large_logits():
    out = swiftnn.tensor([[1000.0, 0.0, -1000.0]]).softmax(1).numpy()
    assert_close(out, [[1.0, 0.0, 0.0]])
    out = swiftnn.tensor([[1000.0, 1000.0]]).log_softmax(-1).numpy()
    assert_close(out, [[-np.log(2), -np.log(2)]])


def test_softmax_bad_dim_is_index_error():
    with pytest.raises(IndexError):
        swiftnn.ones(2, 3).softmax(2)


REDUCTION_DIMS = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2), ()]


@pytest.mark.parametrize("dim", REDUCTION_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name,ref", [("sum", np.sum), ("mean", np.mean)])
def test_sum_mean(name, ref, dim, keepdim, rng):
    x = randn(rng, 2, 3, 4)
    axis = None if dim in (None, ()) else dim

    def reference(a):
        return ref(a, axis=axis, keepdims=keepdim)

    check_op(lambda t: getattr(t, name)(dim=dim, keepdim=keepdim), reference, x, rng=rng)
    check_op(lambda t: getattr(swiftnn, name)(t, dim, keepdim), reference, x, rng=rng)


@pytest.mark.parametrize("dim", REDUCTION_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax(dim, keepdim, rng):
    x = f32(rng.permutation(24).reshape(2, 3, 4) * 0.25 - 3)  # distinct values: no ties
    axis = None if dim in (None, ()) else dim
    check_op(lambda t: t.amax(dim if dim is not None else (), keepdim),
             lambda a: np.amax(a, axis=axis, keepdims=keepdim), x, rng=rng)
    check_op(lambda t: swiftnn.amax(t, dim if dim is not None else (), keepdim),
             lambda a: np.amax(a, axis=axis, keepdims=keepdim), x, rng=rng)


def test_amax_shares_gradient_among_ties():
    t = swiftnn.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    t.amax().backward()
    assert_close(t.grad.numpy(), [0, 0.5, 0.5, 0])


def test_max_without_dim_is_the_largest_element(rng):
    x = f32(rng.permutation(12).reshape(3, 4))
    out = swiftnn.tensor(x).max()
    assert out.shape == () and out.item() == 11.0


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_along_dim(dim, keepdim, rng):
    x = f32(rng.permutation(24).reshape(2, 3, 4) - 10.0)
    t = swiftnn.tensor(x, requires_grad=True)
    result = t.max(dim=dim, keepdim=keepdim)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert_close(values.numpy(), np.max(x, axis=dim, keepdims=keepdim))
    assert isinstance(indices, swiftnn.Tensor) and indices.dtype == swiftnn.int64
    expected_idx = np.argmax(x, axis=dim)
    if keepdim:
        expected_idx = np.expand_dims(expected_idx, dim)
    np.testing.assert_array_equal(indices, expected_idx)
    upstream = f32(rng.standard_normal(values.shape))
    values.backward(swiftnn.tensor(upstream))
    expected_grad = np.zeros_like(x)
    np.put_along_axis(expected_grad, np.expand_dims(np.argmax(x, axis=dim), dim),
                      upstream if keepdim else np.expand_dims(upstream, dim), axis=dim)
    assert_close(t.grad.numpy(), expected_grad)
    m = swiftnn.max(swiftnn.tensor(x), dim)
    np.testing.assert_array_equal(m.indices, np.argmax(x, axis=dim))


def test_argmax(rng):
    x = f32(rng.permutation(24).reshape(2, 3, 4))
    t = swiftnn.tensor(x, requires_grad=True)
    flat = t.argmax()
    assert isinstance(flat, swiftnn.Tensor) and flat.dtype == swiftnn.int64 and flat.shape == ()
    assert flat.item() == np.argmax(x)
    for dim in (0, 1, 2, -1):
        np.testing.assert_array_equal(t.argmax(dim), np.argmax(x, axis=dim))
        np.testing.assert_array_equal(t.argmax(dim, keepdim=True), np.expand_dims(np.argmax(x, axis=dim), dim))
    np.testing.assert_array_equal(swiftnn.argmax(t, 1), np.argmax(x, axis=1))


def test_max_first_index_wins_on_ties():
    t = swiftnn.tensor([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]])
    np.testing.assert_array_equal(t.argmax(1), [1, 0])


@pytest.mark.parametrize("shape,new", [
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1)), ((6,), (1, 6, 1)), ((1,), ()),
    ((), (1, 1)),
])
def test_reshape_and_view(shape, new, rng):
    x = randn(rng, *shape)
    check_op(lambda t: t.reshape(*new), lambda a: a.reshape(new), x, rng=rng)
    check_op(lambda t: t.reshape(new), lambda a: a.reshape(new), x, rng=rng)
    check_op(lambda t: t.view(*new), lambda a: a.reshape(new), x, rng=rng)
    check_op(lambda t: swiftnn.reshape(t, new), lambda a: a.reshape(new), x, rng=rng)


def test_reshape_is_a_view_of_the_same_storage():
    t = swiftnn.zeros(2, 3)
    v = t.view(6)
    with swiftnn.no_grad():
        v += 1
    assert_close(t.numpy(), np.ones((2, 3)))


def test_bad_reshape_is_value_error():
    with pytest.raises(ValueError, match="6"):
        swiftnn.zeros(2, 3).reshape(4, 2)
    with pytest.raises(ValueError):
        swiftnn.zeros(2, 3).reshape(-1, -1)


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (1, 2), (-2, -1), (2, 2)])
def test_flatten(start, end, rng):
    x = randn(rng, 2, 3, 4)

    def reference(a):
        s, e = start % 3, end % 3
        return a.reshape(a.shape[:s] + (-1,) + a.shape[e + 1:])

    check_op(lambda t: t.flatten(start, end), reference, x, rng=rng)
    check_op(lambda t: swiftnn.flatten(t, start, end), reference, x, rng=rng)
    check_op(lambda t: F.flatten(t, start, end), reference, x, rng=rng)


def test_flatten_defaults_and_scalar(rng):
    assert swiftnn.zeros(2, 3, 4).flatten().shape == (24,)
    assert swiftnn.tensor(3.0).flatten().shape == (1,)


@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 2), (0, 2), (-1, 0), (1, 1)])
def test_transpose(d0, d1, rng):
    x = randn(rng, 2, 3, 4)
    check_op(lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1), x, rng=rng)
    check_op(lambda t: swiftnn.transpose(t, d0, d1), lambda a: np.swapaxes(a, d0, d1), x, rng=rng)


def test_T_and_t(rng):
    x = randn(rng, 3, 5)
    check_op(lambda t: t.T, lambda a: a.T, x, rng=rng)
    check_op(lambda t: t.t(), lambda a: a.T, x, rng=rng)
    v = randn(rng, 4)
    assert_close(swiftnn.tensor(v).T.numpy(), v)
    y = randn(rng, 2, 3, 4)
    assert_close(swiftnn.tensor(y).T.numpy(), y.T)


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, -3, -2)])
def test_permute(dims, rng):
    x = randn(rng, 2, 3, 4)
    check_op(lambda t: t.permute(*dims), lambda a: np.transpose(a, dims), x, rng=rng)
    check_op(lambda t: t.permute(dims), lambda a: np.transpose(a, dims), x, rng=rng)
    check_op(lambda t: swiftnn.permute(t, dims), lambda a: np.transpose(a, dims), x, rng=rng)


def test_permute_errors():
    with pytest.raises(ValueError):
        swiftnn.zeros(2, 3).permute(0)
    with pytest.raises(ValueError):
        swiftnn.zeros(2, 3).permute(0, 0)
    with pytest.raises(IndexError):
        swiftnn.zeros(2, 3).permute(0, 2)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_unsqueeze(dim, rng):
    x = randn(rng, 2, 3)
    check_op(lambda t: t.unsqueeze(dim), lambda a: np.expand_dims(a, dim), x, rng=rng)
    check_op(lambda t: swiftnn.unsqueeze(t, dim), lambda a: np.expand_dims(a, dim), x, rng=rng)


def test_squeeze(rng):
    x = randn(rng, 1, 3, 1, 2)
    check_op(lambda t: t.squeeze(), lambda a: np.squeeze(a), x, rng=rng)
    check_op(lambda t: t.squeeze(0), lambda a: np.squeeze(a, 0), x, rng=rng)
    check_op(lambda t: t.squeeze(-2), lambda a: np.squeeze(a, 2), x, rng=rng)
    check_op(lambda t: t.squeeze((0, 2)), lambda a: np.squeeze(a, (0, 2)), x, rng=rng)
    check_op(lambda t: swiftnn.squeeze(t, 2), lambda a: np.squeeze(a, 2), x, rng=rng)
    # A dimension that is not 1 is left alone, as in PyTorch; () squeezes nothing.
    assert swiftnn.tensor(x).squeeze(1).shape == (1, 3, 1, 2)
    assert swiftnn.tensor(x).squeeze(()).shape == (1, 3, 1, 2)
    assert swiftnn.squeeze(x, dim=(-4, 0)).shape == (3, 1, 2)


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 5, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear(x_shape, bias, rng):
    x, w, b = randn(rng, *x_shape), randn(rng, 2, 3), randn(rng, 2)
    if bias:
        check_op(F.linear, lambda a, ww, bb: a @ ww.T + bb, x, w, b, rng=rng)
    else:
        check_op(F.linear, lambda a, ww: a @ ww.T, x, w, rng=rng)


def test_chained_graph_gradient(rng):
    """A small composite graph where one tensor is used several times."""
    x, w = randn(rng, 4, 3), randn(rng, 3, 3)

    def reference(a, ww):
        h = np.tanh(a @ ww)
        return (h * a + np.exp(-h)).sum(axis=1) / 3.0

    check_op(lambda a, ww: ((a @ ww).tanh() * a + (-(a @ ww).tanh()).exp()).sum(1) / 3.0, reference, x, w, rng=rng)


def test_large_matmul_in_a_fresh_process():
    """Large enough for the engine's multi-threaded GEMM, which starts its thread pool on first
    use. Run in a fresh interpreter with a timeout, so a hang fails this test instead of the run."""
    import subprocess
    import sys

    code = (
        "import numpy as np, swiftnn\n"
        "rng = np.random.default_rng(0)\n"
        "a = rng.standard_normal((256, 257)).astype(np.float32)\n"
        "b = rng.standard_normal((257, 75)).astype(np.float32)\n"
        "out = (swiftnn.tensor(a) @ swiftnn.tensor(b)).numpy()\n"
        "expected = a.astype(np.float64) @ b.astype(np.float64)\n"
        "print(np.abs(out - expected).max() / np.abs(expected).max())\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the first multi-threaded matmul of a fresh process hung")
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 1e-5
