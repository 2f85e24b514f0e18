"""`sweep(partition, list_of_args)`: the case study's way of working (one `experiment` per
setting) spread over the ranks of an MPI job: setting i runs on rank i mod world_size as an
ordinary single-process experiment, and rank 0 gathers every (setting, result) pair.

    mpirun -np 4 python my_sweep.py     # or: python -m swiftnn.distributed.run -np 4 my_sweep.py
"""
from .. import distributed as dist
from . import data_parallel
from .experiment import experiment

__all__ = ["sweep"]


def sweep(partition, list_of_args):
    """Runs `experiment(partition, args)` for every entry of `list_of_args`. In an MPI job
    (after `swiftnn.distributed.init_process_group()`) entry i runs on rank i mod world_size;
    returns [(setting, result), ...] in the order of `list_of_args` on rank 0 and None on the
    other ranks. Outside one (or with one rank) runs them all here and returns the list.
    Only rank 0 prints."""
    list_of_args = list(list_of_args)
    world = dist._world_size_if_parallel()
    if world is None:
        return [experiment(partition, args) for args in list_of_args]
    rank = dist.get_rank()
    with data_parallel.independent():
        mine = {i: experiment(partition, args) for i, args in enumerate(list_of_args) if i % world == rank}
    gathered = [None] * world if rank == 0 else None
    dist.gather_object(mine, gathered, dst=0)
    if rank != 0:
        return None
    merged = {}
    for part in gathered:
        merged.update(part)
    return [merged[i] for i in range(len(list_of_args))]
