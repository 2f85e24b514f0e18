"""The storage classes a PyTorch checkpoint names (`torch.FloatStorage`, ...) and
the NumPy dtype of their elements. bfloat16 has no NumPy dtype: it is read as
uint16 and widened to float32 (its top 16 bits), exactly."""
import numpy as np

# name -> NumPy dtype of one element as stored (little-endian unless the file says otherwise).
STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}

# NumPy dtype of an array being saved -> the storage class PyTorch reads it back as.
SAVE_STORAGE = {
    np.dtype(np.float32): "FloatStorage",
    np.dtype(np.float64): "DoubleStorage",
    np.dtype(np.float16): "HalfStorage",
    np.dtype(np.int64): "LongStorage",
    np.dtype(np.int32): "IntStorage",
    np.dtype(np.int16): "ShortStorage",
    np.dtype(np.int8): "CharStorage",
    np.dtype(np.uint8): "ByteStorage",
    np.dtype(np.bool_): "BoolStorage",
}


class StorageType:
    """What `torch.FloatStorage` and friends unpickle to: only a name and a dtype."""
    __slots__ = ("name", "dtype")

    def __setstate__(self, state):
        raise TypeError("storage types carry no state")

    def __init__(self, name):
        self.name = name
        self.dtype = STORAGE_DTYPES[name]

    def __repr__(self):
        return f"torch.{self.name}"


def decode_storage(raw, storage_type, count, big_endian):
    """The elements of one storage as a 1-D NumPy array (bfloat16 widened to float32)."""
    dtype = storage_type.dtype.newbyteorder(">" if big_endian else "<")
    if len(raw) != count * dtype.itemsize:
        raise ValueError(f"storage of {count} {storage_type.name} elements holds {len(raw)} bytes, "
                         f"expected {count * dtype.itemsize}")
    values = np.frombuffer(raw, dtype=dtype, count=count)
    if storage_type.name == "BFloat16Storage":
        return (values.astype(np.uint32) << 16).view(np.float32)
    return values.astype(dtype.newbyteorder("="), copy=False)
