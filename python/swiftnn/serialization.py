"""`swiftnn.save` / `swiftnn.load`: safetensors files and PyTorch checkpoints.

`.pt`, `.pth` (and `.pkl`, `.bin`, `.tar`, `.ckpt`) paths are saved in PyTorch's
zip format (torch_format/, readable by `torch.load(f, weights_only=True)`), other
paths as safetensors; `load` recognises the format from the file's first bytes.

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
from . import torch_format
from .tensor import Tensor

TORCH_SUFFIXES = (".pt", ".pth", ".pkl", ".bin", ".tar", ".ckpt")


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


def _torch_array(value, key):
    """The array a value is saved as in a PyTorch checkpoint (None: not a tensor)."""
    if isinstance(value, Tensor):
        array = value.numpy()
        if key is not None and _is_integer_state(key):
            if not np.array_equal(np.round(array), array):
                raise ValueError(f"cannot save '{key}': num_batches_tracked must hold whole numbers")
            return array.astype(np.int64)
        return array
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    return None


def save(obj, f, metadata=None):
    """Saves `obj` to the path `f`.

    A `.pt`/`.pth`/`.pkl`/`.bin`/`.tar`/`.ckpt` path gets PyTorch's zip format: `obj` may nest
    dicts, OrderedDicts, lists and tuples of Tensors, NumPy arrays, numbers and strings
    (Tensors as float32, `num_batches_tracked` as int64, arrays in their own dtype).

    Any other path gets safetensors: `obj` is a state dict (names to Tensors, Parameters,
    NumPy arrays or numbers, e.g. `model.state_dict()`); integer arrays and
    `num_batches_tracked` are stored as I64, everything else as F32. `metadata` is an
    optional dict of str to str kept in the file's `__metadata__`.

    Both are written atomically."""
    path = _path(f)
    if os.fsdecode(path).lower().endswith(TORCH_SUFFIXES):
        if metadata is not None:
            raise TypeError("metadata is kept only in safetensors files")
        torch_format.save_arrays(obj, path, _torch_array)
        return
    if not isinstance(obj, Mapping):
        raise TypeError(f"save expects a dict of name -> tensor (e.g. model.state_dict()), got {type(obj).__name__}")
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in metadata.items()):
            raise TypeError("metadata must be a dict of str to str")
        metadata = json.dumps(dict(metadata))
    _C.checkpoint_save(path, [_entry(name, value) for name, value in obj.items()], metadata)


def _as_tensors(obj, path):
    """A loaded PyTorch object with its arrays as float32 Tensors."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise OSError(f"{path}: tensors of dtype {obj.dtype} are not supported")
        as_float = obj.astype(np.float32)
        if obj.dtype.kind in "iu" and not np.array_equal(as_float.astype(obj.dtype), obj):
            raise ValueError(f"{path}: integer tensor values do not all fit float32 exactly")
        return Tensor._wrap(_C.from_array(as_float))
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _as_tensors(obj[key], path)
        return obj
    if isinstance(obj, list):
        return [_as_tensors(v, path) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_as_tensors(v, path) for v in obj)
    return obj


def load(f, map_location=None, weights_only=True):
    """Loads a safetensors file or a PyTorch checkpoint (`torch.save`'s zip or legacy
    format), recognised by its first bytes.

    A safetensors file gives a dict of float32 Tensors, in file order. A PyTorch
    checkpoint gives the object saved (dicts/OrderedDicts, lists, tuples, numbers,
    strings), its tensors as float32 Tensors; it is read by a restricted unpickler that
    builds nothing else (pickle.UnpicklingError names the file and the refused global)
    and executes nothing. Either can be passed to `Module.load_state_dict`. Integers that
    float32 cannot hold exactly are an error. `map_location` and `weights_only` are
    accepted for PyTorch compatibility: tensors always live on the CPU, and only
    weights are ever loaded."""
    path = _path(f)
    kind = None
    if os.path.isfile(path):   # anything else gets the safetensors reader's messages
        try:
            kind = torch_format.sniff(path)
        except OSError as error:
            raise OSError(f"{os.fsdecode(path)}: {error}") from None
    if kind is not None:
        return _as_tensors(torch_format.load_arrays(os.fsdecode(path)), os.fsdecode(path))
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
