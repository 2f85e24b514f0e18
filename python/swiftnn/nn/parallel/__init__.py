"""torch.nn.parallel: DataParallel (a pass-through on the CPU) and DistributedDataParallel (MPI)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
