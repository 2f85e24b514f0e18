"""Run with 2 ranks: rank 1 raises while rank 0 waits in a collective that will never
complete; the job must end at once with rank 1's message."""
import sys

import swiftnn
import swiftnn.distributed as dist

if "--no-init" not in sys.argv:
    dist.init_process_group("mpi")
from mpi4py import MPI

if MPI.COMM_WORLD.Get_rank() == 1:
    raise ValueError("bad data on purpose in rank 1")
if dist.is_initialized():
    dist.all_reduce(swiftnn.zeros(4))  # rank 1 never joins
else:
    MPI.COMM_WORLD.Barrier()
