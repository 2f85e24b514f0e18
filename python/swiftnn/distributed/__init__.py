"""Data-parallel training across processes and machines on MPI, with `torch.distributed`'s
names: `init_process_group(backend="mpi")`, `get_rank`, `get_world_size`, `barrier`,
`all_reduce`, `broadcast`, `all_gather`, ... Start the processes with
`mpirun -np N python script.py` or `python -m swiftnn.distributed.run -np N script.py`.

Rank and world size come from MPI (Open MPI and mpi4py: `pip install 'swiftnn[distributed]'`).
The engine gets its own communicator and calls MPI itself, with the GIL released, for
SyncBatchNorm and for the gradient buckets of DistributedDataParallel; the collectives of
this module on tensors go through the engine too (sum, broadcast) or through mpi4py.
After `init_process_group`, an uncaught exception on any rank prints that rank's traceback
and ends the whole job (MPI_Abort) instead of leaving the other ranks waiting.
"""
import sys
import traceback

import numpy as np

from .. import _C
from ..tensor import Tensor

__all__ = ["ReduceOp", "all_gather", "all_gather_object", "all_reduce", "barrier", "broadcast", "communication_stats",
           "broadcast_object_list", "destroy_process_group", "gather_object", "get_backend", "get_rank",
           "get_world_size", "init_process_group", "is_available", "is_initialized", "is_mpi_available"]


class ReduceOp:
    """The reductions of `all_reduce` (torch.distributed.ReduceOp)."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class _World:
    """The one process group of this process: mpi4py's communicator for Python-level
    collectives and the engine's group over a communicator of its own."""

    def __init__(self, MPI):
        from ._mpi import engine_transport
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        # The engine's collectives run inside forward/backward; a separate communicator keeps
        # them from ever matching a Python-level call.
        self.engine_comm = MPI.COMM_WORLD.Dup()
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.engine = _C.mpi_process_group(self.rank, self.size, *engine_transport(MPI, self.engine_comm))

    def free(self):
        # The engine's communicator stays: modules made in this group may still hold it.
        self.engine = None
        self.comm.Free()


_world = None
_previous_excepthook = None


def is_available():
    """True when mpi4py can be imported (MPI is installed)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


is_mpi_available = is_available


def _abort_on_exception(kind, value, tb):
    """An uncaught exception on one rank: print it with the rank, then end every rank."""
    rank = _world.rank if _world is not None else "?"
    sys.stderr.write(f"[swiftnn rank {rank}] uncaught exception, aborting the job:\n")
    sys.stderr.write("".join(traceback.format_exception(kind, value, tb)))
    sys.stderr.flush()
    sys.stdout.flush()
    if _world is not None and _world.size > 1:
        _world.MPI.COMM_WORLD.Abort(1)
    (_previous_excepthook or sys.__excepthook__)(kind, value, tb)


def init_process_group(backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None):
    """Joins the MPI job this process was started in. `backend` must be "mpi"; rank and world
    size come from MPI (`world_size`/`rank`, when given, must agree with it)."""
    global _world, _previous_excepthook
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"swiftnn.distributed supports backend='mpi' only, got {backend!r}")
    if _world is not None:
        raise RuntimeError("trying to initialize the default process group twice")
    from ._mpi import import_mpi
    world = _World(import_mpi())
    if world_size not in (-1, None) and world_size != world.size:
        world.free()
        raise ValueError(f"world_size={world_size} but MPI started {world.size} processes")
    if rank not in (-1, None) and rank != world.rank:
        world.free()
        raise ValueError(f"rank={rank} but MPI gave this process rank {world.rank}")
    _world = world
    _previous_excepthook = sys.excepthook
    sys.excepthook = _abort_on_exception


def destroy_process_group(group=None):
    """Leaves the process group (MPI itself is finalised when the process exits)."""
    global _world
    if _world is None:
        return
    _world.free()
    _world = None
    if sys.excepthook is _abort_on_exception:
        sys.excepthook = _previous_excepthook or sys.__excepthook__


def is_initialized():
    return _world is not None


def _require():
    if _world is None:
        raise RuntimeError("Default process group has not been initialized, please make sure to call "
                           "init_process_group.")
    return _world


def get_backend(group=None):
    _require()
    return "mpi"


def get_rank(group=None):
    """This process's rank (RuntimeError before init_process_group, as PyTorch's)."""
    return _require().rank


def get_world_size(group=None):
    """The number of processes (RuntimeError before init_process_group, as PyTorch's)."""
    return _require().size


def _world_size_if_parallel():
    """The world size when this process is one of several ranks, else None."""
    return _world.size if _world is not None and _world.size > 1 else None


def _engine_group(group=None):
    """The engine's process-group handle (for DDP and SyncBatchNorm)."""
    return _require().engine


def communication_stats(reset=False):
    """(seconds, calls, floats) the engine spent in collectives since the start or the last
    reset: SyncBatchNorm exchanges, gradient buckets, buffer broadcasts and the tensor
    collectives of this module (swiftnn's own; PyTorch has no equivalent)."""
    seconds, calls, floats = _C.process_group_traffic(_require().engine, bool(reset))
    return {"seconds": seconds, "calls": calls, "floats": floats}


def barrier(group=None, async_op=False, device_ids=None):
    _require().comm.Barrier()


def _mpi_op(op):
    MPI = _require().MPI
    ops = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
           ReduceOp.MAX: MPI.MAX}
    if op not in ops:
        raise ValueError(f"unknown reduce op {op!r}; use swiftnn.distributed.ReduceOp")
    return ops[op]


def _check_tensor(tensor, what="tensor"):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what} must be a swiftnn.Tensor, got {type(tensor).__name__}")


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduces `tensor` over all ranks, in place on every rank. SUM runs in the engine on the
    tensor's own memory (GIL released); the other ops through mpi4py on a copy."""
    world = _require()
    _check_tensor(tensor)
    if op == ReduceOp.SUM:
        _C.process_group_all_reduce(world.engine, tensor._h)
        return None
    values = tensor.numpy()
    world.comm.Allreduce(world.MPI.IN_PLACE, values, op=_mpi_op(op))
    if op == ReduceOp.AVG:
        values /= world.size
    _C.copy_from(tensor._h, np.ascontiguousarray(values, dtype=np.float32))
    return None


def broadcast(tensor, src, group=None, async_op=False):
    """Rank `src`'s `tensor` into `tensor` on every rank, in place."""
    world = _require()
    _check_tensor(tensor)
    _C.process_group_broadcast(world.engine, tensor._h, src)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fills `tensor_list[r]` with rank r's `tensor` on every rank (shapes must match)."""
    world = _require()
    _check_tensor(tensor)
    if len(tensor_list) != world.size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} entries for a world of {world.size}")
    for t in tensor_list:
        _check_tensor(t, "every entry of tensor_list")
        if tuple(t.shape) != tuple(tensor.shape):
            raise ValueError(f"all_gather: tensor_list entries must have shape {tuple(tensor.shape)}, got {tuple(t.shape)}")
    send = np.ascontiguousarray(tensor.numpy(), dtype=np.float32)
    receive = np.empty((world.size,) + send.shape, dtype=np.float32)
    world.comm.Allgather(send, receive)
    for t, values in zip(tensor_list, receive):
        _C.copy_from(t._h, np.ascontiguousarray(values))


def all_gather_object(object_list, obj, group=None):
    """object_list[r] = rank r's picklable `obj`, on every rank."""
    world = _require()
    gathered = world.comm.allgather(obj)
    if len(object_list) != world.size:
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} entries for a world of {world.size}")
    object_list[:] = gathered


def gather_object(obj, object_gather_list=None, dst=0, group=None):
    """Rank dst's `object_gather_list` (length world size) receives every rank's `obj`."""
    world = _require()
    gathered = world.comm.gather(obj, root=dst)
    if world.rank == dst:
        if object_gather_list is None or len(object_gather_list) != world.size:
            raise ValueError("gather_object: on the destination rank, object_gather_list must have world-size entries")
        object_gather_list[:] = gathered


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """Rank src's picklable objects into `object_list` on every rank, in place."""
    world = _require()
    object_list[:] = world.comm.bcast(list(object_list) if world.rank == src else None, root=src)
