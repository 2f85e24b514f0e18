"""Datasets (`torch.utils.data` names): Dataset, TensorDataset, Subset, random_split
(ConcatDataset is in concat.py).

A dataset whose samples live in the engine (CIFAR10, MNIST, Digits,
TensorDataset of (samples, integer labels), and Subsets of those) carries an
engine handle, so the DataLoader batches and transforms it in Swift."""
import numbers

import numpy as np

from .. import _C
from ..integer_tensor import from_numpy_array
from ..tensor import Tensor
from .reassign import engine_arrays

__all__ = ["Dataset", "EngineDataset", "Subset", "TensorDataset", "random_split"]


class Dataset:
    """Map-style dataset: `__getitem__(index)` and `__len__()`."""

    def __getitem__(self, index):
        raise NotImplementedError("Dataset subclasses must implement __getitem__")

    def __len__(self):
        raise NotImplementedError("Dataset subclasses must implement __len__")

    def __add__(self, other):
        from .concat import ConcatDataset
        return ConcatDataset([self, other])


def _index(index, length):
    if not isinstance(index, numbers.Integral):
        raise TypeError(f"dataset indices must be integers, got {type(index).__name__}")
    index = int(index)
    if index < 0:
        index += length
    if not 0 <= index < length:
        raise IndexError(f"index {index} is out of range for a dataset of {length} samples")
    return index


class EngineDataset(Dataset):
    """Samples and integer labels held by the engine. `transform` runs on each sample
    (an image is a uint8 HWC array before ToTensor), `target_transform` on each label.

    `data` and `targets` read the engine's copy. Either may be assigned, as scripts
    written for torchvision do (`ds.data = torch.tensor(ds.data)`, `ds.targets =
    list(...)`): the attribute then returns the assigned object, and items come from
    data[i] and targets[i] as in torchvision. When both are arrays the engine can hold
    (uint8 images, float arrays or Tensors; integer labels) the dataset keeps a new
    engine copy of them, so loading stays in Swift at full speed; in-place changes to
    an assigned object after the assignment are not seen (assign it again). Other
    values are served from Python, item by item."""

    def __init__(self, handle, transform=None, target_transform=None):
        self._h = handle
        self.transform = transform
        self.target_transform = target_transform
        self._shape, self._raw = _C.dataset_info(handle)
        self._assigned = {}

    def __len__(self):
        if self._h is None and self._assigned:
            return len(self._assigned.get("targets", self._assigned.get("data")))
        return _C.dataset_len(self._h)

    def __getitem__(self, index):
        index = _index(index, len(self))
        if self._h is None and self._assigned:
            sample, label = self._assigned_item(index)
        else:
            handle, label = _C.dataset_get(self._h, index)
            sample = Tensor._wrap(handle)
            if self._raw and len(self._shape) == 3:
                array = sample.numpy().astype(np.uint8)
                sample = array[0] if self._shape[0] == 1 else np.ascontiguousarray(array.transpose(1, 2, 0))
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return sample, label

    def _assigned_item(self, index):
        data, targets = self.data, self.targets
        sample = np.asarray(data)[index]
        if isinstance(data, Tensor):  # a tensor of the data's dtype (uint8 images stay uint8)
            sample = from_numpy_array(sample)
        return sample, int(np.asarray(targets)[index])

    def _engine_data(self):
        return _C.dataset_storage(self._h)

    @property
    def data(self):
        return self._assigned["data"] if "data" in self._assigned else self._engine_data()

    @data.setter
    def data(self, value):
        self._reassign("data", value)

    @property
    def targets(self):
        if "targets" in self._assigned:
            return self._assigned["targets"]
        return _C.dataset_labels(self._h).tolist()

    @targets.setter
    def targets(self, value):
        self._reassign("targets", value)

    def _reassign(self, name, value):
        if not self._assigned:  # keep what was not assigned, as the getters showed it
            self._assigned = {"data": self._engine_data(), "targets": self.targets}
        self._assigned[name] = value
        arrays = engine_arrays(self._assigned["data"], self._assigned["targets"])
        self._h = None if arrays is None else _C.dataset_from_array(*arrays)
        if self._h is not None:
            self._shape, self._raw = _C.dataset_info(self._h)


class TensorDataset(EngineDataset):
    """Samples indexed along the first dimension of each array (`TensorDataset(x, y)`).

    With exactly two arrays, the second holding integer labels, the samples live in
    the engine (uint8 arrays count as raw pixels for ToTensor) and item i is
    (Tensor x[i], int y[i]); an optional `transform` then runs on each sample, as
    in the image datasets. Otherwise item i is the tuple of Tensors/values."""

    def __init__(self, *tensors, transform=None, target_transform=None):
        arrays = [t.numpy() if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        if any(a.ndim == 0 or a.shape[0] != arrays[0].shape[0] for a in arrays):
            raise ValueError("Size mismatch between tensors: every array needs the same first dimension")
        self.tensors = arrays
        if len(arrays) == 2 and arrays[1].ndim == 1 and arrays[1].dtype.kind in "iub":
            super().__init__(_C.dataset_from_array(arrays[0], arrays[1].astype(np.int64)), transform,
                             target_transform)
        elif transform is not None or target_transform is not None:
            raise ValueError("TensorDataset: transforms need exactly two arrays, samples and integer labels")
        else:
            self._h, self.transform, self.target_transform, self._assigned = None, None, None, {}

    def __len__(self):
        return self.tensors[0].shape[0]

    def __getitem__(self, index):
        i = _index(index, len(self))
        if self._h is None:
            return tuple(from_numpy_array(a[i]) if a.dtype.kind in "biuf" and a.ndim > 1 else a[i]
                         for a in self.tensors)
        if self.transform is None and self.target_transform is None:
            return from_numpy_array(self.tensors[0][i]), int(self.tensors[1][i])
        return super().__getitem__(i)


class Subset(Dataset):
    """The samples of `dataset` at `indices`."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [int(i) for i in indices]
        n = len(dataset)
        for i in self.indices:
            if not 0 <= i < n:
                raise IndexError(f"subset index {i} is out of range for a dataset of {n} samples")
        base = getattr(dataset, "_h", None)
        self._h = _C.dataset_subset(base, np.asarray(self.indices, dtype=np.int64)) if base is not None else None

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[_index(index, len(self))]]


def _lengths(lengths, n):
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        # Fractions, as PyTorch: floor each, then hand the remainder out one by one.
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    if any(not isinstance(x, numbers.Integral) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    return [int(x) for x in lengths]


def random_split(dataset, lengths, seed=None, generator=None):
    """Non-overlapping random Subsets of the given lengths (or fractions). The order
    comes from the engine's generator: `seed`, else a seed drawn from the default
    generator (fixed by `swiftnn.manual_seed`), or one from `generator` (a
    swiftnn.Generator, or an int seed)."""
    from ..random import next_seed
    n = len(dataset)
    counts = _lengths(lengths, n)
    order = _C.random_permutation(n, next_seed(generator) if seed is None else int(seed) & (2**64 - 1))
    out, start = [], 0
    for count in counts:
        out.append(Subset(dataset, order[start:start + count]))
        start += count
    return out
