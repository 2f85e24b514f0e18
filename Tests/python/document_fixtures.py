"""Small synthetic data in the official on-disk layouts, for the documents-style tests
(test_documents_*.py, test_train_notebook.py): a CIFAR-10 whose classes a small network can tell apart, MNIST idx
files and an ImageFolder tree. Import the fixtures into a test module to use them."""
import gzip
import pickle
import struct

import numpy as np
import pytest


CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def learnable_images(rng, labels, size=32, channels=3):
    """uint8 [n, channels, size, size] images whose class shows as a bright band: the band's
    row block and channel depend on the label, under noise."""
    n = len(labels)
    images = rng.integers(0, 96, size=(n, channels, size, size), dtype=np.int64)
    band = size // 10 or 1
    for i, label in enumerate(labels):
        row = (label * band) % (size - band + 1)
        images[i, label % channels, row:row + band, :] += 150
    return np.clip(images, 0, 255).astype(np.uint8)


def write_cifar_python(root, train_per_batch=16, test_count=40, seed=0):
    """root/cifar-10-batches-py with five training batches and a test batch (labels cycle 0..9)."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, n in [(f"data_batch_{i}", train_per_batch) for i in range(1, 6)] + [("test_batch", test_count)]:
        labels = [int(v) for v in rng.permutation(np.arange(n) % 10)]
        images = learnable_images(rng, labels)
        (folder / name).write_bytes(pickle.dumps({b"data": images.reshape(n, -1), b"labels": labels}))
    meta = {b"label_names": [c.encode() for c in CIFAR_CLASSES]}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))
    return root


def write_cifar_binary(root, train_per_batch=10, test_count=10, seed=0):
    """root/cifar-10-batches-bin as the binary version ships it: five training batches and a
    test batch of records (one label byte, then 3072 channel-major pixel bytes) and
    batches.meta.txt with one class name per line."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    for name, n in [(f"data_batch_{i}.bin", train_per_batch) for i in range(1, 6)] + [("test_batch.bin", test_count)]:
        labels = rng.permutation(np.arange(n) % 10).astype(np.uint8)
        records = np.concatenate([labels[:, None], learnable_images(rng, labels).reshape(n, -1)], axis=1)
        (folder / name).write_bytes(records.tobytes())
    (folder / "batches.meta.txt").write_text("\n".join(CIFAR_CLASSES) + "\n")
    return root


def write_mnist_raw(root, train_count=12, test_count=6, seed=0):
    """root/MNIST/raw/*.gz idx files, as torchvision leaves them after downloading."""
    rng = np.random.default_rng(seed)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n in (("train", train_count), ("t10k", test_count)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = learnable_images(rng, labels, size=28, channels=1).reshape(n, 28, 28)
        with gzip.open(raw / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images.tobytes())
        with gzip.open(raw / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labels.tobytes())
    return root


def write_image_folder(root, classes=("cat", "dog"), per_class=2, size=(240, 240), seed=0):
    """root/<class>/<i>.png RGB images of `size` (width, height)."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / c / f"{i}.png")
    return root


@pytest.fixture
def cifar_root(tmp_path):
    """A folder holding a learnable 80-training / 40-test image CIFAR-10 (python layout)."""
    return write_cifar_python(tmp_path / "cifar")


@pytest.fixture
def mnist_root(tmp_path):
    return write_mnist_raw(tmp_path / "datasets")


@pytest.fixture
def image_folder(tmp_path):
    return write_image_folder(tmp_path / "train")
