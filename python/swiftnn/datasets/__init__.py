"""Datasets with torchvision's names: CIFAR10, MNIST, plus Digits (offline demo)."""
from ..data import Subset, TensorDataset, random_split
from .cifar import CIFAR10
from .digits import Digits
from .mnist import MNIST
from .utils import ChecksumError, DownloadError, UnsafeArchiveError

__all__ = ["CIFAR10", "ChecksumError", "Digits", "DownloadError", "MNIST", "Subset", "TensorDataset",
           "UnsafeArchiveError", "random_split"]
