"""Atomic file writes for the Python-side writers (PyTorch checkpoints, ONNX)."""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_file(path):
    """Yields a binary file next to `path`; when the block succeeds it is synced and
    renamed over `path`, otherwise removed, so `path` is never left half-written."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".swiftnn-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
