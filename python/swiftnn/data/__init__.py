"""Data loading with `torch.utils.data`'s names: Dataset, TensorDataset, Subset,
random_split and DataLoader."""
from .dataset import Dataset, EngineDataset, Subset, TensorDataset, random_split
from .loader import DataLoader, Labels, default_collate
from .distributed import DistributedSampler

__all__ = ["DataLoader", "Dataset", "DistributedSampler", "EngineDataset", "Labels", "Subset", "TensorDataset", "default_collate",
           "random_split"]
