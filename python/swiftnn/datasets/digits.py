"""scikit-learn's bundled 8x8 handwritten digits: a dataset that needs no download."""
from .. import _C
from ..data.dataset import EngineDataset


class Digits(EngineDataset):
    """Digits(train=None, transform=None, target_transform=None): the 1,797 8x8 digit images
    of `sklearn.datasets.load_digits` (scikit-learn is an optional dependency), as
    float32 [1, 8, 8] samples scaled to [0, 1] (pixel / 16). train=True keeps the
    first 80% (1,437 images), train=False the rest, None all of them."""

    classes = [str(d) for d in range(10)]

    def __init__(self, train=None, transform=None, target_transform=None):
        try:
            from sklearn.datasets import load_digits
        except ImportError as e:
            raise ImportError("swiftnn.datasets.Digits needs scikit-learn: pip install scikit-learn") from e
        bunch = load_digits()
        images = (bunch.images / 16.0).astype("float32").reshape(-1, 1, 8, 8)
        labels = bunch.target.astype("int64")
        split = int(len(labels) * 0.8)
        if train is not None:
            part = slice(0, split) if train else slice(split, None)
            images, labels = images[part], labels[part]
        self.train = train
        super().__init__(_C.dataset_from_array(images, labels), transform, target_transform)
