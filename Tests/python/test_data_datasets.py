"""CIFAR10 (both official layouts, download from a local HTTP server, safe
extraction), MNIST idx files, Digits, and clear errors for damaged files."""
import functools
import gzip
import hashlib
import http.server
import io
import os
import pickle
import shutil
import subprocess
import sys
import tarfile
import threading
import types

import numpy as np
import pytest

import swiftnn
from swiftnn import data, datasets
from swiftnn import transforms as T

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(REPO, "..", "shared", "datasets")
MAKE = os.path.join(SHARED, "make-cifar10.py")
LIMIT = 50  # 50 training and 10 test images


def _make_cifar(out, fmt):
    return subprocess.Popen([sys.executable, MAKE, out, "--format", fmt, "--tarball", "--limit", str(LIMIT)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(scope="session")
def cifar_dirs():
    """Both official layouts (and their tarballs) of a 50/10-image CIFAR-10, made by
    ../shared/datasets/make-cifar10.py; cached under .build/ between runs."""
    if not (os.path.isfile(MAKE) and os.path.isfile(os.path.join(SHARED, "cifar10-jpeg.tar.gz"))):
        pytest.skip(f"real-data tests need ../shared/datasets (make-cifar10.py, cifar10-jpeg.tar.gz): not found "
                    f"at {os.path.abspath(SHARED)}")
    stamp = md5(MAKE)[:12]
    cache = os.path.join(REPO, ".build", f"pytest-cifar10-{LIMIT}-{stamp}")
    dirs = {fmt: os.path.join(cache, fmt) for fmt in ("bin", "py")}
    if not os.path.isfile(os.path.join(cache, "done")):
        shutil.rmtree(cache, ignore_errors=True)
        jobs = {fmt: _make_cifar(d, fmt) for fmt, d in dirs.items()}
        for fmt, job in jobs.items():
            _, err = job.communicate()
            assert job.returncode == 0, f"make-cifar10.py --format {fmt} failed: {err.decode()}"
        open(os.path.join(cache, "done"), "w").close()
    return dirs


def tarball(dirs, fmt):
    return os.path.join(dirs[fmt], "cifar-10-python.tar.gz" if fmt == "py" else "cifar-10-binary.tar.gz")


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


@pytest.fixture
def http_root(tmp_path):
    """Serves a folder over HTTP on 127.0.0.1 from a thread; yields (folder, base url)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# ---- CIFAR-10 from disk ------------------------------------------------------

def test_both_layouts_hold_the_same_images(cifar_dirs):
    for train, n in ((True, LIMIT), (False, LIMIT // 5)):
        from_bin = datasets.CIFAR10(cifar_dirs["bin"], train=train)
        from_py = datasets.CIFAR10(cifar_dirs["py"], train=train)
        assert len(from_bin) == len(from_py) == n
        assert from_bin.targets == from_py.targets and set(from_bin.targets) <= set(range(10))
        assert from_bin.data.shape == (n, 32, 32, 3) and from_bin.data.dtype == np.uint8
        np.testing.assert_array_equal(from_bin.data, from_py.data)
        image, label = from_py[0]
        assert image.shape == (32, 32, 3) and image.dtype == np.uint8 and label == from_py.targets[0]
        np.testing.assert_array_equal(image, from_bin.data[0])


def test_reference_workflow_split_normalize_augment(cifar_dirs):
    normalize = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = datasets.CIFAR10(cifar_dirs["bin"], train=True, transform=normalize)
    train, val = data.random_split(trainset, [40, 10], seed=0)
    images, labels = next(iter(data.DataLoader(val, batch_size=10)))
    expected = (trainset.data[val.indices].transpose(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    np.testing.assert_allclose(images.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, np.array(trainset.targets)[val.indices])
    trainset.transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), normalize])
    batches = list(data.DataLoader(train, batch_size=16, shuffle=True, seed=1))
    assert [b[0].shape[0] for b in batches] == [16, 16, 8]
    assert all(-1 <= b[0].numpy().min() and b[0].numpy().max() <= 1 for b in batches)


def test_missing_dataset_says_how_to_get_it(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.CIFAR10(tmp_path)


def copy_layout(cifar_dirs, fmt, dest):
    folder = "cifar-10-batches-" + fmt
    shutil.copytree(os.path.join(cifar_dirs[fmt], folder), dest / folder)
    return dest / folder


def test_truncated_binary_batch_names_the_file(cifar_dirs, tmp_path):
    folder = copy_layout(cifar_dirs, "bin", tmp_path)
    victim = folder / "data_batch_2.bin"
    victim.write_bytes(victim.read_bytes()[:-100])
    with pytest.raises(OSError, match="data_batch_2.bin.*truncated"):
        datasets.CIFAR10(tmp_path, train=True)
    (folder / "test_batch.bin").unlink()
    with pytest.raises(OSError, match="not found.*test_batch.bin"):
        datasets.CIFAR10(tmp_path, train=False)


def test_corrupt_pickled_batch_names_the_file(cifar_dirs, tmp_path):
    folder = copy_layout(cifar_dirs, "py", tmp_path)
    victim = folder / "data_batch_4"
    victim.write_bytes(victim.read_bytes()[:1000])
    with pytest.raises(OSError, match="data_batch_4.*truncated or corrupt"):
        datasets.CIFAR10(tmp_path, train=True)
    victim.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 12]}))
    with pytest.raises(OSError, match="data_batch_4: labels"):
        datasets.CIFAR10(tmp_path, train=True)
    # A pickle that would run code is refused, not executed.
    victim.write_bytes(pickle.dumps(types.SimpleNamespace()))
    with pytest.raises(OSError, match="data_batch_4"):
        datasets.CIFAR10(tmp_path, train=True)


# ---- download ----------------------------------------------------------------

def test_download_from_local_mirror(cifar_dirs, http_root, tmp_path, monkeypatch):
    www, base = http_root
    shutil.copy(tarball(cifar_dirs, "py"), www / "cifar-10-python.tar.gz")
    root = tmp_path / "data"
    url = base + "/cifar-10-python.tar.gz"
    archive_md5 = md5(tarball(cifar_dirs, "py"))
    ds = datasets.CIFAR10(root, train=True, download=True, url=url, md5=archive_md5)
    assert len(ds) == LIMIT
    np.testing.assert_array_equal(ds.data, datasets.CIFAR10(cifar_dirs["py"]).data)
    assert sorted(os.listdir(root)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]
    # Second time: found on disk, nothing fetched (the server is not asked).
    assert len(datasets.CIFAR10(root, train=False, download=True, url=base + "/gone.tar.gz")) == LIMIT // 5
    # The mirror from the environment; the binary archive works the same way.
    shutil.copy(tarball(cifar_dirs, "bin"), www / "cifar-10-binary.tar.gz")
    monkeypatch.setenv("SWIFTNN_CIFAR10_URL", base + "/cifar-10-binary.tar.gz")
    monkeypatch.setenv("SWIFTNN_CIFAR10_MD5", md5(tarball(cifar_dirs, "bin")))
    other = tmp_path / "other"
    assert len(datasets.CIFAR10(other, download=True)) == LIMIT
    assert os.path.isdir(other / "cifar-10-batches-bin")


def test_corrupted_archive_fails_checksum_and_leaves_nothing(cifar_dirs, http_root, tmp_path):
    www, base = http_root
    with open(tarball(cifar_dirs, "py"), "rb") as f:
        good = f.read()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF
    (www / "cifar-10-python.tar.gz").write_bytes(bytes(damaged))
    root = tmp_path / "data"
    root.mkdir()
    with pytest.raises(datasets.ChecksumError, match="checksum mismatch"):
        datasets.CIFAR10(root, download=True, url=base + "/cifar-10-python.tar.gz", md5=md5(tarball(cifar_dirs, "py")))
    assert os.listdir(root) == []
    # Without md5= a mirror must serve the official archive byte for byte: ours is not.
    (www / "cifar-10-python.tar.gz").write_bytes(good)
    with pytest.raises(datasets.ChecksumError, match="c58f30108f718f92721af3b95e74349a"):
        datasets.CIFAR10(root, download=True, url=base + "/cifar-10-python.tar.gz")
    assert os.listdir(root) == []


def test_offline_gives_a_clear_error(tmp_path):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    root = tmp_path / "data"
    with pytest.raises(datasets.DownloadError, match="could not download.*offline"):
        datasets.CIFAR10(root, download=True, url=f"http://127.0.0.1:{port}/cifar-10-python.tar.gz")
    assert os.listdir(root) == []


def evil_tarball(path, member, *, link=None, symlink=None):
    with tarfile.open(path, "w:gz") as tar:
        good = tarfile.TarInfo("cifar-10-batches-py/readme.txt")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"ok"))
        info = tarfile.TarInfo(member)
        if symlink is not None:
            info.type, info.linkname = tarfile.SYMTYPE, symlink
            tar.addfile(info)
        elif link is not None:
            info.type, info.linkname = tarfile.LNKTYPE, link
            tar.addfile(info)
        else:
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))


@pytest.mark.parametrize("member,kwargs", [
    ("../escaped.txt", {}),
    ("cifar-10-batches-py/../../escaped.txt", {}),
    ("/tmp/escaped-absolute.txt", {}),
    ("cifar-10-batches-py/link", {"symlink": "../../escaped.txt"}),
    ("cifar-10-batches-py/abs-link", {"symlink": "/etc/passwd"}),
    ("cifar-10-batches-py/hard", {"link": "../outside"}),
])
def test_path_escapes_are_rejected(http_root, tmp_path, member, kwargs):
    www, base = http_root
    evil_tarball(www / "evil.tar.gz", member, **kwargs)
    root = tmp_path / "data"
    with pytest.raises(datasets.UnsafeArchiveError):
        datasets.CIFAR10(root, download=True, url=base + "/evil.tar.gz", md5=md5(www / "evil.tar.gz"))
    # The verified archive stays; nothing was extracted anywhere.
    assert os.listdir(root) == ["evil.tar.gz"]
    assert not (tmp_path / "escaped.txt").exists() and not os.path.exists("/tmp/escaped-absolute.txt")


# ---- MNIST ---------------------------------------------------------------

def idx_images(n, h=28, w=28):
    pixels = (np.arange(n * h * w) % 253).astype(np.uint8)
    return np.array([0, 0, 8, 3], np.uint8).tobytes() + np.array([n, h, w], ">u4").tobytes() + pixels.tobytes(), \
        pixels.reshape(n, h, w)


def idx_labels(n):
    labels = (np.arange(n) * 7 % 10).astype(np.uint8)
    return np.array([0, 0, 8, 1], np.uint8).tobytes() + np.array([n], ">u4").tobytes() + labels.tobytes(), labels


@pytest.mark.parametrize("compressed", [False, True])
def test_mnist_idx_plain_and_gzip(tmp_path, compressed):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    img_bytes, pixels = idx_images(6)
    lbl_bytes, labels = idx_labels(6)
    suffix = ".gz" if compressed else ""
    pack = gzip.compress if compressed else (lambda b: b)
    (raw / ("t10k-images-idx3-ubyte" + suffix)).write_bytes(pack(img_bytes))
    (raw / ("t10k-labels-idx1-ubyte" + suffix)).write_bytes(pack(lbl_bytes))
    ds = datasets.MNIST(tmp_path, train=False, transform=T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]))
    assert len(ds) == 6 and ds.targets == labels.tolist()
    np.testing.assert_array_equal(ds.data, pixels)
    x, y = ds[2]
    assert x.shape == (1, 28, 28) and y == labels[2]
    np.testing.assert_allclose(x.numpy()[0], (pixels[2] / 255.0 - 0.5) / 0.5, rtol=1e-5, atol=1e-6)
    images, batch_labels = next(iter(data.DataLoader(ds, batch_size=6)))
    assert images.shape == (6, 1, 28, 28)
    np.testing.assert_array_equal(batch_labels, labels)
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte"):
        datasets.MNIST(tmp_path, train=True)


def test_mnist_damaged_files_are_named(tmp_path):
    img_bytes, _ = idx_images(3)
    lbl_bytes, _ = idx_labels(3)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(img_bytes[:-5])
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(lbl_bytes)
    with pytest.raises(OSError, match="t10k-images-idx3-ubyte: .*truncated"):
        datasets.MNIST(tmp_path, train=False)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(img_bytes)[:-20])
    with pytest.raises(OSError, match="t10k-images-idx3-ubyte.gz: cannot decompress"):
        datasets.MNIST(tmp_path, train=False)


# ---- Digits ------------------------------------------------------------------

def test_digits_from_scikit_learn(monkeypatch):
    try:
        import sklearn.datasets  # noqa: F401
    except ImportError:
        # scikit-learn is optional: stand in its load_digits with the same shapes.
        rng = np.random.default_rng(0)
        fake = types.ModuleType("sklearn.datasets")
        fake.load_digits = lambda: types.SimpleNamespace(images=rng.integers(0, 17, (1797, 8, 8)).astype(float),
                                                         target=rng.integers(0, 10, 1797))
        monkeypatch.setitem(sys.modules, "sklearn", types.ModuleType("sklearn"))
        monkeypatch.setitem(sys.modules, "sklearn.datasets", fake)
    everything = datasets.Digits()
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert (len(everything), len(train), len(test)) == (1797, 1437, 360)
    x, y = train[0]
    assert isinstance(x, swiftnn.Tensor) and x.shape == (1, 8, 8) and 0 <= x.numpy().min() <= x.numpy().max() <= 1
    images, labels = next(iter(data.DataLoader(train, batch_size=64, shuffle=True, seed=0)))
    assert images.shape == (64, 1, 8, 8) and labels.shape == (64,)


def test_assigning_data_and_targets_as_torchvision_scripts_do(cifar_dirs):
    """mlp-basics: `ds.data = tensor(ds.data)`, permute to NCHW, `ds.targets = tensor(ds.targets)`."""
    ds = datasets.CIFAR10(cifar_dirs["bin"], train=True)
    original = ds.data
    ds.data = swiftnn.tensor(ds.data).permute(0, 3, 1, 2)
    ds.targets = swiftnn.tensor(ds.targets)
    assert ds.data.shape == (LIMIT, 3, 32, 32) and len(ds) == LIMIT
    x, y = ds[7]
    assert isinstance(x, swiftnn.Tensor) and x.shape == (3, 32, 32)
    np.testing.assert_array_equal(x.numpy(), original[7].transpose(2, 0, 1))
    assert y == int(ds.targets.numpy()[7])
    images, labels = next(iter(data.DataLoader(ds, batch_size=8)))
    assert images.shape == (8, 3, 32, 32) and labels.tolist() == [int(v) for v in ds.targets.numpy()[:8]]
