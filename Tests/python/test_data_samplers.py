"""Samplers and DataLoader(sampler=, batch_sampler=, collate_fn=) with torch.utils.data's
semantics, and ConcatDataset (issue 11, item 7)."""
import collections

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.transforms as T
from swiftnn.utils.data import (BatchSampler, ConcatDataset, DataLoader, RandomSampler, Sampler, SequentialSampler,
                                SubsetRandomSampler, TensorDataset, WeightedRandomSampler)


def dataset(n=23):
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 6)
    return TensorDataset(x, np.arange(n))


def test_sequential_and_random_sampler():
    ds = dataset()
    assert list(SequentialSampler(ds)) == list(range(23)) and len(SequentialSampler(ds)) == 23
    torch.manual_seed(0)
    first = list(RandomSampler(ds))
    second = list(RandomSampler(ds))
    assert sorted(first) == list(range(23)) and first != second  # a new permutation per iter()
    torch.manual_seed(0)
    assert list(RandomSampler(ds)) == first  # fixed by manual_seed
    # num_samples beyond the dataset chains permutations (PyTorch's behaviour without replacement).
    long = list(RandomSampler(ds, num_samples=50))
    assert len(long) == 50 and sorted(long[:23]) == list(range(23)) and sorted(long[23:46]) == list(range(23))
    drawn = list(RandomSampler(ds, replacement=True, num_samples=2000))
    assert len(drawn) == 2000 and set(drawn) == set(range(23))  # 2000 draws hit every index
    counts = np.bincount(drawn, minlength=23)
    assert counts.min() > 40 and counts.max() < 140  # uniform: 87 expected each
    g = torch.Generator().manual_seed(7)
    a = list(RandomSampler(ds, generator=g))
    b = list(RandomSampler(ds, generator=torch.Generator().manual_seed(7)))
    assert a == b
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(ds, replacement=1)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(ds, num_samples=0)


def test_subset_weighted_and_batch_samplers():
    torch.manual_seed(1)
    assert sorted(SubsetRandomSampler([3, 5, 8])) == [3, 5, 8] and len(SubsetRandomSampler([3, 5, 8])) == 3
    weights = [0.0, 1.0, 0.0, 3.0]
    draws = list(WeightedRandomSampler(weights, 4000))
    counts = collections.Counter(draws)
    assert set(counts) == {1, 3} and 0.7 < counts[3] / 4000 < 0.8  # 3/4 expected
    once = list(WeightedRandomSampler([1, 1, 1, 5], 4, replacement=False))
    assert sorted(once) == [0, 1, 2, 3]
    with pytest.raises(RuntimeError):
        WeightedRandomSampler([1, 0, 0], 2, replacement=False)
    with pytest.raises(ValueError, match="1d"):
        WeightedRandomSampler([[1, 2]], 2)
    with pytest.raises(ValueError, match="replacement"):
        WeightedRandomSampler([1, 2], 2, replacement=None)
    assert list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False)) == \
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(range(10), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4 and len(BatchSampler(range(10), 3, True)) == 3
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last"):
        BatchSampler(range(3), 2, 0)


def test_loader_with_sampler_serves_exactly_the_sampled_indices():
    ds = dataset()
    sampler = RandomSampler(ds, generator=torch.Generator().manual_seed(3))
    loader = DataLoader(ds, batch_size=5, sampler=sampler)
    assert len(loader) == 5 and loader.sampler is sampler
    expected = list(RandomSampler(ds, generator=torch.Generator().manual_seed(3)))
    seen = []
    for images, labels in loader:
        seen += labels.tolist()
        np.testing.assert_array_equal(images.numpy(), ds.tensors[0][labels])
    assert seen == expected
    assert len(DataLoader(ds, batch_size=5, sampler=sampler, drop_last=True)) == 4
    # Irregular batches from a batch sampler come back as they are.
    loader = DataLoader(ds, batch_sampler=[[4, 4, 1], [22], [0, 1, 2, 3, 5]])
    assert [labels.tolist() for _, labels in loader] == [[4, 4, 1], [22], [0, 1, 2, 3, 5]]
    assert len(loader) == 3 and loader.batch_size is None


def test_loader_sampler_with_engine_transforms_matches_item_by_item():
    images = (np.arange(9 * 3 * 4 * 4) % 251).astype(np.uint8).reshape(9, 4, 4, 3)
    ds = TensorDataset(images.transpose(0, 3, 1, 2).copy(), np.arange(9) % 4,
                       transform=T.Compose([T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)]))
    order = [8, 0, 3, 3, 7]
    batch, labels = next(iter(DataLoader(ds, batch_size=5, sampler=order)))
    for row, index in enumerate(order):
        x, y = ds[index]
        np.testing.assert_allclose(batch.numpy()[row], x.numpy(), rtol=1e-6)
        assert labels[row] == y


def test_loader_argument_errors_as_pytorch():
    ds = dataset()
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    for kwargs in (dict(batch_size=2), dict(shuffle=True), dict(drop_last=True), dict(sampler=[0])):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            DataLoader(ds, batch_sampler=[[0]], **kwargs)


def test_collate_fn_and_custom_sampler_class():
    class EvenIndices(Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    ds = dataset(10)
    loader = DataLoader(ds, batch_size=2, sampler=EvenIndices(10), collate_fn=lambda items: [y for _, y in items])
    assert list(loader) == [[0, 2], [4, 6], [8]]


def test_concat_dataset():
    a, b = dataset(4), dataset(3)
    both = ConcatDataset([a, b])
    assert len(both) == 7 and both.cumulative_sizes == [4, 7]
    assert both[5][1] == 1 and both[-1][1] == 2 and both[0][1] == 0
    assert len(a + b) == 7
    with pytest.raises(IndexError):
        both[7]
    with pytest.raises(ValueError):
        both[-8]
    labels = sorted(y for _, ys in DataLoader(both, batch_size=3, shuffle=True) for y in ys.tolist())
    assert labels == [0, 0, 1, 1, 2, 2, 3]
    with pytest.raises(AssertionError):
        ConcatDataset([])


@pytest.mark.filterwarnings("ignore:swiftnn runs on the CPU")
def test_iteration_based_training_with_a_random_sampler():
    """The MLP tutorial trains for a number of iterations, drawing each batch with a random
    sampler, and tests afterwards; here on a small separable problem."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 10)).astype(np.float32) * 3
    y = np.repeat(np.arange(3), 100)
    x = centers[y] + rng.normal(size=(300, 10)).astype(np.float32)
    train_dataset = TensorDataset(x, y)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3)).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
    train_iter, train_batch_size = 300, 16
    sampler = RandomSampler(train_dataset, replacement=True, num_samples=train_iter * train_batch_size)
    loader = iter(DataLoader(train_dataset, batch_size=train_batch_size, sampler=sampler))
    model.train()
    for it in range(train_iter):
        images, labels = next(loader)
        images, labels = images.cuda(), labels.cuda()
        loss = nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05 / 8)
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in DataLoader(train_dataset, batch_size=64):
            predicted = torch.argmax(model(images), 1)
            correct += int((np.asarray(predicted) == np.asarray(labels)).sum())
            total += labels.size(0)
    assert correct / total > 0.95


@pytest.mark.parametrize("batches", ["regular", "irregular"])
def test_fit_with_a_sampler_gives_the_same_numbers_in_the_engine_and_in_python(batches):
    from swiftnn import models, train
    x = np.random.default_rng(1).normal(size=(40, 1, 8, 8)).astype(np.float32)
    data = TensorDataset(x, np.arange(40) % 3)

    def run(engine):
        torch.manual_seed(4)
        model = models.normal_CNN(input_size=(1, 8, 8), kernal_list=[4], num_classes=3)
        if batches == "regular":
            loader = DataLoader(data, batch_size=8, sampler=RandomSampler(data, generator=torch.Generator().manual_seed(2)))
        else:
            loader = DataLoader(data, batch_sampler=[[0, 1, 2], list(range(3, 20)), [39, 38]])
        return train.fit(model, loader, torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False,
                         engine=engine)

    in_engine, in_python = run(None), run(False)
    regular = DataLoader(data, batch_size=8, sampler=RandomSampler(data))
    assert regular._engine_epoch() is not None  # whole epochs run in the engine
    assert DataLoader(data, batch_sampler=[[0, 1], [2, 3, 4]])._engine_epoch() is None  # batch by batch
    assert in_engine["train_losses"] == pytest.approx(in_python["train_losses"], rel=1e-5)
    assert in_engine["train_accs"] == in_python["train_accs"]


def test_torch_submodule_paths_reach_the_same_classes():
    from swiftnn.utils.data.dataloader import DataLoader as FromDataloader
    from swiftnn.utils.data.dataset import Subset as FromDataset
    from swiftnn.utils.data.sampler import SubsetRandomSampler as FromSampler
    import swiftnn.utils.data as data
    assert FromSampler is data.SubsetRandomSampler and FromDataset is data.Subset and FromDataloader is DataLoader
