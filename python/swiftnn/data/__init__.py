"""Data loading with `torch.utils.data`'s names: Dataset, TensorDataset, Subset,
ConcatDataset, random_split, the samplers and DataLoader."""
from .concat import ConcatDataset
from .dataset import Dataset, EngineDataset, Subset, TensorDataset, random_split
from .loader import DataLoader, Labels, default_collate
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "EngineDataset", "Labels",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "default_collate", "random_split"]
