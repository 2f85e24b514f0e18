"""DistributedSampler (PyTorch's semantics) and DataLoader(sampler=...), without MPI."""
import numpy as np
import pytest

from swiftnn import data


def _shards(n, replicas, **kw):
    dataset = list(range(n))
    return [list(data.DistributedSampler(dataset, num_replicas=replicas, rank=r, **kw)) for r in range(replicas)]


@pytest.mark.parametrize("n,replicas", [(1, 1), (7, 2), (17, 3), (63, 4), (10, 5), (3, 4)])
def test_shards_are_disjoint_and_cover_the_data_with_padding(n, replicas):
    shards = _shards(n, replicas, shuffle=True, seed=5)
    sizes = {len(s) for s in shards}
    assert sizes == {-(-n // replicas)}  # every rank the same number: ceil(n / replicas)
    flat = [i for s in shards for i in s]
    assert sorted(set(flat)) == list(range(n))  # covers everything
    if n % replicas == 0:
        assert len(flat) == len(set(flat)) == n  # disjoint
    else:
        # Padding repeats the start of the permuted list: total_size - n duplicates, no more.
        assert len(flat) - len(set(flat)) == len(flat) - n


@pytest.mark.parametrize("n,replicas", [(7, 2), (17, 3), (10, 5), (63, 4)])
def test_drop_last_drops_the_tail_and_stays_disjoint(n, replicas):
    shards = _shards(n, replicas, shuffle=True, drop_last=True)
    flat = [i for s in shards for i in s]
    assert len(flat) == len(set(flat)) == (n // replicas) * replicas
    assert {len(s) for s in shards} == {n // replicas}


def test_order_without_shuffle_is_pytorchs_strided_split():
    assert _shards(7, 2, shuffle=False) == [[0, 2, 4, 6], [1, 3, 5, 0]]


def test_set_epoch_reshuffles_the_same_way_on_every_rank():
    dataset = list(range(50))
    a = data.DistributedSampler(dataset, num_replicas=2, rank=0, seed=1)
    b = data.DistributedSampler(dataset, num_replicas=2, rank=1, seed=1)
    first = list(a), list(b)
    a.set_epoch(1)
    b.set_epoch(1)
    second = list(a), list(b)
    assert first != second
    assert sorted(second[0] + second[1]) == list(range(50))
    a.set_epoch(0)
    assert list(a) == first[0]  # the epoch and seed fix the order


def test_bad_arguments():
    with pytest.raises(ValueError, match="Invalid rank"):
        data.DistributedSampler(list(range(4)), num_replicas=2, rank=2)
    with pytest.raises(RuntimeError, match="init_process_group"):
        data.DistributedSampler(list(range(4)))
    with pytest.raises(ValueError, match="mutually exclusive"):
        data.DataLoader(list(range(4)), sampler=[0, 1], shuffle=True)


def test_dataloader_batches_the_samplers_shard_in_the_engine():
    images = np.arange(10 * 2, dtype=np.float32).reshape(10, 2)
    labels = np.arange(10)
    dataset = data.TensorDataset(images, labels)
    sampler = data.DistributedSampler(dataset, num_replicas=3, rank=1, shuffle=True, seed=2)
    loader = data.DataLoader(dataset, batch_size=3, sampler=sampler)
    assert len(loader) == 2  # 4 samples per rank, batches of 3
    seen = [int(y) for _, ys in loader for y in ys]
    assert seen == list(sampler)
    x, y = next(iter(loader))
    np.testing.assert_array_equal(x.numpy(), images[np.asarray(y)])
