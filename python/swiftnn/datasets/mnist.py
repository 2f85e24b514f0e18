"""MNIST and FashionMNIST (`torchvision.datasets`) from idx files, plain or gzipped,
downloaded on request with an MD5 check per file."""
import gzip
import os
import zlib

from .. import _C
from ..data.dataset import EngineDataset
from .utils import ChecksumError, DownloadError, download_url

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
    """MNIST(root, train=True, transform=None, target_transform=None, download=False, url=None, md5=None).

    Reads the idx files (each plain or .gz) from root/MNIST/raw, as torchvision
    stores them, or from root itself. With download=True and files missing, fetches
    the four .gz files into root/MNIST/raw from `url` (a mirror folder holding them),
    else $SWIFTNN_MNIST_URL, else the official mirrors in turn; each is checked
    against `md5` (a dict {file name: MD5}, for a mirror whose files differ), else the
    published MD5. Items are (image, label) with the image a uint8 [28, 28] array
    before ToTensor."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    url_variable = "SWIFTNN_MNIST_URL"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False, url=None,
                 md5=None):
        self.root = os.path.expanduser(os.fspath(root))
        self.train = train
        if download and not self._check_exists():
            self.download(url, md5)
        images, labels = (self._find(name) for name in FILES[bool(train)])
        handle = _C.dataset_mnist(read_idx_bytes(images), images, read_idx_bytes(labels), labels)
        super().__init__(handle, transform, target_transform)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    def _folders(self):
        return [self.raw_folder, self.root]

    def _locate(self, name):
        for folder in self._folders():
            for candidate in (name, name + ".gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        return None

    def _check_exists(self):
        return all(self._locate(name) for split in FILES.values() for name in split)

    def _find(self, name):
        path = self._locate(name)
        if path is None:
            raise RuntimeError(f"Dataset not found: no {name} or {name}.gz in {' or '.join(self._folders())}. "
                               "You can use download=True to download it")
        return path

    def download(self, url=None, md5=None):
        """Fetches the missing .gz files into raw_folder (see the class docstring)."""
        url = url or os.environ.get(self.url_variable)
        mirrors = [url if url.endswith("/") else url + "/"] if url else self.mirrors
        md5 = md5 or {}
        if not isinstance(md5, dict):
            raise TypeError(f"{type(self).__name__}: md5 must be a dict {{file name: MD5}}, got {type(md5).__name__}")
        for filename, official in self.resources:
            if self._locate(filename[:-len(".gz")]):
                continue
            errors = []
            for mirror in mirrors:
                try:
                    download_url(mirror + filename, self.raw_folder, filename, md5.get(filename, official),
                                 url_variable=self.url_variable)
                    break
                except DownloadError as e:
                    print(f"Failed to download (trying next):\n{e}")
                    errors.append(e)
            else:
                raise DownloadError(f"Error downloading {filename}: every mirror failed ({errors[-1]})")

    def _engine_data(self):
        """The images as uint8 [N, 28, 28]."""
        array = _C.dataset_storage(self._h)
        return array.reshape(array.shape[0], *array.shape[2:])

    def __repr__(self):
        return f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n    Root location: " \
               f"{self.root}\n    Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """FashionMNIST(root, train=True, transform=None, target_transform=None, download=False, url=None, md5=None):
    Zalando's clothing images in MNIST's format, stored in root/FashionMNIST/raw
    ($SWIFTNN_FASHIONMNIST_URL names a mirror); otherwise as MNIST."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    url_variable = "SWIFTNN_FASHIONMNIST_URL"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


__all__ = ["ChecksumError", "FashionMNIST", "MNIST"]
