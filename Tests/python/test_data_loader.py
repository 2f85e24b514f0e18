"""TensorDataset, Subset, random_split and DataLoader."""
import numpy as np
import pytest

import swiftnn
from swiftnn import data, nn
from swiftnn import transforms as T

from conftest import assert_close


def index_images(n, size=8):
    """uint8 images whose every pixel is the sample index (mod 256), labels = index."""
    x = np.repeat((np.arange(n) % 256).astype(np.uint8), 3 * size * size).reshape(n, 3, size, size)
    return x, np.arange(n)


def epoch_labels(loader):
    return np.concatenate([y for _, y in loader])


def test_tensor_dataset_items_and_errors(rng):
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    ds = data.TensorDataset(x, np.array([4, 3, 2, 1, 0]))
    sample, label = ds[-1]
    assert isinstance(sample, swiftnn.Tensor) and label == 0
    assert_close(sample.numpy(), x[4])
    with pytest.raises(IndexError):
        ds[5]
    with pytest.raises(ValueError, match="Size mismatch"):
        data.TensorDataset(x, np.arange(4))
    triple = data.TensorDataset(x, np.arange(5), np.linspace(0, 1, 5))
    assert len(triple[2]) == 3


def test_loader_visits_every_index_once_and_reshuffles():
    x, y = index_images(203)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=16, shuffle=True, seed=3)
    assert len(loader) == 13
    orders = []
    for _ in range(3):
        seen = []
        for images, labels in loader:
            assert isinstance(images, swiftnn.Tensor) and images.shape[1:] == (3, 8, 8)
            assert labels.dtype == np.int64 and labels.size(0) == images.shape[0]
            # Raw pixels without ToTensor: each image still carries its own index.
            np.testing.assert_array_equal(images.numpy()[:, 0, 0, 0], labels % 256)
            seen.append(labels)
        order = np.concatenate(seen)
        np.testing.assert_array_equal(np.sort(order), np.arange(203))
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    again = data.DataLoader(data.TensorDataset(x, y), batch_size=16, shuffle=True, seed=3)
    for order in orders:
        np.testing.assert_array_equal(epoch_labels(again), order)


def test_manual_seed_fixes_shuffle_and_no_shuffle_is_sequential():
    x, y = index_images(50)
    ds = data.TensorDataset(x, y)
    swiftnn.manual_seed(9)
    a = epoch_labels(data.DataLoader(ds, batch_size=7, shuffle=True))
    swiftnn.manual_seed(9)
    b = epoch_labels(data.DataLoader(ds, batch_size=7, shuffle=True))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(epoch_labels(data.DataLoader(ds, batch_size=7)), np.arange(50))


def test_drop_last_and_numpy_output():
    x, y = index_images(50)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=16, drop_last=True, numpy=True)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    images, labels = batches[-1]
    assert type(images) is np.ndarray and images.dtype == np.float32 and images.shape == (16, 3, 8, 8)
    assert type(labels) is np.ndarray and labels.dtype == np.int64
    with pytest.raises(ValueError, match="batch_size"):
        data.DataLoader(data.TensorDataset(x, y), batch_size=0)


def test_prefetch_gives_the_same_batches(rng):
    x = rng.integers(0, 256, (300, 3, 12, 12), dtype=np.uint8)
    ds = data.TensorDataset(x, rng.integers(0, 10, 300))
    ds.transform = T.Compose([T.RandomCrop(12, padding=3), T.RandomHorizontalFlip(), T.ToTensor(),
                              T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))])
    ahead = data.DataLoader(ds, batch_size=64, shuffle=True, seed=4, prefetch=3)
    inline = data.DataLoader(ds, batch_size=64, shuffle=True, seed=4, prefetch=0)
    for _ in range(2):
        for (xa, ya), (xb, yb) in zip(ahead, inline):
            np.testing.assert_array_equal(ya, yb)
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())


def test_engine_transforms_match_the_reference():
    x, y = index_images(20)
    ds = data.TensorDataset(x, y)
    ds.transform = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    images, labels = next(iter(data.DataLoader(ds, batch_size=20)))
    assert_close(images.numpy(), (x / 255.0 - 0.5) / 0.5, rtol=1e-5, atol=1e-6)


def test_python_callable_transform_slow_path():
    x, y = index_images(30)
    ds = data.TensorDataset(x, y)
    engine = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25)])
    ds.transform = engine
    fast = list(data.DataLoader(ds, batch_size=8, shuffle=True, seed=2))
    seen_types = set()

    def python_transform(img):
        seen_types.add((type(img), img.dtype, img.shape))
        return swiftnn.tensor((img.transpose(2, 0, 1) / 255.0 - 0.5) / 0.25)

    ds.transform = python_transform
    slow = list(data.DataLoader(ds, batch_size=8, shuffle=True, seed=2))
    assert seen_types == {(np.ndarray, np.dtype(np.uint8), (8, 8, 3))}
    for (xa, ya), (xb, yb) in zip(fast, slow):
        np.testing.assert_array_equal(ya, yb)
        assert_close(xa.numpy(), xb.numpy(), rtol=1e-5, atol=1e-5)


class SquaresDataset(data.Dataset):
    """A dataset written in Python: the loader's generic path."""

    def __len__(self):
        return 23

    def __getitem__(self, i):
        return swiftnn.tensor(np.full((2,), i, np.float32)), i


def test_python_dataset_uses_the_same_order_as_the_engine():
    x, y = index_images(23)
    engine = epoch_labels(data.DataLoader(data.TensorDataset(x, y), batch_size=5, shuffle=True, seed=11))
    loader = data.DataLoader(SquaresDataset(), batch_size=5, shuffle=True, seed=11)
    batches = list(loader)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), engine)
    assert batches[0][0].shape == (5, 2)


def test_random_split_and_subset():
    x, y = index_images(100)
    ds = data.TensorDataset(x, y)
    train, val = data.random_split(ds, [80, 20], seed=5)
    assert (len(train), len(val)) == (80, 20)
    assert set(train.indices).isdisjoint(val.indices) and len(set(train.indices) | set(val.indices)) == 100
    again, _ = data.random_split(ds, [80, 20], seed=5)
    assert again.indices == train.indices
    assert train[3][1] == train.indices[3]
    # Subsets of engine datasets stay in the engine.
    labels = epoch_labels(data.DataLoader(val, batch_size=6))
    np.testing.assert_array_equal(labels, val.indices)
    parts = data.random_split(ds, [0.5, 0.3, 0.2], seed=1)
    assert [len(p) for p in parts] == [50, 30, 20]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        data.random_split(ds, [80, 30])


def test_labels_work_with_cross_entropy_and_accuracy_code():
    x, y = index_images(10)
    y = y % 3
    images, labels = next(iter(data.DataLoader(data.TensorDataset(x, y), batch_size=10)))
    logits = swiftnn.tensor(np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2, 0, 1, 2, 1]])
    loss = nn.CrossEntropyLoss()(logits, labels)
    assert np.isfinite(loss.item())
    _, predicted = swiftnn.max(logits, 1)
    assert (predicted == labels).sum().item() == 9
    assert labels.size(0) == 10 and labels.to("cpu") is labels


def test_tensor_dataset_transform_applies_to_items_and_batches():
    x, y = index_images(4)
    ds = data.TensorDataset(x, y, transform=T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)]))
    item, label = ds[3]
    assert_close(item.numpy(), (x[3] / 255.0 - 0.5) / 0.5, rtol=1e-5, atol=1e-6)
    images, _ = next(iter(data.DataLoader(ds, batch_size=4)))
    assert_close(images.numpy()[3], item.numpy())
    with pytest.raises(ValueError, match="two arrays"):
        data.TensorDataset(x, y, y, transform=T.ToTensor())


def test_a_superseded_iterator_stops_instead_of_reading_the_new_epoch():
    x, y = index_images(40)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=4, shuffle=True, seed=0)
    first = iter(loader)
    next(first)
    second = iter(loader)
    assert len(list(second)) == 10
    with pytest.raises(RuntimeError, match="superseded"):
        next(first)


def test_bad_engine_arguments_raise_instead_of_crashing():
    from swiftnn import _C
    x, y = index_images(3)
    ds = data.TensorDataset(x, y)
    with pytest.raises(IndexError):
        _C.dataset_get(ds._h, 3)
    with pytest.raises(TypeError, match="swiftnn.dataset"):
        _C.dataset_len(object())
    with pytest.raises(ValueError, match="unknown transform"):
        T.engine_chain([("sharpen", 2)])
    with pytest.raises(ValueError):
        T.engine_chain([("random_crop", 0, 4, 0)])
    with pytest.raises(ValueError, match="batch_size"):
        _C.loader_new(ds._h, None, 0, False, False, 0, 2)
    with pytest.raises(ValueError, match="prefetch"):
        _C.loader_new(ds._h, None, 2, False, False, 0, -1)
    with pytest.raises(IndexError):
        _C.dataset_subset(ds._h, [0, 5])
    with pytest.raises(ValueError, match="larger than the padded"):
        loader = data.DataLoader(data.TensorDataset(x, y, transform=T.Compose([T.RandomCrop(64)])), batch_size=2)
        next(iter(loader))
    with pytest.raises(ValueError, match="labels"):
        _C.dataset_from_array(x, y[:2])


def test_changing_the_transform_between_epochs_keeps_the_epoch_sequence():
    x, y = index_images(30)
    ds = data.TensorDataset(x, y, transform=T.ToTensor())
    loader = data.DataLoader(ds, batch_size=30, shuffle=True, seed=6)
    first = epoch_labels(loader)
    ds.transform = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])
    images, second = next(iter(loader))
    reference = data.DataLoader(data.TensorDataset(x, y), batch_size=30, shuffle=True, seed=6)
    orders = [epoch_labels(reference) for _ in range(2)]
    np.testing.assert_array_equal(first, orders[0])
    np.testing.assert_array_equal(second, orders[1])
    assert images.numpy().min() < 0  # the new chain (with Normalize) ran


def test_torch_utils_data_spelling():
    import swiftnn.utils.data as utils_data
    assert utils_data is data and swiftnn.utils.data.random_split is data.random_split
