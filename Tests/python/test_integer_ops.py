"""Ops of integer and bool tensors against NumPy: arithmetic, comparisons (also on
float32 tensors), logical tests, reductions, shape ops, indexing and in-place
updates, at awkward sizes (1, 7, 17, 63)."""
import operator

import numpy as np
import pytest

import swiftnn as torch

SIZES = [(1,), (7,), (17, 3), (2, 7, 5), (63,)]


def ints(rng, shape, low=-9, high=10, dtype=np.int64):
    return rng.integers(low, high, shape).astype(dtype)


def same(t, expected):
    expected = np.asarray(expected)
    assert t.dtype == torch.tensor(expected).dtype, (t.dtype, expected.dtype)
    assert t.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(t), expected)


@pytest.mark.parametrize("shape", SIZES)
@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod,
                                operator.and_, operator.or_, operator.xor])
def test_integer_binary_ops_match_numpy(rng, shape, op):
    a, b = ints(rng, shape), ints(rng, shape, 1, 6)  # b > 0 for // and %
    same(op(torch.tensor(a), torch.tensor(b)), op(a, b))
    same(op(torch.tensor(a), 3), op(a, np.int64(3)))
    same(op(5, torch.tensor(b)), op(np.int64(5), b))


@pytest.mark.parametrize("shape", SIZES)
@pytest.mark.parametrize("op", [operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge])
def test_comparisons_give_bool_tensors(rng, shape, op):
    a, b = ints(rng, shape, 0, 3), ints(rng, shape, 0, 3)
    same(op(torch.tensor(a), torch.tensor(b)), op(a, b))
    same(op(torch.tensor(a), 1), op(a, 1))
    fa, fb = a.astype(np.float32) / 2, b.astype(np.float32) / 2
    same(op(torch.tensor(fa), torch.tensor(fb)), op(fa, fb))  # float32 tensors compare too
    same(op(torch.tensor(fa), torch.tensor(b)), op(fa, b.astype(np.float32)))  # promoted to float32
    same(op(torch.tensor(fa), 0.5), op(fa, np.float32(0.5)))
    name = op.__name__
    same(getattr(torch, name)(torch.tensor(a), torch.tensor(b)), op(a, b))
    same(getattr(torch.tensor(fa), name)(fb), op(fa, fb))


def test_comparison_broadcasts_and_handles_foreign_operands():
    a = torch.tensor([[1, 2, 3]])
    same(a == torch.tensor([[1], [2]]), np.array([[1, 2, 3]]) == np.array([[1], [2]]))
    assert (a == None) is False and (a != "x") is True  # noqa: E711
    assert len({torch.tensor([1]), torch.tensor([1])}) == 2  # tensors hash by identity


def test_accuracy_from_predictions_on_tensors():
    outputs = torch.tensor([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    labels = torch.tensor([1, 0, 1, 1])
    _, predicted = torch.max(outputs, 1)
    correct = (predicted == labels).sum().item()
    assert correct == 3 and type(correct) is int
    assert (predicted == labels).float().mean().item() == 0.75
    assert labels.size(0) == 4


@pytest.mark.parametrize("shape", SIZES)
def test_reductions_match_numpy(rng, shape):
    a = ints(rng, shape, -5, 6)
    t = torch.tensor(a)
    same(t.sum(), a.sum())
    same(t.sum(0), a.sum(0))
    same(t.sum(-1, keepdim=True), a.sum(-1, keepdims=True))
    same(t.prod(), np.prod(a))
    same(t.amax(), a.max())
    same(t.amin(0), a.min(0))
    same(t.max(), a.max())
    same(t.argmax(), np.argmax(a))
    same(t.argmin(), np.argmin(a))
    values, indices = t.max(0)
    same(values, a.max(0))
    same(indices, np.argmax(a, 0))
    values, indices = torch.min(t, -1, keepdim=True)
    same(values, a.min(-1, keepdims=True))
    same(indices, np.argmin(a, -1)[..., None])
    same(t.cumsum(0), np.cumsum(a, 0))
    same(t.clamp(-2, 3), np.clip(a, -2, 3))
    same(t.abs(), np.abs(a))
    same(-t, -a)
    same(t.relu(), np.maximum(a, 0))
    mask = a > 0
    same(torch.tensor(mask).sum(), np.int64(mask.sum()))
    same(torch.tensor(mask).any(), mask.any())
    same(torch.tensor(mask).all(), mask.all())
    same(t.nonzero(), np.argwhere(a))
    same(t.count_nonzero(), np.int64(np.count_nonzero(a)))
    assert torch.tensor(np.ones(shape, np.uint8)).sum().dtype == torch.int64


def test_float_tensor_logical_tests_and_closeness():
    x = torch.tensor([0.0, 1.0, 2.0])
    same(x.any(), np.True_)
    same(x.all(), np.False_)
    same(x.nonzero(), np.array([[1], [2]]))
    assert torch.equal(x, torch.tensor([0.0, 1.0, 2.0])) and not torch.equal(x, torch.tensor([0.0, 1.0]))
    assert torch.allclose(x, x + 1e-9) and not torch.allclose(x, x + 1e-3)
    same(torch.isclose(x, torch.tensor([0.0, 1.1, 2.0])), np.array([True, False, True]))
    same(torch.logical_and(x, torch.tensor([True, True, False])), np.array([False, True, False]))
    same(torch.tensor([True, False]).logical_not(), np.array([False, True]))


@pytest.mark.parametrize("shape", [(7,), (17, 3), (2, 7, 5)])
def test_shape_ops_match_numpy(rng, shape):
    a = ints(rng, shape)
    t = torch.tensor(a)
    same(t.reshape(-1), a.reshape(-1))
    same(t.view(1, -1), a.reshape(1, -1))
    same(t.flatten(), a.reshape(-1))
    same(t.unsqueeze(0), a[None])
    same(t.unsqueeze(-1).squeeze(-1), a)
    same(t.flip(0), np.flip(a, 0))
    same(t.repeat(*([2] * len(shape))), np.tile(a, [2] * len(shape)))
    same(t.unsqueeze(0).expand(3, *shape), np.broadcast_to(a, (3,) + shape))
    if len(shape) > 1:
        same(t.t() if len(shape) == 2 else t.transpose(0, 2), a.T if len(shape) == 2 else a.swapaxes(0, 2))
        same(t.permute(*reversed(range(len(shape)))), a.transpose())
    pieces = t.split(2)
    assert len(pieces) == -(-shape[0] // 2)
    same(pieces[0], a[:2])


def test_indexing_matches_numpy_and_views_share_memory(rng):
    a = ints(rng, (5, 4))
    t = torch.tensor(a)
    for key in [0, -1, (1, 2), slice(1, 4, 2), (Ellipsis, 1), (None, 2), ([0, 3],)]:
        same(t[key], a[key])
    same(t[torch.tensor([4, 0])], a[[4, 0]])
    same(t[torch.tensor(a[:, 0] > 0)], a[a[:, 0] > 0])
    row = t[1]
    row[2] = 99  # a view, as PyTorch's basic indexing
    assert t[1, 2].item() == 99
    t[t < 0] = 0
    assert t.min().item() >= 0
    t[0] = torch.tensor([1.9, 2.9, 3.9, 4.9])  # float values truncate into an int tensor
    assert t[0].tolist() == [1, 2, 3, 4]
    with pytest.raises(IndexError):
        t[torch.tensor([0.0, 1.0])]
    with pytest.raises(IndexError):
        t[7]


def test_iteration_and_len():
    t = torch.tensor([[1, 2], [3, 4]])
    assert len(t) == 2 and [row.tolist() for row in t] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError):
        len(torch.tensor(1))


def test_in_place_updates():
    t = torch.tensor([1, 2, 3])
    t += 1
    t *= 2
    t -= torch.tensor([1, 1, 1])
    assert t.tolist() == [3, 5, 7] and t.dtype == torch.int64
    t //= 2
    assert t.tolist() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="can't be cast"):
        t /= 2
    with pytest.raises(RuntimeError, match="can't be cast"):
        t += 0.5
    t.zero_()
    assert t.tolist() == [0, 0, 0]
    t.fill_(4)
    assert t.tolist() == [4, 4, 4]
    t.copy_(torch.tensor([1.7, 2.2, 3.0]))
    assert t.tolist() == [1, 2, 3]
    t.clamp_(2, 2)
    assert t.tolist() == [2, 2, 2]
    with pytest.raises(RuntimeError):
        t.normal_()
    w = torch.tensor([1.0, 2.0])
    w += torch.tensor([1, 2])  # float tensor += int tensor promotes into float32
    assert w.tolist() == [2.0, 4.0]


def test_integer_powers_and_matmul(rng):
    a = ints(rng, (3, 4), 0, 4)
    b = ints(rng, (4, 2), 0, 4)
    same(torch.tensor(a) @ torch.tensor(b), a @ b)
    same(torch.tensor(a) ** 2, a ** 2)
    assert (torch.tensor(a) ** 0.5).dtype == torch.float32
    with pytest.raises(RuntimeError, match="negative integer powers"):
        torch.tensor([2]) ** torch.tensor([-1])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([2]) // 0


def test_engine_ops_on_integer_tensors_run_in_float32():
    t = torch.tensor([0, 1, 2])
    np.testing.assert_allclose(t.exp().numpy(), np.exp([0, 1, 2]), rtol=1e-6)
    assert t.exp().dtype == torch.float32
    np.testing.assert_allclose(torch.softmax(t.float(), 0).numpy().sum(), 1.0, rtol=1e-6)


def test_bincount_and_unique():
    t = torch.tensor([1, 3, 1, 0])
    same(t.bincount(), np.bincount([1, 3, 1, 0]))
    same(torch.bincount(t, minlength=6), np.bincount([1, 3, 1, 0], minlength=6))
    values, counts = t.unique(return_counts=True)
    same(values, np.array([0, 1, 3]))
    same(counts, np.array([1, 2, 1]))


def test_function_forms_keep_integer_dtypes(rng):
    a = ints(rng, (3, 4))
    t = torch.tensor(a)
    same(torch.sum(t), a.sum())
    same(torch.sum(t, 1), a.sum(1))
    same(torch.add(t, 2), a + 2)
    same(torch.reshape(t, (4, 3)), a.reshape(4, 3))
    same(torch.flatten(t), a.reshape(-1))
    same(torch.cat([t, t], 1), np.concatenate([a, a], 1))
    same(torch.stack([t, t.byte()]), np.stack([a, a.astype(np.uint8).astype(np.int64)]))
    assert torch.cat([torch.zeros(2), torch.ones(1)]).dtype == torch.float32
    assert torch.add(t, 0.5).dtype == torch.float32 and torch.sum(t.float()).dtype == torch.float32
    with pytest.raises(RuntimeError, match="mean"):
        torch.mean(t)


def test_inplace_methods_added_to_tensor_later_reach_integer_storage():
    """A float32 Tensor in-place method the integer type lacks runs on a float32 copy and is
    written back, instead of silently updating a temporary engine copy."""
    from swiftnn import integer_tensor

    class Probe(torch.IntegerTensor):
        pass

    def halve_(self):
        return self.copy_(self.numpy() / 2)

    torch.Tensor.halve_ = halve_
    try:
        assert "halve_" in integer_tensor.guard_inplace_methods(Probe)
        t = Probe._of(np.array([4, 6, 9]))
        assert t.halve_() is t and t.tolist() == [2, 3, 4]
    finally:
        del torch.Tensor.halve_
    assert integer_tensor.guard_inplace_methods(Probe) == []
