"""DataLoader (`torch.utils.data.DataLoader`)."""
import numbers

import numpy as np

from .. import _C
from ..random import Generator
from ..random import mix_seed as _mix_seed
from ..integer_tensor import IntegerTensor, from_numpy_array
from ..tensor import Size, Tensor
from ..transforms import engine_chain, engine_specs
from .dataset import Subset
from .sampler import BatchSampler

__all__ = ["DataLoader", "Labels", "default_collate"]

_MASK = 2**64 - 1


# The type of label batches: int64 tensors, as PyTorch's DataLoader yields.
Labels = IntegerTensor


def _labels(values):
    return from_numpy_array(np.asarray(values, dtype=np.int64))


def default_collate(batch):
    """Stacks a list of samples: (x, y) tuples give (Tensor of stacked x, int64 tensor or Tensor of y)."""
    first = batch[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate([sample[i] for sample in batch]) for i in range(len(first)))
    if isinstance(first, (numbers.Integral, np.integer)):
        return _labels(batch)
    # Tensors and arrays keep their dtype (uint8 images, int64 labels); floats become float32.
    return from_numpy_array(np.stack([np.asarray(s) for s in batch]))


def _engine_source(dataset):
    """(handle, transform, target_transform) for an engine dataset, else None.
    Subsets use their base dataset's transforms, as in PyTorch."""
    handle = getattr(dataset, "_h", None)
    if handle is None:
        return None
    base = dataset
    while isinstance(base, Subset):
        base = base.dataset
    return handle, getattr(base, "transform", None), getattr(base, "target_transform", None)


class DataLoader:
    """Batches a dataset: `for images, labels in DataLoader(ds, batch_size=128, shuffle=True)`.

    Engine datasets with engine transforms are batched and transformed in Swift, with
    `prefetch` batches prepared ahead on a background thread. `num_workers` (and
    pin_memory, timeout, worker_init_fn, prefetch_factor, persistent_workers) are
    accepted for compatibility and ignored: loading already runs off the Python
    thread in the engine, so worker processes would add nothing. A Python callable
    transform runs per sample in Python. With `shuffle`, every epoch has a new order,
    fixed by `seed` (else a seed drawn from `generator` or the default generator at
    construction, so `swiftnn.manual_seed` makes runs repeatable).

    `sampler` (indices, exclusive with shuffle) or `batch_sampler` (lists of indices,
    exclusive with batch_size, shuffle, sampler and drop_last) choose the samples as in
    PyTorch; an engine dataset's batches are still assembled and transformed in Swift.
    `collate_fn(list of samples)` makes each batch in Python. Batches are (Tensor images,
    int64 tensor of labels); with `numpy=True`, plain NumPy arrays."""

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 generator=None, *, prefetch_factor=None, persistent_workers=False, seed=None, prefetch=2,
                 numpy=False):
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
        elif not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        elif sampler is not None:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        if seed is None and isinstance(generator, numbers.Integral):
            seed = generator
        elif seed is None and isinstance(generator, Generator):
            seed = generator.next_seed()
        self.dataset = dataset
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.batch_size = None if sampler is None and batch_sampler is not None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.prefetch = int(prefetch)
        self.numpy = bool(numpy)
        self.seed = (_C.random_seed() if seed is None else int(seed)) & _MASK
        self.sampler = sampler
        self._epoch = 0
        self._loader = None
        self._loader_specs = None
        self._pending = None  # (epoch, batches) drawn by _engine_epoch but served by __iter__

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _sampled_epoch(self):
        """With a sampler (e.g. DistributedSampler): this epoch's samples in the sampler's order,
        as an unshuffled loader over that Subset (batched in the engine like any other)."""
        self._epoch += 1
        self._sampled = DataLoader(Subset(self.dataset, list(self.sampler)), batch_size=self.batch_size,
                                   drop_last=self.drop_last, collate_fn=self.collate_fn, seed=0,
                                   prefetch=self.prefetch, numpy=self.numpy)
        return self._sampled

    def __iter__(self):
        if self.sampler is not None:
            return iter(self._sampled_epoch())
        epoch = self._epoch
        self._epoch += 1
        batches = self._sampled_batches(epoch)
        source = _engine_source(self.dataset) if self.collate_fn is None else None
        if source is None:
            return self._python_batches(epoch, batches)
        handle, transform, target_transform = source
        specs = engine_specs(transform)
        if batches is None:
            loaders = [(self._start_engine_epoch(handle, specs, epoch), self.batch_size)]
        else:
            loaders = self._sampled_loaders(handle, specs, batches, epoch)
        raw = _C.dataset_info(handle)[1]
        return self._engine_batches(epoch, loaders, raw, None if specs is not None else transform, target_transform)

    def _sampled_batches(self, epoch):
        """This epoch's index lists from the batch sampler, or None without one."""
        if self.batch_sampler is None:
            return None
        if self._pending is not None and self._pending[0] == epoch:
            batches = self._pending[1]
        else:
            batches = [[int(i) for i in batch] for batch in self.batch_sampler]
        self._pending = None
        return batches

    @staticmethod
    def _regular(batches):
        """True when every batch but the last has the same size and the last is not larger,
        so one engine loader over the concatenated indices gives exactly these batches."""
        sizes = [len(b) for b in batches]
        return bool(sizes) and min(sizes) > 0 and all(n == sizes[0] for n in sizes[:-1]) and sizes[-1] <= sizes[0]

    def _sampled_loaders(self, handle, specs, batches, epoch):
        """Yields (engine loader, batch size) over the sampled indices: one for the epoch when the
        batches are regular, else one per batch, made as iteration reaches it."""
        regular = self._regular(batches)
        groups = [[i for b in batches for i in b]] if regular else [b for b in batches if b]
        for k, indices in enumerate(groups):
            size = len(batches[0]) if regular else len(indices)
            subset = _C.dataset_subset(handle, np.asarray(indices, dtype=np.int64))
            loader = _C.loader_new(subset, engine_chain(specs or []), size, False, False,
                                   _mix_seed(self.seed, epoch, k), self.prefetch if regular else 0)
            _C.loader_start_epoch(loader)
            yield loader, size

    def _start_engine_epoch(self, handle, specs, epoch):
        # The engine counts its own epochs; one engine loader serves one transform chain.
        if self._loader is None or self._loader_specs != specs:
            self._loader = _C.loader_new(handle, engine_chain(specs or []), self.batch_size, self.shuffle,
                                         self.drop_last, self.seed, self.prefetch)
            self._loader_specs = specs
            for _ in range(epoch):
                _C.loader_start_epoch(self._loader)
        _C.loader_start_epoch(self._loader)
        return self._loader

    def _engine_epoch(self):
        """Starts the next epoch in the engine and returns the engine loader handle whose
        batches are exactly the ones iteration gives, or None (nothing started) when
        batches need Python (a Python transform, target_transform or collate_fn)."""
        if self.sampler is not None:
            if _engine_source(self.dataset) is None:
                return None
            return self._sampled_epoch()._engine_epoch()
        source = _engine_source(self.dataset) if self.collate_fn is None else None
        if source is None or source[2] is not None:
            return None
        specs = engine_specs(source[1])
        if specs is None:
            return None
        epoch = self._epoch
        if self.batch_sampler is not None:
            batches = self._sampled_batches(epoch)
            if not self._regular(batches):
                self._pending = (epoch, batches)  # irregular batches: iteration serves them
                return None
            self._epoch += 1
            return next(self._sampled_loaders(source[0], specs, batches, epoch))[0]
        self._epoch += 1
        return self._start_engine_epoch(source[0], specs, epoch)

    def _engine_batches(self, epoch, loaders, raw, python_transform, target_transform):
        for loader, capacity in loaders:
            yield from self._engine_loader_batches(epoch, loader, capacity, raw, python_transform, target_transform)

    def _engine_loader_batches(self, epoch, loader, capacity, raw, python_transform, target_transform):
        while True:
            if self._epoch != epoch + 1:
                raise RuntimeError("this DataLoader iterator was superseded: a newer iteration over the same "
                                   "DataLoader started another epoch")
            item = _C.loader_next(loader, capacity)
            if item is None:
                return
            images, labels = Tensor._wrap(item[0]), item[1]
            if python_transform is not None:
                images = self._transform_in_python(images, raw, python_transform)
            if target_transform is not None:
                labels = default_collate([target_transform(int(y)) for y in labels])
            yield self._output(images, labels)

    @staticmethod
    def _transform_in_python(images, raw, transform):
        """The slow path: each sample (an image as uint8 HWC/HW when raw) through a Python callable."""
        array = images.numpy()
        samples = []
        for x in array:
            if raw and x.ndim == 3:
                x = np.rint(x).astype(np.uint8)
                x = x[0] if x.shape[0] == 1 else np.ascontiguousarray(x.transpose(1, 2, 0))
            else:
                x = Tensor(x)
            samples.append(transform(x))
        return default_collate(samples)

    def _python_batches(self, epoch, batches=None):
        if batches is None:
            n = len(self.dataset)
            order = _C.random_permutation(n, _mix_seed(self.seed, epoch)) if self.shuffle else np.arange(n)
            batches = [order[b * self.batch_size:(b + 1) * self.batch_size] for b in range(len(self))]
        collate = self.collate_fn or default_collate
        for indices in batches:
            samples = [self.dataset[int(i)] for i in indices]
            batch = collate(samples)
            yield self._output(*batch) if self.collate_fn is None and isinstance(batch, tuple) and len(batch) == 2 \
                else batch

    def _output(self, images, labels):
        if self.numpy:
            to_np = lambda v: v.numpy() if isinstance(v, (Tensor, Labels)) else v
            return to_np(images), to_np(labels)
        return images, labels if isinstance(labels, (Tensor, Labels)) else _labels(labels)
