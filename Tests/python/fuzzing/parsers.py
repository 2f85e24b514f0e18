"""File parsers as fuzz targets (run in the child, see calls.TARGETS): each
writes the given bytes where the loader expects its file and loads it. Valid
seed files to mutate come from `seeds()`."""
import gzip
import io
import json
import os
import pickle
import struct
import tempfile

import numpy as np

import swiftnn
from swiftnn import models
from swiftnn.datasets import CIFAR10, MNIST


def _in_temp(write, load):
    with tempfile.TemporaryDirectory(prefix="swiftnn-fuzz-") as root:
        write(root)
        return load(root)


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def safetensors(data):
    def load(root):
        state = swiftnn.load(os.path.join(root, "x.safetensors"))
        return {k: v.numpy() for k, v in state.items()}
    return _in_temp(lambda root: _write(os.path.join(root, "x.safetensors"), data), load)


def cifar_bin(data):
    return len(_in_temp(lambda root: _write(os.path.join(root, "cifar-10-batches-bin", "test_batch.bin"), data),
                        lambda root: CIFAR10(root, train=False)))


def cifar_py(data):
    return len(_in_temp(lambda root: _write(os.path.join(root, "cifar-10-batches-py", "test_batch"), data),
                        lambda root: CIFAR10(root, train=False)))


def mnist(images, labels, gz):
    def write(root):
        suffix = ".gz" if gz else ""
        _write(os.path.join(root, "t10k-images-idx3-ubyte" + suffix), images)
        _write(os.path.join(root, "t10k-labels-idx1-ubyte" + suffix), labels)
    return len(_in_temp(write, lambda root: MNIST(root, train=False)))


def model_config(name, text):
    return swiftnn._C.model_new(name, text) is not None


def seeds():
    """Well-formed inputs of each format, small."""
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.safetensors")
        swiftnn.save({"w": rng.standard_normal((2, 3)).astype(np.float32), "n": np.array(3, np.int64)}, path)
        with open(path, "rb") as f:
            st = f.read()
    images = rng.integers(0, 256, (4, 3072), dtype=np.uint8)
    labels = [int(v) for v in rng.integers(0, 10, 4)]
    cifar_bin_bytes = b"".join(bytes([labels[i]]) + images[i].tobytes() for i in range(4))
    pickle.dump({b"data": images, b"labels": labels, b"batch_label": b"test"}, buffer, protocol=2)
    idx_images = struct.pack(">IIII", 0x803, 3, 4, 4) + rng.integers(0, 256, 48, dtype=np.uint8).tobytes()
    idx_labels = struct.pack(">II", 0x801, 3) + bytes([1, 2, 3])
    return {
        "safetensors": st, "cifar_bin": cifar_bin_bytes, "cifar_py": buffer.getvalue(),
        "mnist": (idx_images, idx_labels), "mnist_gz": (gzip.compress(idx_images), gzip.compress(idx_labels)),
        "model_config": json.dumps({"num_classes": 10}),
    }


# The configs of the small zoo models: building VGG or AlexNet (60-140M parameters)
# takes minutes on a loaded machine and tests nothing more of the JSON parsing.
ZOO_NAMES = ["MLPnet", "normal_CNN", "MLP_Mixer", "Densenet", "nope", ""]
_ = models  # the zoo's Python classes, whose engine names these are
