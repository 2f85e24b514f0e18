"""Progress bars through tqdm when it is installed (an optional dependency)."""
import contextlib
import os


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def quiet():
    """True when $SWIFTNN_QUIET asks for no progress bars."""
    return os.environ.get("SWIFTNN_QUIET", "") not in ("", "0")


@contextlib.contextmanager
def progress_bar(enabled, total, desc):
    """A tqdm bar of `total` steps, or None when disabled, quiet or tqdm is missing."""
    tqdm = _tqdm() if enabled and not quiet() else None
    if tqdm is None:
        yield None
        return
    bar = tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
