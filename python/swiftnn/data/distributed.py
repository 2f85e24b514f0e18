"""`DistributedSampler` (torch.utils.data.DistributedSampler): each rank a disjoint shard of
the dataset per epoch. Shuffled with seed + epoch (call `set_epoch` every epoch, as in
PyTorch, or let `swiftnn.train.fit` do it); without drop_last the index list is padded by
repeating its start so every rank gets the same number of samples; with drop_last the tail
is dropped instead."""
import math
import numbers

import numpy as np

from .. import _C

_MASK = 2**64 - 1


class DistributedSampler:
    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from .. import distributed as dist
            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: give num_replicas and rank, or call "
                                   "swiftnn.distributed.init_process_group first")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if not isinstance(num_replicas, numbers.Integral) or num_replicas < 1:
            raise ValueError(f"num_replicas must be a positive integer, got {num_replicas!r}")
        if not isinstance(rank, numbers.Integral) or rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = bool(shuffle)
        self.seed = int(seed)

    def indices(self):
        """This rank's dataset indices for the current epoch (an int64 array)."""
        n = len(self.dataset)
        order = (_C.random_permutation(n, (self.seed + self.epoch) & _MASK) if self.shuffle
                 else np.arange(n, dtype=np.int64))
        if not self.drop_last:
            padding = self.total_size - n
            if padding > 0 and n > 0:
                order = np.concatenate([order, np.resize(order, padding)])
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __iter__(self):
        return iter(int(i) for i in self.indices())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Sets the epoch, which with `seed` fixes the shuffle: every rank must use the same."""
        self.epoch = int(epoch)
