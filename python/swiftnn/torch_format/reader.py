"""Reads the two layouts `torch.save` writes.

Zip (PyTorch >= 1.6): one top-level folder `<archive>/` holding `data.pkl` (the
object, pickle protocol 2, tensors as persistent ids), `data/<key>` (the raw
bytes of each storage), `byteorder` ("little"/"big"; absent in old files, which
are little-endian) and `version`.

Legacy (before 1.6): five pickles in a row (magic number, protocol version,
system info, the object, the list of storage keys), then each storage as an
int64 element count followed by its bytes.
"""
import io
import struct
import zipfile

import numpy as np

from .storage_types import decode_storage
from .unpickler import PendingTensor, restricted_load

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
# A tensor may repeat storage elements (stride 0), but not into more than this many
# elements beyond its storage's: a hostile file must not make us allocate terabytes.
MAX_EXPANDED_ELEMENTS = 1 << 28


def read_zip(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.count("/") == 1 and n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise ValueError("not a PyTorch zip checkpoint: expected exactly one <archive>/data.pkl")
        prefix = pickles[0][: -len("data.pkl")]
        big_endian = False
        if prefix + "byteorder" in names:
            order = archive.read(prefix + "byteorder").decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise ValueError(f"unknown byteorder {order!r}")
            big_endian = order == "big"
        obj = restricted_load(io.BytesIO(archive.read(pickles[0])))

        def read_storage(ref):
            name = f"{prefix}data/{ref.key}"
            if name not in names:
                raise ValueError(f"storage {ref.key!r} is missing from the archive")
            return decode_storage(archive.read(name), ref.storage_type, ref.count, big_endian)

        return materialize(obj, read_storage)


def read_legacy(path):
    with open(path, "rb") as f:
        if restricted_load(f) != LEGACY_MAGIC:
            raise ValueError("not a PyTorch checkpoint (bad magic number)")
        protocol = restricted_load(f)
        if protocol != LEGACY_PROTOCOL:
            raise ValueError(f"unsupported legacy checkpoint protocol {protocol!r}")
        sys_info = restricted_load(f)
        big_endian = isinstance(sys_info, dict) and sys_info.get("little_endian") is False
        obj = restricted_load(f)
        keys = restricted_load(f)
        if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
            raise ValueError("bad storage key list")
        raw = {}
        for key in keys:
            header = f.read(8)
            if len(header) != 8:
                raise ValueError(f"file ends inside storage {key!r}")
            (nbytes_count,) = struct.unpack(">q" if big_endian else "<q", header)
            raw[key] = _read_legacy_storage(f, key, nbytes_count, obj)
        return materialize(obj, lambda ref: _legacy_storage(ref, raw, big_endian))


def _read_legacy_storage(f, key, count, obj):
    """Raw bytes of one legacy storage; its element size comes from the tensors that use it."""
    itemsize = _legacy_itemsize(obj, key)
    if count < 0 or count * itemsize > (1 << 40):
        raise ValueError(f"bad element count {count} for storage {key!r}")
    data = f.read(count * itemsize)
    if len(data) != count * itemsize:
        raise ValueError(f"file ends inside storage {key!r}")
    return data


def _legacy_itemsize(obj, key):
    for tensor in _pending_tensors(obj):
        if tensor.storage.key == key:
            return tensor.storage.storage_type.dtype.itemsize
    return 1  # a storage no tensor uses: skip its bytes as if they were bytes


def _legacy_storage(ref, raw, big_endian):
    data = raw.get(ref.key)
    if data is None:
        raise ValueError(f"storage {ref.key!r} is missing from the file")
    values = decode_storage(data, ref.storage_type, len(data) // ref.storage_type.dtype.itemsize, big_endian)
    if ref.view is not None:
        _, offset, size = ref.view
        if offset < 0 or size < 0 or offset + size > values.size:
            raise ValueError(f"storage view {ref.view!r} is out of bounds")
        values = values[offset: offset + size]
    return values


def _pending_tensors(obj):
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, PendingTensor):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def materialize(obj, read_storage):
    """`obj` with every PendingTensor replaced by a NumPy array (storages read once, shared)."""
    storages = {}

    def array_of(pending):
        ref = pending.storage
        cache_key = (ref.key, ref.view)
        if cache_key not in storages:
            storages[cache_key] = read_storage(ref)
        values = storages[cache_key]
        if any(n == 0 for n in pending.size):
            return np.zeros(pending.size, dtype=values.dtype)
        elements = int(np.prod(pending.size, dtype=object))
        if elements > max(values.size, MAX_EXPANDED_ELEMENTS):
            raise ValueError(f"a tensor of size {list(pending.size)} is far larger than its storage of "
                             f"{values.size} elements")
        last = pending.offset + sum((n - 1) * s for n, s in zip(pending.size, pending.stride))
        if last >= values.size:
            raise ValueError(f"a tensor of size {list(pending.size)} with stride {list(pending.stride)} at offset "
                             f"{pending.offset} reaches past its storage of {values.size} elements")
        view = np.lib.stride_tricks.as_strided(
            values[pending.offset:], shape=pending.size,
            strides=tuple(s * values.itemsize for s in pending.stride), writeable=False)
        return np.array(view)  # a contiguous copy: shared and overlapping storages stay independent

    def walk(item):
        if isinstance(item, PendingTensor):
            return array_of(item)
        if isinstance(item, dict):
            for key in list(item):
                item[key] = walk(item[key])
            return item
        if isinstance(item, list):
            item[:] = [walk(v) for v in item]
            return item
        if isinstance(item, tuple):
            return tuple(walk(v) for v in item)
        return item

    return walk(obj)
