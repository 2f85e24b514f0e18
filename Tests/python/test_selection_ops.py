"""sort, argsort, topk, argmax/argmin and max/min over a dim: values (with autograd)
and int64 indices against NumPy at awkward sizes, finite-difference gradients,
ties, NaN and errors."""
import numpy as np
import pytest

import swiftnn as torch
from conftest import check_op, f32

CASES = [((1,), 0), ((7,), 0), ((17, 3), 0), ((3, 17), 1), ((2, 7, 5), 1), ((63,), -1), ((4, 1, 9), -1)]


def distinct(rng, shape):
    """float32 values 0.05 apart in random order: no ties, finite differences never reorder."""
    n = int(np.prod(shape))
    return f32(rng.permutation(n).reshape(shape) * 0.05 - n * 0.025)


def numpy_sort(a, dim, descending):
    order = np.argsort(-a if descending else a, axis=dim, kind="stable")
    return np.take_along_axis(a, order, dim), order


@pytest.mark.parametrize("shape, dim", CASES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy_with_gradient(rng, shape, dim, descending):
    x = distinct(rng, shape)
    out = check_op(lambda t: torch.sort(t, dim, descending).values,
                   lambda a: numpy_sort(a, dim, descending)[0], x, rng=rng)
    assert out.grad_fn is not None
    result = torch.tensor(x).sort(dim=dim, descending=descending)
    assert result.indices.dtype == torch.int64
    np.testing.assert_array_equal(result.indices.numpy(), numpy_sort(x, dim, descending)[1])
    np.testing.assert_array_equal(torch.argsort(torch.tensor(x), dim, descending).numpy(),
                                  numpy_sort(x, dim, descending)[1])


@pytest.mark.parametrize("shape, dim", CASES)
@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_numpy_with_gradient(rng, shape, dim, largest):
    x = distinct(rng, shape)
    k = min(3, shape[dim])
    take = [slice(None)] * len(shape)
    take[dim] = slice(0, k)
    check_op(lambda t: t.topk(k, dim, largest).values,
             lambda a: numpy_sort(a, dim, largest)[0][tuple(take)], x, rng=rng)
    values, indices = torch.topk(torch.tensor(x), k, dim=dim, largest=largest)
    assert indices.dtype == torch.int64 and values.shape == indices.shape
    np.testing.assert_array_equal(indices.numpy(), numpy_sort(x, dim, largest)[1][tuple(take)])


@pytest.mark.parametrize("shape, dim", CASES)
def test_argmax_argmin_max_min_over_a_dim(rng, shape, dim):
    x = distinct(rng, shape)
    t = torch.tensor(x)
    assert t.argmax().dtype == torch.int64 and t.argmax().item() == np.argmax(x)
    assert t.argmin().item() == np.argmin(x)
    np.testing.assert_array_equal(t.argmax(dim).numpy(), np.argmax(x, dim))
    np.testing.assert_array_equal(torch.argmin(t, dim, keepdim=True).numpy(), np.expand_dims(np.argmin(x, dim), dim))
    check_op(lambda u: torch.max(u, dim).values, lambda a: a.max(dim), x, rng=rng)
    check_op(lambda u: torch.min(u, dim, keepdim=True).values, lambda a: a.min(dim, keepdims=True), x, rng=rng)
    result = torch.min(t, dim)
    assert type(result).__name__ == "min" and result.indices.dtype == torch.int64
    np.testing.assert_array_equal(result.indices.numpy(), np.argmin(x, dim))
    values, indices = t.max(dim)
    assert indices.dtype == torch.int64
    np.testing.assert_array_equal(indices.numpy(), np.argmax(x, dim))


def test_ties_keep_index_order_and_nan_sorts_last():
    x = torch.tensor([2.0, 1.0, 2.0, float("nan"), 1.0])
    assert x.sort().indices.tolist() == [1, 4, 0, 2, 3]
    assert x.sort(descending=True).indices.tolist() == [3, 0, 2, 1, 4]
    assert x.topk(2).indices.tolist() == [3, 0]
    assert x.topk(2, largest=False).indices.tolist() == [1, 4]


def test_integer_tensors_sort_in_numpy():
    t = torch.tensor([3, 1, 2, 1], dtype=torch.uint8)
    values, indices = t.sort(descending=True)
    assert values.dtype == torch.uint8 and values.tolist() == [3, 2, 1, 1] and indices.tolist() == [0, 2, 1, 3]
    assert t.sort().indices.tolist() == [1, 3, 2, 0]
    assert t.topk(2).values.tolist() == [3, 2] and t.argsort().tolist() == [1, 3, 2, 0]
    assert torch.tensor([True, False, True]).sort(descending=True).indices.tolist() == [0, 2, 1]


def test_scalar_and_empty():
    values, indices = torch.tensor(3.0).sort()
    assert values.item() == 3.0 and indices.item() == 0 and indices.shape == ()
    values, indices = torch.zeros(2, 0).sort(1)
    assert values.shape == (2, 0) and indices.shape == (2, 0)


def test_errors():
    x = torch.zeros(2, 3)
    with pytest.raises(RuntimeError, match="k out of range"):
        x.topk(4, 1)
    with pytest.raises((IndexError, ValueError)):
        x.sort(dim=2)
    with pytest.raises(RuntimeError, match="k out of range"):
        torch.tensor([1, 2]).topk(3)
    with pytest.raises(IndexError):
        torch.tensor([[1, 2]]).max(3)
