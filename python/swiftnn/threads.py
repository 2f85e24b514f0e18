"""The engine's thread pool (torch.set_num_threads / torch.get_num_threads)."""
import numbers

from . import _C


def set_num_threads(n):
    """Sets the number of threads the engine's kernels use (default: the CPUs this process may run on,
    or SWIFTNN_NUM_THREADS)."""
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"set_num_threads expects an int, got {type(n).__name__}")
    if n <= 0:
        raise ValueError(f"Number of threads must be positive, got {n}")
    _C.set_num_threads(int(n))


def get_num_threads():
    return _C.get_num_threads()
