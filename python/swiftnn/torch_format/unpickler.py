"""A restricted unpickler for PyTorch checkpoints: it builds tensors, dicts,
OrderedDicts, lists, tuples, numbers, strings, bools and None, and nothing else.

Pickle runs whatever callables a file names (GLOBAL + REDUCE); here every global
is looked up in a fixed table of stand-ins that only record data, so no code of
the file's choosing runs. A global outside the table raises UnpicklingError.
Tensors come out as `PendingTensor`s, resolved once the storages are read (the
legacy format stores them after the pickle)."""
import collections
import pickle
import pickletools
import warnings

from .storage_types import STORAGE_DTYPES, StorageType


class _Sealed:
    """No pickle BUILD may set attributes on the stand-ins."""
    __slots__ = ()

    def __setstate__(self, state):
        raise pickle.UnpicklingError(f"cannot set state on {type(self).__name__}")


class PendingTensor(_Sealed):
    """`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`, not yet materialised."""
    __slots__ = ("storage", "offset", "size", "stride")

    def __init__(self, storage, offset, size, stride):
        if not isinstance(storage, StorageRef):
            raise pickle.UnpicklingError("a tensor must be rebuilt from a storage persistent id")
        if not (_is_int(offset) and offset >= 0):
            raise pickle.UnpicklingError(f"bad tensor storage offset {offset!r}")
        if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)
                and all(_is_int(n) and n >= 0 for n in size) and all(_is_int(s) and s >= 0 for s in stride)):
            raise pickle.UnpicklingError(f"bad tensor size {size!r} / stride {stride!r}")
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class StorageRef(_Sealed):
    """A persistent id `('storage', storage_type, key, location, numel[, view_metadata])`."""
    __slots__ = ("storage_type", "key", "count", "view")

    def __init__(self, storage_type, key, count, view=None):
        self.storage_type, self.key, self.count, self.view = storage_type, key, count, view


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    return PendingTensor(storage, storage_offset, tuple(size), tuple(stride))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return PendingTensor(storage, storage_offset, tuple(size), tuple(stride))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    if not isinstance(data, PendingTensor):
        raise pickle.UnpicklingError("a Parameter must wrap a tensor")
    return data


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data)


def _ordered_dict(items=()):
    return collections.OrderedDict(items)


_ALLOWED = {
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
}
_ALLOWED.update({("torch", name): StorageType(name) for name in STORAGE_DTYPES})


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name}: only tensors, dicts, lists, tuples, numbers "
                "and strings are allowed (the file may run code)") from None

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")
        storage_type, key, _location, count = pid[1:5]
        if not isinstance(storage_type, StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r:.80}")
        if not (isinstance(key, str) and _is_int(count) and count >= 0):
            raise pickle.UnpicklingError(f"bad storage id {pid!r:.80}")
        view = pid[5] if len(pid) == 6 else None
        if view is not None and not (isinstance(view, tuple) and len(view) == 3 and isinstance(view[0], str)
                                     and _is_int(view[1]) and _is_int(view[2])):
            raise pickle.UnpicklingError(f"bad storage view {view!r:.80}")
        return StorageRef(storage_type, key, count, view)


_MEMO_OPCODES = {"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"}


def _check_opcodes(file):
    """Parses one pickle without running it (pickletools) and refuses memo indices beyond
    its length: CPython's unpickler sizes its memo table by the largest index, so one
    corrupted byte could otherwise make it allocate gigabytes."""
    start, largest = file.tell(), -1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # pickletools on odd escapes in damaged text
        for opcode, arg, _ in pickletools.genops(file):
            if opcode.name in _MEMO_OPCODES:
                largest = max(largest, int(arg))
    if largest > file.tell() - start:
        raise pickle.UnpicklingError(f"memo index {largest} is out of range for a pickle of {file.tell() - start} bytes")


def restricted_load(file):
    """One pickle from the seekable binary file object `file`, through the restricted unpickler."""
    start = file.tell()
    _check_opcodes(file)
    file.seek(start)
    return RestrictedUnpickler(file).load()
