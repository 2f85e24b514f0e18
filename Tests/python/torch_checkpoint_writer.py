"""Writes PyTorch checkpoint files from the format's specification, independently of
swiftnn's writer, for the tests: Python's own pickle (protocol 2) with stand-ins for
`torch._utils._rebuild_tensor_v2` and `torch.<X>Storage` registered as fake modules
while writing, storages as persistent ids `('storage', type, key, 'cpu', numel)`.

Zip layout: `<archive>/data.pkl`, `<archive>/byteorder`, `<archive>/data/<key>`,
`<archive>/version`. Legacy layout: magic number, protocol 1001, sys info, the
object, the storage key list (five pickles), then per storage an int64 element
count and its bytes."""
import collections
import contextlib
import io
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

STORAGE_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
                 "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
                 "uint8": "ByteStorage", "bool": "BoolStorage"}


class Storage:
    """One storage: raw little-endian (or big-endian) element bytes and its torch type name."""

    def __init__(self, key, values, dtype="float32", big_endian=False):
        self.key, self.dtype = key, dtype
        if dtype == "bfloat16":   # the top 16 bits of each float32
            raw = (np.asarray(values, np.float32).view(np.uint32) >> 16).astype(np.uint16)
        else:
            raw = np.asarray(values, dtype=dtype)
        self.count = raw.size
        self.data = raw.astype(raw.dtype.newbyteorder(">" if big_endian else "<")).tobytes()


class TensorRef:
    """A tensor over `storage` as torch pickles it: _rebuild_tensor_v2(storage, offset, size, stride, ...)."""

    def __init__(self, storage, size, stride=None, offset=0, parameter=False):
        if stride is None:
            stride, step = [], 1
            for n in reversed(size):
                stride.insert(0, step)
                step *= n
        self.storage, self.size, self.stride, self.offset = storage, tuple(size), tuple(stride), offset
        self.parameter = parameter

    def __reduce__(self):
        rebuilt = (sys.modules["torch._utils"]._rebuild_tensor_v2,
                   (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))
        if self.parameter:
            return sys.modules["torch._utils"]._rebuild_parameter, (_Rebuilt(rebuilt), True, collections.OrderedDict())
        return rebuilt


class _Rebuilt:
    def __init__(self, reduced):
        self.reduced = reduced

    def __reduce__(self):
        return self.reduced


@contextlib.contextmanager
def fake_torch():
    """`torch` and `torch._utils` modules holding only what pickling needs to name."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    for name in set(STORAGE_NAMES.values()):
        setattr(torch, name, type(name, (), {"__module__": "torch"}))
    for name in ("_rebuild_tensor_v2", "_rebuild_parameter"):
        fn = lambda *args: None  # noqa: E731  (never called: only its name is pickled)
        fn.__module__, fn.__name__, fn.__qualname__ = "torch._utils", name, name
        setattr(utils, name, fn)
    torch._utils = utils
    saved = {k: sys.modules.get(k) for k in ("torch", "torch._utils")}
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils
    try:
        yield torch
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def _pickle(obj, legacy=False):
    with fake_torch() as torch:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=2)

        def persistent_id(item):
            if isinstance(item, Storage):
                pid = ("storage", getattr(torch, STORAGE_NAMES[item.dtype]), item.key, "cpu", item.count)
                return pid + (None,) if legacy else pid
            return None

        pickler.persistent_id = persistent_id
        pickler.dump(obj)
        return buffer.getvalue()


def storages_of(obj):
    found = {}
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, TensorRef):
            found[item.storage.key] = item.storage
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return [found[k] for k in sorted(found)]


def write_zip(path, obj, prefix="archive", byteorder="little", data_pkl=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{prefix}/data.pkl", data_pkl if data_pkl is not None else _pickle(obj))
        if byteorder is not None:
            archive.writestr(f"{prefix}/byteorder", byteorder)
        for storage in storages_of(obj):
            archive.writestr(f"{prefix}/data/{storage.key}", storage.data)
        archive.writestr(f"{prefix}/version", "3\n")


def write_legacy(path, obj):
    storages = storages_of(obj)
    with open(path, "wb") as f:
        for header in (0x1950A86A20F9469CFC6C, 1001,
                       {"protocol_version": 1001, "little_endian": True,
                        "type_sizes": {"short": 2, "int": 4, "long": 4}}):
            pickle.dump(header, f, protocol=2)
        f.write(_pickle(obj, legacy=True))
        pickle.dump([s.key for s in storages], f, protocol=2)
        for storage in storages:
            f.write(struct.pack("<q", storage.count))
            f.write(storage.data)
