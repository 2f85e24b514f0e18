"""The case study's experiment under `swiftnn.distributed` (started with mpirun and
`init_process_group`): the model is wrapped in DistributedDataParallel with synchronised
BatchNorm, each rank trains on a DistributedSampler shard with batches of
train_batch_size / world_size (so the global batch is the recipe's), validation and test
are sharded too, and the metrics are summed over the ranks (train_epoch/evaluate do that).
Only rank 0 prints and draws progress bars."""
from contextlib import contextmanager

from .. import distributed as dist
from ..data import DataLoader, DistributedSampler
from ..distributed.metrics import is_main_process


_independent = False


def world_size():
    """The number of ranks when this process is one of several (and not running a sweep's
    independent experiments), else None."""
    return None if _independent else dist._world_size_if_parallel()


@contextmanager
def independent():
    """Experiments run inside are single-process ones, even in an MPI job (for sweeps)."""
    global _independent
    previous, _independent = _independent, True
    try:
        yield
    finally:
        _independent = previous


def per_rank_batch(batch_size, what):
    """The share of a global batch of one rank (the batch must split evenly)."""
    world = world_size()
    if world is None:
        return batch_size
    if batch_size % world:
        raise ValueError(f"{what}={batch_size} does not split over {world} ranks; use a multiple of the world size")
    return batch_size // world


def wrap(net, sync_batchnorm=True):
    """`net` as DistributedDataParallel (with SyncBatchNorm layers unless told otherwise)."""
    from ..nn import SyncBatchNorm
    from ..nn.parallel import DistributedDataParallel
    if sync_batchnorm:
        SyncBatchNorm.convert_sync_batchnorm(net)
    return DistributedDataParallel(net)


def sharded_loader(dataset, batch_size, shuffle, epoch, seed):
    """This rank's shard for `epoch`, batched."""
    sampler = DistributedSampler(dataset, shuffle=shuffle, seed=seed)
    sampler.set_epoch(epoch)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def shows_output():
    return is_main_process()
