"""dtypes: the dtype objects, the dtype `swiftnn.tensor` and friends infer (PyTorch's
choices, from `torch.tensor` / `torch.as_tensor` / `torch.from_numpy` /
`torch.full` / `torch.arange` documentation), conversions, repr and errors."""
import pickle

import numpy as np
import pytest

import swiftnn as torch

# (data, dtype PyTorch infers)
INFERENCE = [
    (1, torch.int64), (True, torch.bool), (2.5, torch.float32),
    ([1, 2, 3], torch.int64), ([True, False], torch.bool), ([1.0, 2], torch.float32),
    ([True, 1], torch.int64), ([[1, 2], [3, 4]], torch.int64), ([], torch.float32),
    (np.arange(3, dtype=np.int64), torch.int64), (np.arange(3, dtype=np.int32), torch.int32),
    (np.arange(3, dtype=np.int16), torch.int16), (np.arange(3, dtype=np.int8), torch.int8),
    (np.arange(3, dtype=np.uint8), torch.uint8), (np.ones(3, dtype=bool), torch.bool),
    (np.ones(3, dtype=np.float64), torch.float32), (np.ones(3, dtype=np.float32), torch.float32),
    (np.int64(4), torch.int64), (np.float64(4), torch.float32),
]


@pytest.mark.parametrize("data, expected", INFERENCE)
def test_tensor_infers_pytorch_dtype(data, expected):
    t = torch.tensor(data)
    assert t.dtype == expected
    assert isinstance(t, torch.Tensor)
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))


@pytest.mark.parametrize("data, expected", [case for case in INFERENCE if isinstance(case[0], np.ndarray)])
def test_from_numpy_and_as_tensor_keep_the_array_type(data, expected):
    assert torch.from_numpy(data).dtype == expected
    assert torch.as_tensor(data).dtype == expected


def test_from_numpy_shares_integer_memory():
    labels = np.array([1, 2, 3])
    t = torch.from_numpy(labels)
    labels[0] = 7
    assert t[0].item() == 7
    assert torch.as_tensor(labels) is not None and torch.as_tensor(t) is t


def test_explicit_dtype_converts():
    assert torch.tensor([1.7, -1.7], dtype=torch.int64).tolist() == [1, -1]  # truncation toward zero
    assert torch.tensor([0.0, 2.0], dtype=torch.bool).tolist() == [False, True]
    assert torch.tensor([1, 2], dtype=torch.float32).dtype == torch.float32
    assert torch.tensor([1, 2], dtype=np.uint8).dtype == torch.uint8
    assert torch.tensor([300, -1], dtype=torch.uint8).tolist() == [44, 255]  # wraps like a C cast


def test_factories_with_dtypes():
    assert torch.zeros(2, 3).dtype == torch.float32
    assert torch.zeros(2, 3, dtype=torch.long).tolist() == [[0] * 3] * 2
    assert torch.ones(2, dtype=torch.bool).tolist() == [True, True]
    assert torch.full((2,), 7).dtype == torch.int64
    assert torch.full((2,), True).dtype == torch.bool
    assert torch.full((2,), 7.0).dtype == torch.float32
    assert torch.empty(3, dtype=torch.uint8).shape == (3,)
    assert torch.arange(5).dtype == torch.int64 and torch.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert torch.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert torch.arange(0, 1, 0.25).dtype == torch.float32
    assert torch.arange(5, dtype=torch.float32).dtype == torch.float32
    assert torch.arange(3, dtype=torch.int32).dtype == torch.int32
    assert torch.zeros_like(torch.tensor([1, 2])).dtype == torch.int64
    assert torch.ones_like(torch.tensor([1.0])).dtype == torch.float32
    assert torch.full_like(torch.tensor([1, 2]), 5).tolist() == [5, 5]


def test_dtype_objects():
    assert repr(torch.int64) == "swiftnn.int64" and str(torch.uint8) == "swiftnn.uint8"
    assert torch.long is torch.int64 and torch.int is torch.int32 and torch.float is torch.float32
    assert torch.int64 == np.int64 and torch.int64 == np.dtype("int64") and torch.int64 != torch.int32
    assert np.dtype(torch.uint8) == np.uint8
    assert hash(torch.int64) == hash(np.dtype(np.int64))
    assert pickle.loads(pickle.dumps(torch.bool)) is torch.bool
    assert torch.float32.is_floating_point and not torch.int64.is_floating_point
    assert torch.get_default_dtype() is torch.float32


def test_conversions():
    x = torch.tensor([[-1.5, 0.0], [2.7, 3.0]])
    assert x.long().dtype == torch.int64 and x.long().tolist() == [[-1, 0], [2, 3]]
    assert x.int().dtype == torch.int32
    assert x.bool().tolist() == [[True, False], [True, True]]
    assert x.byte().dtype == torch.uint8
    assert x.float() is x
    assert x.to(torch.int64).dtype == torch.int64
    assert x.to("cpu", torch.long).dtype == torch.int64
    assert x.type(torch.int64).dtype == torch.int64 and x.type() == "torch.FloatTensor"
    labels = torch.tensor([1, 2])
    assert labels.float().dtype == torch.float32 and labels.float().tolist() == [1.0, 2.0]
    assert labels.long() is labels and labels.type() == "torch.LongTensor"
    assert labels.to(torch.uint8).dtype == torch.uint8
    assert labels.to(x).dtype == torch.float32
    assert x.is_floating_point() and not labels.is_floating_point()
    assert torch.is_floating_point(x) and not torch.is_floating_point(labels)


def test_item_int_index_and_scalars():
    n = torch.tensor([1, 0, 1]).sum()
    assert n.dtype == torch.int64 and n.item() == 2 and type(n.item()) is int
    assert type(torch.tensor(True).item()) is bool
    names = ("plane", "car", "bird")
    assert names[torch.tensor([2, 0])[0]] == "bird"  # __index__, as the case study's classes[labels[j]]
    assert int(torch.tensor(5)) == 5 and float(torch.tensor(5)) == 5.0
    assert f"{torch.tensor(3)}" == "tensor(3)"


def test_repr_like_pytorch():
    assert repr(torch.tensor([1, 2, 3])) == "tensor([1, 2, 3])"
    assert repr(torch.tensor([True, False])) == "tensor([ True, False])"
    assert repr(torch.tensor([1, 2], dtype=torch.uint8)) == "tensor([1, 2], dtype=swiftnn.uint8)"
    assert repr(torch.tensor([1, 2], dtype=torch.int32)) == "tensor([1, 2], dtype=swiftnn.int32)"
    assert repr(torch.tensor([[1, 20], [3, 4]])) == "tensor([[ 1, 20],\n        [ 3,  4]])"
    assert repr(torch.tensor([], dtype=torch.int64)) == "tensor([], dtype=swiftnn.int64)"
    assert repr(torch.zeros(2, 0, dtype=torch.bool)) == "tensor([], size=(2, 0), dtype=swiftnn.bool)"
    assert repr(torch.tensor(7)) == "tensor(7)"


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2]).requires_grad_()
    labels = torch.tensor([1, 2])
    assert not labels.requires_grad and labels.grad is None and labels.grad_fn is None and labels.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        labels.sum().backward()


def test_bad_inputs_raise():
    with pytest.raises(TypeError):
        torch.tensor(["a", "b"])
    with pytest.raises(ValueError, match="no complex64 tensors"):
        torch.tensor([1, 2], dtype=np.complex64)
    with pytest.raises(ValueError, match="no float64 tensors"):
        torch.tensor([1, 2], dtype="float64")
    with pytest.raises(TypeError, match="not a dtype"):
        torch.zeros(2, dtype="bogus")
    with pytest.raises(RuntimeError, match="Overflow"):
        torch.tensor([2**70])
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(ValueError):
        torch.arange(0, 5, 0)
    with pytest.raises(ValueError):
        torch.arange(5, 0, 1)
    with pytest.raises(ValueError):
        torch.arange(2**40)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).mean()
    assert torch.tensor([1, 2]).float().mean().item() == 1.5
    assert torch.tensor([1, 2]).mean(dtype=torch.float32).item() == 1.5


def test_integer_tensor_constructor():
    t = torch.IntegerTensor([1, 2])
    assert t.dtype == torch.int64 and isinstance(t, torch.Tensor) and t.tolist() == [1, 2]
    assert torch.IntegerTensor([1, 0], dtype=torch.bool).tolist() == [True, False]
    with pytest.raises(TypeError):
        torch.IntegerTensor([1.5])
