"""torchvision-style datasets: CIFAR10, MNIST, FashionMNIST, ImageFolder / DatasetFolder,
and Digits (scikit-learn's 8x8 digits, no download)."""
from ..data import Subset, TensorDataset, random_split
from .cifar import CIFAR10
from .digits import Digits
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .utils import ChecksumError, DownloadError, UnsafeArchiveError

__all__ = ["CIFAR10", "ChecksumError", "DatasetFolder", "Digits", "DownloadError", "FashionMNIST", "ImageFolder",
           "MNIST", "Subset", "TensorDataset", "UnsafeArchiveError", "random_split"]
