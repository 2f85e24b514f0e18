"""MNIST (`torchvision.datasets.MNIST`) from idx files, plain or gzipped."""
import gzip
import os
import zlib

from .. import _C
from ..data.dataset import EngineDataset

FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def read_idx_bytes(path):
    """The bytes of an idx file, gunzipped when its name ends in .gz; errors name the file."""
    with open(path, "rb") as f:
        data = f.read()
    if not path.endswith(".gz"):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise OSError(f"{path}: cannot decompress (truncated or corrupt gzip file): {e}") from e


class MNIST(EngineDataset):
    """MNIST(root, train=True, transform=None, target_transform=None, download=False).

    Looks for the idx files (each plain or .gz) in root/MNIST/raw, then in root.
    Items are (image, label) with the image a uint8 [28, 28] array before ToTensor.
    Downloading is not offered: put the files there yourself."""

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        images, labels = (self._find(name) for name in FILES[bool(train)])
        handle = _C.dataset_mnist(read_idx_bytes(images), images, read_idx_bytes(labels), labels)
        super().__init__(handle, transform, target_transform)

    def _find(self, name):
        folders = [os.path.join(self.root, "MNIST", "raw"), self.root]
        for folder in folders:
            for candidate in (name, name + ".gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        raise RuntimeError(f"Dataset not found: no {name} or {name}.gz in {' or '.join(folders)}. "
                           "swiftnn does not download MNIST; put the idx files there")

    def _engine_data(self):
        """The images as uint8 [N, 28, 28]."""
        array = _C.dataset_storage(self._h)
        return array.reshape(array.shape[0], *array.shape[2:])
