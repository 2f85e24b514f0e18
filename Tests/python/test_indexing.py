"""Indexing and assignment against NumPy (the same rules as PyTorch's), with
gradients by finite differences; gather, index_select, masked_fill, where."""
import numpy as np
import pytest

import swiftnn
from conftest import assert_close, check_op, randn

GETITEM_KEYS = [
    (2,), (-1,), (slice(1, None, 2),), (slice(None, None, 3), 1), (Ellipsis, -2), (None, 1, slice(None), None),
    (slice(0, 0),), (1, 2, 3), (np.array([0, 2, 2]),), ([3, 0],), (np.array([[0, 1], [2, 0]]), slice(None, 3)),
    (np.array([1, 0]), slice(None), np.array([4, 2])), (slice(None), np.array([[0], [2]]), np.array([1, 3])),
    (np.array([True, False, True, True]),), (Ellipsis, np.array([True, False, True, False, True, False, True])),
    (slice(1, 3), Ellipsis, None), (np.int64(1),), (np.array(2),), ([],),
]


@pytest.mark.parametrize("key", GETITEM_KEYS, ids=[repr(k) for k in GETITEM_KEYS])
def test_getitem_matches_numpy_with_gradient(rng, key):
    a = randn(rng, 4, 5, 7)
    check_op(lambda t: t[key if len(key) > 1 else key[0]],
             lambda x: x[key if len(key) > 1 else key[0]], a, rng=rng)


@pytest.mark.parametrize("shape", [(1,), (7,), (17, 3), (63,)])
def test_strided_slices_at_awkward_sizes(rng, shape):
    a = randn(rng, *shape)
    for key in (slice(None, None, 2), slice(-5, None), slice(None, -1, 5), slice(3, 100)):
        full = (key,) + (slice(None),) * (len(shape) - 1)
        assert_close(swiftnn.tensor(a)[full].numpy(), a[full])


def test_zero_dim_and_scalar_results(rng):
    a = randn(rng, 3, 4)
    t = swiftnn.tensor(a)
    assert t[1, 2].shape == () and t[1, 2].item() == pytest.approx(a[1, 2])
    assert t[1][2].item() == pytest.approx(a[1, 2])
    s = swiftnn.tensor(5.0)
    assert s[()].item() == 5.0 and s[None].shape == (1,)


def test_index_tensors_and_masks_from_swiftnn_and_numpy(rng):
    a = randn(rng, 6, 2)
    t = swiftnn.tensor(a)
    mask = a[:, 0] > 0
    assert_close(t[mask].numpy(), a[mask])
    assert_close(t[np.uint8(mask)].numpy(), a[mask])        # byte masks, as PyTorch's
    assert_close(t[[5, -6, 2]].numpy(), a[[5, -6, 2]])


def test_index_errors_are_pytorchs():
    t = swiftnn.zeros(3, 4)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        t[3]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 1 with size 4"):
        t[:, -5]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0 with size 3"):
        t[[0, 7]]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        t[swiftnn.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        t[[0.5]]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        t[::-1]
    with pytest.raises(IndexError):
        t[0, 0, 0]


def test_setitem_without_grad_matches_numpy(rng):
    a = randn(rng, 4, 5)
    cases = [
        ((1,), 3.0), ((slice(None), 2), randn(rng, 4)), ((slice(None, None, 2), slice(1, 3)), randn(rng, 1, 2)),
        ((np.array([0, 3]),), randn(rng, 5)), ((a > 0,), -1.0), ((Ellipsis, -1), randn(rng, 1, 4)),
        ((np.array([2, 1]), np.array([0, 4])), randn(rng, 2)),
    ]
    for key, value in cases:
        t, expected = swiftnn.tensor(a), a.copy()
        t[key if len(key) > 1 else key[0]] = value if np.isscalar(value) else swiftnn.tensor(value)
        expected[key if len(key) > 1 else key[0]] = value
        assert_close(t.numpy(), expected)


def test_setitem_shape_mismatch():
    t = swiftnn.zeros(3, 4)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[0] = swiftnn.zeros(3)


def test_setitem_gradients_through_both_sides(rng):
    a, v = randn(rng, 4, 5), randn(rng, 2, 5)

    def op(x, value):
        out = x * 1
        out[np.array([3, 1])] = value
        return out

    def reference(x, value):
        out = x.copy()
        out[np.array([3, 1])] = value
        return out

    check_op(op, reference, a, v, rng=rng)

    def broadcast_op(x, value):
        out = x * 1
        out[1:3, ::2] = value
        return out

    def broadcast_reference(x, value):
        out = x.copy()
        out[1:3, ::2] = value
        return out

    check_op(broadcast_op, broadcast_reference, a, randn(rng, 3), rng=rng)


def test_setitem_rules_for_leaves_and_no_grad(rng):
    w = swiftnn.tensor(randn(rng, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 1.0
    with swiftnn.no_grad():
        w[0] = 1.0
    assert w.numpy()[0] == 1.0 and w.is_leaf
    plain = swiftnn.zeros(3)
    plain[1] = w[2] * 2          # a tensor that did not need grad now does
    assert plain.requires_grad and plain.grad_fn is not None
    plain.sum().backward()
    assert_close(w.grad.numpy(), [0, 0, 2])


def test_iteration_and_len(rng):
    a = randn(rng, 3, 2)
    t = swiftnn.tensor(a)
    rows = list(t)
    assert len(rows) == len(t) == 3
    for row, expected in zip(rows, a):
        assert_close(row.numpy(), expected)
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(swiftnn.tensor(1.0))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_against_numpy_with_gradient(rng, dim):
    a = randn(rng, 4, 6)
    shape = (3, 6) if dim == 0 else (4, 2)
    size = a.shape[dim]
    index = rng.integers(0, size, shape)
    check_op(lambda t: t.gather(dim, index), lambda x: np.take_along_axis(x, index, axis=dim), a, rng=rng)
    check_op(lambda t: swiftnn.gather(t, dim, index), lambda x: np.take_along_axis(x, index, axis=dim), a, rng=rng)


def test_gather_smaller_index_and_errors(rng):
    a = randn(rng, 3, 4)
    index = np.array([[0, 2], [1, 1]])
    out = swiftnn.tensor(a).gather(1, index)
    assert_close(out.numpy(), [[a[0, 0], a[0, 2]], [a[1, 1], a[1, 1]]])
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        swiftnn.tensor(a).gather(1, np.array([[4]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        swiftnn.tensor(a).gather(1, np.array([0]))


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_index_select_against_numpy_with_gradient(rng, dim):
    a = randn(rng, 3, 4, 5)
    index = np.array([2, 0, 2])
    check_op(lambda t: t.index_select(dim, index), lambda x: np.take(x, index, axis=dim), a, rng=rng)
    check_op(lambda t: swiftnn.index_select(t, dim, list(index)), lambda x: np.take(x, index, axis=dim), a, rng=rng)


def test_index_select_errors_and_zero_dim():
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        swiftnn.zeros(3, 2).index_select(0, [3])
    with pytest.raises(IndexError, match="Dimension out of range"):
        swiftnn.zeros(3, 2).index_select(2, [0])
    assert swiftnn.tensor(4.0).index_select(0, [0]).item() == 4.0


def test_masked_fill_and_where_with_gradients(rng):
    a, b = randn(rng, 3, 5), randn(rng, 5)
    mask = rng.random((3, 5)) > 0.5
    row_mask = rng.random(5) > 0.5
    check_op(lambda t: t.masked_fill(mask, -2.0), lambda x: np.where(mask, -2.0, x), a, rng=rng)
    check_op(lambda t: swiftnn.masked_fill(t, row_mask, 0.5), lambda x: np.where(row_mask, 0.5, x), a, rng=rng)
    check_op(lambda x, y: swiftnn.where(mask, x, y), lambda x, y: np.where(mask, x, y), a, b, rng=rng)
    check_op(lambda x, y: swiftnn.where(row_mask, y, x), lambda x, y: np.where(row_mask, y, x), a, b, rng=rng)

    def inplace(t):
        out = t * 1
        assert out.masked_fill_(mask, 3.0) is out
        return out

    check_op(inplace, lambda x: np.where(mask, 3.0, x), a, rng=rng)
    with pytest.raises(RuntimeError, match="only supports boolean masks"):
        swiftnn.zeros(3).masked_fill(np.array([1.0, 0.0, 1.0]), 1.0)
    rows, cols = swiftnn.where(mask)
    assert (np.asarray(rows) == np.nonzero(mask)[0]).all() and (np.asarray(cols) == np.nonzero(mask)[1]).all()


def test_where_scalar_shapes():
    out = swiftnn.where(np.array(True), swiftnn.tensor(2.0), swiftnn.tensor(3.0))
    assert out.shape == () and out.item() == 2.0
