"""Assigned `dataset.data` / `dataset.targets` back into the engine.

Scripts written for torchvision replace a dataset's arrays (`ds.data =
torch.tensor(ds.data)`, `ds.targets = list(...)`). When the new values are
arrays the engine can hold, the dataset gets a new engine copy of them, so
items and batches keep coming from Swift at full speed."""
import numpy as np

from ..tensor import Tensor

__all__ = ["engine_arrays"]


def _labels(targets):
    try:
        labels = targets.numpy() if isinstance(targets, Tensor) else np.asarray(targets)
    except (TypeError, ValueError):
        return None
    if labels.ndim != 1:
        return None
    if labels.dtype.kind == "f":  # float tensors holding class indices
        if not np.all(np.isfinite(labels)) or not np.array_equal(labels, np.round(labels)):
            return None
    elif labels.dtype.kind not in "iub":
        return None
    return labels.astype(np.int64)


def _samples(data):
    """The engine layout of `data`: uint8 images (N,H,W,C) / (N,H,W) become raw-pixel (N,C,H,W),
    so items are the same HWC/HW images as torchvision's; float arrays and Tensors stay as they are
    (items are Tensors of data[i])."""
    if isinstance(data, Tensor):  # kept in the layout the script gave it (often permuted to NCHW)
        return np.asarray(data, dtype=np.float32)
    if not isinstance(data, np.ndarray) or data.ndim < 2:
        return None
    if data.dtype == np.uint8:
        if data.ndim == 4:
            return np.ascontiguousarray(data.transpose(0, 3, 1, 2))
        return np.ascontiguousarray(data[:, None]) if data.ndim == 3 else None
    return data.astype(np.float32) if data.dtype.kind in "fiu" and data.dtype != np.uint8 else None


def engine_arrays(data, targets):
    """(samples, int64 labels) for `_C.dataset_from_array`, or None when the pair cannot live in
    the engine (then the dataset serves items from the Python objects)."""
    samples, labels = _samples(data), _labels(targets)
    if samples is None or labels is None or len(samples) != len(labels):
        return None
    return samples, labels
