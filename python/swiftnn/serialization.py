"""`swiftnn.save` / `swiftnn.load`: state dicts as safetensors files.

The files are the `safetensors` package's format, byte for byte: what
`safetensors.numpy.save_file` writes, `load` reads, and the reverse. Saving is
atomic (a temporary file in the same directory is synced, then renamed over the
target), so a failed save leaves the previous file as it was. Loading validates
the whole file (header length against the file size, JSON, dtypes, shapes and
offsets) before trusting any of it; a damaged file raises OSError naming it.
"""
import errno
import json
import os
from collections.abc import Mapping

import numpy as np

from . import _C
from .tensor import Tensor


def _path(f):
    try:
        return os.fspath(f)
    except TypeError:
        raise TypeError(f"expected a file path (str or os.PathLike), got {type(f).__name__}") from None


def _is_integer_state(name):
    """PyTorch keeps these as int64, so they are stored as I64."""
    return name == "num_batches_tracked" or name.endswith(".num_batches_tracked")


def _entry(name, value):
    """(name, engine handle, stored as int64?) for one state-dict item."""
    if not isinstance(name, str):
        raise TypeError(f"state dict keys must be str, got {type(name).__name__}")
    if isinstance(value, Tensor):
        return name, value._h, _is_integer_state(name)
    if not isinstance(value, (np.ndarray, np.generic, int, float)):
        raise TypeError(f"cannot save '{name}': expected a Tensor, NumPy array or number, got {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot save '{name}': arrays of dtype {array.dtype} are not numeric")
    integer = array.dtype.kind in "iu"
    as_float = array.astype(np.float32)
    if integer and not np.array_equal(as_float.astype(array.dtype), array):
        raise ValueError(f"cannot save '{name}': its {array.dtype} values do not all fit float32 exactly")
    return name, _C.from_array(as_float), integer or _is_integer_state(name)


def save(obj, f, metadata=None):
    """Saves a state dict (a mapping of names to Tensors, Parameters, NumPy arrays or
    numbers, e.g. `model.state_dict()`) to the path `f`. Integer arrays and
    `num_batches_tracked` are stored as I64, everything else as F32. `metadata` is an
    optional dict of str to str kept in the file's `__metadata__`."""
    if not isinstance(obj, Mapping):
        raise TypeError(f"save expects a dict of name -> tensor (e.g. model.state_dict()), got {type(obj).__name__}")
    path = _path(f)
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in metadata.items()):
            raise TypeError("metadata must be a dict of str to str")
        metadata = json.dumps(dict(metadata))
    _C.checkpoint_save(path, [_entry(name, value) for name, value in obj.items()], metadata)


def load(f, map_location=None, weights_only=True):
    """Loads a safetensors file into a dict of float32 Tensors, in file order; it can be
    passed to `Module.load_state_dict`. Every stored dtype is converted to float32
    (integers that float32 cannot hold exactly are an error). `map_location` and
    `weights_only` are accepted for PyTorch compatibility: tensors always live on the
    CPU, and a safetensors file holds nothing but tensors."""
    path = _path(f)
    try:
        entries, _ = _C.checkpoint_load(path)
    except OSError as error:
        if not os.path.lexists(path):
            raise FileNotFoundError(errno.ENOENT, str(error), os.fsdecode(path)) from None
        raise
    return {name: Tensor._wrap(handle) for name, _, handle in entries}


def load_metadata(f):
    """The `__metadata__` dict of a safetensors file (empty when it has none)."""
    _, metadata = _C.checkpoint_load(_path(f))
    return json.loads(metadata)
