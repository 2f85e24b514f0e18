"""`torch.cuda` as seen on a machine without a GPU: swiftnn computes on the CPU.

`is_available()` is False and `device_count()` 0, so the usual
`torch.device('cuda' if torch.cuda.is_available() else 'cpu')` picks the CPU;
the seeding and cache calls are accepted and do nothing, as PyTorch's do when
CUDA is absent."""

__all__ = ["device_count", "empty_cache", "is_available", "manual_seed", "manual_seed_all"]


def is_available():
    """False: swiftnn has no GPU backend."""
    return False


def device_count():
    """0: no CUDA devices."""
    return 0


def manual_seed(seed):
    """Accepted and ignored (there is no CUDA generator); use swiftnn.manual_seed."""
    int(seed)


def manual_seed_all(seed):
    """Accepted and ignored (there is no CUDA generator); use swiftnn.manual_seed."""
    int(seed)


def empty_cache():
    """Nothing to release."""
