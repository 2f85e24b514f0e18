"""Writes the zip layout `torch.save` writes, so that `torch.load(f, weights_only=True)`
reads it: `<archive>/data.pkl` (pickle protocol 2 using only the globals PyTorch's
weights-only unpickler allows), `<archive>/byteorder`, `<archive>/data/<key>`
(each storage's bytes, aligned to 64 bytes in the file as PyTorch aligns them)
and `<archive>/version`. Tensors that are the same object share one storage."""
import collections
import os
import struct
import zipfile

import numpy as np

from .._atomic import atomic_file
from .storage_types import SAVE_STORAGE

FORMAT_VERSION = b"3\n"
ALIGNMENT = 64

PROTO, STOP, MARK = b"\x80\x02", b".", b"("
EMPTY_DICT, EMPTY_LIST, EMPTY_TUPLE = b"}", b"]", b")"
SETITEMS, APPENDS, TUPLE, REDUCE, BINPERSID = b"u", b"e", b"t", b"R", b"Q"
NONE, NEWTRUE, NEWFALSE = b"N", b"\x88", b"\x89"


class _Pickler:
    """Protocol-2 opcodes for dicts, OrderedDicts, lists, tuples, numbers, strings, None and arrays."""

    def __init__(self, array_of):
        self.array_of = array_of   # value -> NumPy array to store as a tensor, or None
        self.out = bytearray()
        self.storages = []         # (key, array) in key order
        self._storage_keys = {}    # id(value) -> key, so one object is stored once

    def dump(self, obj):
        self.out += PROTO
        self._save(obj, key=None)
        self.out += STOP
        return bytes(self.out)

    def _global(self, module, name):
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"

    def _save(self, obj, key):
        if obj is None:
            self.out += NONE
        elif obj is True or obj is False:
            self.out += NEWTRUE if obj else NEWFALSE
        elif isinstance(obj, int) and not isinstance(obj, (np.generic,)):
            self._int(obj)
        elif isinstance(obj, float):
            self.out += b"G" + struct.pack(">d", obj)
        elif isinstance(obj, str):
            data = obj.encode("utf-8", "surrogatepass")
            self.out += b"X" + struct.pack("<I", len(data)) + data
        elif isinstance(obj, collections.OrderedDict):
            self._global("collections", "OrderedDict")
            self.out += EMPTY_TUPLE + REDUCE
            self._items(obj)
        elif isinstance(obj, dict):
            self.out += EMPTY_DICT
            self._items(obj)
        elif isinstance(obj, list):
            self.out += EMPTY_LIST
            if obj:
                self.out += MARK
                for item in obj:
                    self._save(item, key)
                self.out += APPENDS
        elif isinstance(obj, tuple):
            self.out += MARK
            for item in obj:
                self._save(item, key)
            self.out += TUPLE
        else:
            array = self.array_of(obj, key)
            if array is None:
                raise TypeError(f"cannot save an object of type {type(obj).__name__}"
                                + (f" (under '{key}')" if key is not None else "")
                                + ": expected Tensors, NumPy arrays, numbers, strings, dicts, lists or tuples")
            self._tensor(obj, array)

    def _int(self, value):
        if -(1 << 31) <= value < (1 << 31):
            self.out += b"J" + struct.pack("<i", value)
        else:
            data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
            if len(data) > 255:
                raise ValueError(f"integer {value} is too large to save")
            self.out += b"\x8a" + bytes([len(data)]) + data

    def _items(self, mapping):
        if not mapping:
            return
        self.out += MARK
        for k, v in mapping.items():
            self._save(k, None)
            self._save(v, k if isinstance(k, str) else None)
        self.out += SETITEMS

    def _tensor(self, obj, array):
        storage_name = SAVE_STORAGE.get(array.dtype)
        if storage_name is None:
            raise TypeError(f"cannot save arrays of dtype {array.dtype}")
        storage_key = self._storage_keys.get(id(obj))
        if storage_key is None:
            storage_key = str(len(self.storages))
            self._storage_keys[id(obj)] = storage_key
            self.storages.append((storage_key, np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"))))
        strides, step = [], 1
        for n in reversed(array.shape):
            strides.insert(0, step)
            step *= n
        self._global("torch._utils", "_rebuild_tensor_v2")
        self.out += MARK
        self.out += MARK + b"X" + struct.pack("<I", 7) + b"storage"
        self._global("torch", storage_name)
        self._save(storage_key, None)
        self._save("cpu", None)
        self._int(int(array.size))
        self.out += TUPLE + BINPERSID
        self._int(0)
        self._save(tuple(int(n) for n in array.shape), None)
        self._save(tuple(strides), None)
        self.out += NEWFALSE
        self._global("collections", "OrderedDict")
        self.out += EMPTY_TUPLE + REDUCE
        self.out += TUPLE + REDUCE


def _aligned_info(archive, name):
    """A ZipInfo whose data starts on an ALIGNMENT boundary (padding in an 'FB' extra field, as PyTorch does)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    start = archive.fp.tell() + 30 + len(name.encode("utf-8")) + 4
    padding = (-start) % ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
    return info


def write_zip(obj, path, array_of):
    """Writes `obj` to `path` atomically (a synced temporary file renamed over it)."""
    pickler = _Pickler(array_of)
    data_pkl = pickler.dump(obj)
    stem = os.path.splitext(os.path.basename(path))[0]
    prefix = "".join(c if c.isalnum() or c in "_-" else "_" for c in stem) or "archive"
    with atomic_file(path) as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            records = [("data.pkl", data_pkl), ("byteorder", b"little")]
            records += [(f"data/{key}", array.tobytes()) for key, array in pickler.storages]
            records += [("version", FORMAT_VERSION), (".data/version", FORMAT_VERSION)]
            for name, payload in records:
                archive.writestr(_aligned_info(archive, f"{prefix}/{name}"), payload)
