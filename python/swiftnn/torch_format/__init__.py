"""PyTorch checkpoint files (`torch.save` / `torch.load`) without PyTorch.

`load` reads both layouts torch.save has written (zip, and the legacy one before
PyTorch 1.6) through a restricted unpickler that builds only tensors, dicts,
OrderedDicts, lists, tuples, numbers and strings; `save` writes the zip layout
that `torch.load(f, weights_only=True)` accepts. See reader.py / writer.py."""
import pickle
from .reader import read_legacy, read_zip
from .writer import write_zip

ZIP_MAGIC = b"PK\x03\x04"


def sniff(path):
    """'zip', 'legacy' (a pickle stream) or None, from the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head == ZIP_MAGIC:
        return "zip"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "legacy"
    return None


def load_arrays(path):
    """The object stored in a PyTorch checkpoint, tensors as NumPy arrays of their dtype.

    Raises pickle.UnpicklingError for a global outside the allowed set (code the file
    would run) and OSError for anything damaged, both naming the file."""
    kind = sniff(path)
    try:
        if kind == "zip":
            return read_zip(path)
        if kind == "legacy":
            return read_legacy(path)
    except pickle.UnpicklingError as error:
        raise pickle.UnpicklingError(f"{path}: {error}") from None
    except OSError as error:
        raise OSError(f"{path}: {error}") from None
    except Exception as error:  # noqa: BLE001  (whatever a damaged file makes a parser raise)
        raise OSError(f"{path}: damaged PyTorch checkpoint ({type(error).__name__}: {error})") from None
    raise OSError(f"{path}: not a PyTorch checkpoint (neither a zip archive nor a pickle stream)")


def save_arrays(obj, path, array_of):
    """Writes `obj` (dicts, lists, tuples, numbers, strings; values `array_of` turns into
    NumPy arrays become tensors) as a PyTorch zip checkpoint, atomically."""
    write_zip(obj, path, array_of)


__all__ = ["load_arrays", "save_arrays", "sniff"]
