"""Epoch metrics under data parallelism: each rank sees its shard, every rank reports the
figures of the whole data (summed losses, batches, correct and total counts, confusion)."""
import numpy as np

from . import _world_size_if_parallel, _require


def is_data_parallel(model, loader):
    """True inside an initialized world of several ranks when `model` is a
    DistributedDataParallel or `loader` draws from a DistributedSampler: then every rank
    runs the same loop and the epoch's metrics must be summed over the ranks."""
    if _world_size_if_parallel() is None:
        return False
    from ..data.distributed import DistributedSampler
    from ..nn.parallel import DistributedDataParallel
    return isinstance(model, DistributedDataParallel) or isinstance(getattr(loader, "sampler", None),
                                                                    DistributedSampler)


def reduce_counts(loss_sum, batches, correct, total, confusion=None):
    """Σ over ranks of (loss_sum, batches, correct, total) and of the confusion matrix."""
    world = _require()
    MPI = world.MPI
    sums = np.array([loss_sum, batches, correct, total], dtype=np.float64)
    world.comm.Allreduce(MPI.IN_PLACE, sums, op=MPI.SUM)
    if confusion is not None:
        confusion = np.ascontiguousarray(confusion, dtype=np.int64)
        world.comm.Allreduce(MPI.IN_PLACE, confusion, op=MPI.SUM)
    return float(sums[0]), int(sums[1]), int(sums[2]), int(sums[3]), confusion


def is_main_process():
    """True on rank 0, and in a process that is not part of a distributed job."""
    from . import get_rank, is_initialized
    return not is_initialized() or get_rank() == 0
