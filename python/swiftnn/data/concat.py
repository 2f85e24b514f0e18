"""`ConcatDataset`: several datasets read one after another (`torch.utils.data.ConcatDataset`)."""
import bisect
import numbers

from .dataset import Dataset

__all__ = ["ConcatDataset"]


class ConcatDataset(Dataset):
    """Item i comes from the dataset whose cumulative size first exceeds i. Items are read
    through each part's own `__getitem__` (and transforms), so batches are made in Python."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes, total = [], 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if not isinstance(idx, numbers.Integral):
            raise TypeError(f"dataset indices must be integers, got {type(idx).__name__}")
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        if idx >= len(self):
            raise IndexError(f"index {idx} is out of range for a dataset of {len(self)} samples")
        part = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[part - 1] if part > 0 else 0
        return self.datasets[part][idx - start]
