"""CIFAR-10 (`torchvision.datasets.CIFAR10`), from either official layout."""
import os
import pickle
from urllib.parse import urlparse

import numpy as np

from .. import _C
from ..data.dataset import EngineDataset
from .utils import download_url, extract_archive

OFFICIAL_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# The published MD5 of each official archive, by file name.
OFFICIAL_MD5 = {
    "cifar-10-python.tar.gz": "c58f30108f718f92721af3b95e74349a",
    "cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530",
}
BIN_FOLDER, PY_FOLDER = "cifar-10-batches-bin", "cifar-10-batches-py"


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles only what a CIFAR-10 batch holds (dicts, lists, bytes, NumPy arrays)."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected object {module}.{name}")


def read_py_batch(path):
    """(uint8 [n, 3, 32, 32], int64 [n]) from one pickled batch, validated; errors name the file."""
    try:
        with open(path, "rb") as f:
            entry = _BatchUnpickler(f, encoding="bytes").load()
    except FileNotFoundError:
        raise
    except Exception as e:  # any unpickling failure means a damaged file
        raise OSError(f"{path}: cannot read CIFAR-10 batch (truncated or corrupt file): {e!r}") from e
    if not isinstance(entry, dict) or b"data" not in entry or b"labels" not in entry:
        raise OSError(f"{path}: not a CIFAR-10 batch (expected a dict with b'data' and b'labels')")
    data, labels = np.asarray(entry[b"data"]), np.asarray(entry[b"labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise OSError(f"{path}: data must be uint8 [n, 3072], got {data.dtype} {list(data.shape)} (corrupt file)")
    if labels.shape != (data.shape[0],) or labels.dtype.kind not in "iu" or \
            (labels.size and (labels.min() < 0 or labels.max() > 9)):
        raise OSError(f"{path}: labels must be {data.shape[0]} integers in 0..9 (corrupt file)")
    return data.reshape(-1, 3, 32, 32), labels.astype(np.int64)


class CIFAR10(EngineDataset):
    """CIFAR10(root, train=True, transform=None, target_transform=None, download=False, url=None, md5=None).

    Reads root/cifar-10-batches-bin (binary version, decoded by the engine) or
    root/cifar-10-batches-py (pickled version, as torchvision). With download=True
    and neither present, fetches the archive from `url`, else $SWIFTNN_CIFAR10_URL,
    else the official site; checks it against `md5`, else $SWIFTNN_CIFAR10_MD5,
    else the official archive's published MD5 for that file name; extracts it safely.
    Items are (image, label): an image is a uint8 [32, 32, 3] array before
    ToTensor, as torchvision's PIL image."""

    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False, url=None,
                 md5=None):
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        if download and self._present():
            print("Files already downloaded and verified")  # torchvision's words
        elif download:
            self.download(url, md5)
        if not self._present():
            raise RuntimeError(f"Dataset not found or corrupted: no {BIN_FOLDER} or {PY_FOLDER} in "
                               f"{self.root}. You can use download=True to download it")
        super().__init__(self._load(), transform, target_transform)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _present(self):
        return any(os.path.isdir(os.path.join(self.root, f)) for f in (BIN_FOLDER, PY_FOLDER))

    def _load(self):
        if os.path.isdir(os.path.join(self.root, BIN_FOLDER)):
            return _C.dataset_cifar10(self.root, bool(self.train))
        folder = os.path.join(self.root, PY_FOLDER)
        names = [f"data_batch_{i}" for i in range(1, 6)] if self.train else ["test_batch"]
        parts = []
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                raise OSError(f"CIFAR-10 batch file not found: {path}")
            parts.append(read_py_batch(path))
        return _C.dataset_from_array(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))

    def download(self, url=None, md5=None):
        url = url or os.environ.get("SWIFTNN_CIFAR10_URL") or OFFICIAL_URL
        filename = os.path.basename(urlparse(url).path) or "cifar-10-python.tar.gz"
        md5 = md5 or os.environ.get("SWIFTNN_CIFAR10_MD5") or OFFICIAL_MD5.get(filename,
                                                                            OFFICIAL_MD5["cifar-10-python.tar.gz"])
        archive = download_url(url, self.root, filename, md5)
        extract_archive(archive, self.root)
        if not self._present():
            raise RuntimeError(f"{archive} did not contain {BIN_FOLDER} or {PY_FOLDER}")

    def _engine_data(self):
        """The images as uint8 [N, 32, 32, 3], as torchvision's `.data`."""
        return _C.dataset_storage(self._h).transpose(0, 2, 3, 1)

    def __repr__(self):
        return f"Dataset CIFAR10\n    Number of datapoints: {len(self)}\n    Root location: {self.root}\n" \
               f"    Split: {'Train' if self.train else 'Test'}"
