"""Where integer results leave the indexing code (`where(cond)`): int64 tensors."""


def int64_result(array):
    from .integer_tensor import from_numpy_array  # late: integer_tensor imports tensor.py

    return from_numpy_array(array)
