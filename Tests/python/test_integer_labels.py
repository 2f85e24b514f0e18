"""int64 labels end to end: losses take int64 tensors, lists and NumPy ints;
PyTorch's errors for bool and misshapen float targets; loaders and datasets give
int64 labels and keep uint8 images uint8; one_hot, randint, randperm; training
with `fit` on int64 labels."""
import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from swiftnn.utils.data import DataLoader, TensorDataset


def log_softmax(x):
    x = x - x.max(1, keepdims=True)
    return x - np.log(np.exp(x).sum(1, keepdims=True))


@pytest.mark.parametrize("make_target", [
    lambda y: torch.tensor(y), lambda y: y.tolist(), lambda y: y, lambda y: y.astype(np.int32),
    lambda y: torch.tensor(y, dtype=torch.int32), lambda y: torch.tensor(y, dtype=torch.uint8)])
def test_cross_entropy_takes_integer_targets(rng, make_target):
    logits = rng.standard_normal((7, 5)).astype(np.float32)
    labels = rng.integers(0, 5, 7)
    x = torch.tensor(logits, requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, make_target(labels))
    expected = -log_softmax(logits.astype(np.float64))[np.arange(7), labels].mean()
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-5)
    loss.backward()
    grad = np.exp(log_softmax(logits.astype(np.float64)))
    grad[np.arange(7), labels] -= 1
    np.testing.assert_allclose(x.grad.numpy(), grad / 7, rtol=1e-4, atol=1e-6)


def test_cross_entropy_target_errors_as_pytorch():
    x = torch.zeros(3, 4)
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Bool"):
        F.cross_entropy(x, torch.tensor([True, False, True]))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        F.cross_entropy(x, torch.tensor([1.0, 2.0, 3.0]))
    probabilities = torch.full((3, 4), 0.25)
    assert F.cross_entropy(x, probabilities).item() == pytest.approx(np.log(4), rel=1e-6)


def test_one_hot_as_pytorch():
    out = F.one_hot(torch.tensor([0, 2, 1]))
    assert out.dtype == torch.int64 and out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(torch.tensor([[1], [0]]), num_classes=4).shape == (2, 1, 4)
    assert F.one_hot(torch.tensor([1]), 3).float().dtype == torch.float32
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(torch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(torch.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(torch.tensor([-1]), 3)


def test_randint_and_randperm_are_int64_and_seeded():
    torch.manual_seed(3)
    a = torch.randint(0, 10, (4, 5))
    torch.manual_seed(3)
    assert torch.equal(a, torch.randint(0, 10, (4, 5)))
    assert a.dtype == torch.int64 and a.shape == (4, 5) and 0 <= a.min().item() and a.max().item() < 10
    assert torch.randint(5, (3,), dtype=torch.uint8).dtype == torch.uint8
    p = torch.randperm(17)
    assert p.dtype == torch.int64 and sorted(p.tolist()) == list(range(17))
    assert torch.randperm(0).shape == (0,)
    with pytest.raises(RuntimeError):
        torch.randperm(-1)


def test_loader_yields_int64_labels_and_accuracy_counts():
    x = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10) % 3
    for dataset in (TensorDataset(x, y), TensorDataset(torch.tensor(x), torch.tensor(y))):
        images, labels = next(iter(DataLoader(dataset, batch_size=4)))
        assert labels.dtype == torch.int64 and labels.tolist() == [0, 1, 2, 0]
        assert images.dtype == torch.float32
        predicted = torch.zeros(4, dtype=torch.long)
        assert (predicted == labels).sum().item() == 2


def test_collate_keeps_dtypes():
    from swiftnn.utils.data import default_collate
    batch = default_collate([(torch.tensor([1, 2], dtype=torch.uint8), 1), (torch.tensor([3, 4], dtype=torch.uint8), 0)])
    assert batch[0].dtype == torch.uint8 and batch[1].dtype == torch.int64


def test_uint8_image_data_reassigned_as_tensor_stays_uint8():
    images = np.random.default_rng(1).integers(0, 256, (6, 4, 4, 3)).astype(np.uint8)
    data = torch.tensor(images)  # the tutorials' `ds.data = torch.tensor(ds.data)`
    assert data.dtype == torch.uint8 and data[2].dtype == torch.uint8
    np.testing.assert_array_equal(data[2].numpy(), images[2])
    assert data.permute(0, 3, 1, 2).shape == (6, 3, 4, 4) and data.float().max().item() == images.max()
    assert (data[1:3].float() / 255).dtype == torch.float32


def test_fit_trains_on_int64_labels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = torch.tensor((x[:, 0] > 0).astype(np.int64))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    inputs = torch.tensor(x)
    first = None
    for _ in range(30):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), y)
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert loss.item() < first * 0.5
    _, predicted = model(inputs).max(1)
    assert (predicted == y).float().mean().item() > 0.9
    history = torch.train.fit(model, DataLoader(TensorDataset(x, y), batch_size=16), optimizer,
                              nn.CrossEntropyLoss(), epochs=1)
    assert history is not None
