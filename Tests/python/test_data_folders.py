"""torchvision's dataset surface: ImageFolder on a class-folder tree, MNIST / FashionMNIST
downloaded from a local mirror with MD5 checks, `.data` / `.targets` reassignment that keeps
loading in the engine, and make_grid against a NumPy reference (issue 11, item 7)."""
import functools
import gzip
import hashlib
import http.server
import threading
import time

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.transforms as transforms
from swiftnn import datasets
from swiftnn.utils import make_grid, save_image
from swiftnn.utils.data import DataLoader

PIL = pytest.importorskip("PIL.Image")


# ---- ImageFolder ---------------------------------------------------------------

def write_tree(root):
    """root/<class>/<n>.png with known pixels; returns {path: (pixels, class index)}."""
    rng = np.random.default_rng(0)
    expected = {}
    for index, name in enumerate(["cat", "dog", "zebra"]):
        folder = root / name
        (folder / "nested").mkdir(parents=True)
        for k in range(index + 2):
            pixels = rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
            path = folder / ("nested" if k == 0 else "") / f"{k}.PNG"
            PIL.fromarray(pixels).save(path)
            expected[str(path)] = (pixels, index)
        (folder / "notes.txt").write_text("not an image")
    return expected


def test_image_folder_classes_samples_and_loading(tmp_path):
    expected = write_tree(tmp_path)
    (tmp_path / "stray.png").write_bytes(b"")  # files at the root are not classes
    ds = datasets.ImageFolder(str(tmp_path), transforms.Compose([
        transforms.CenterCrop(4), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)]))
    assert ds.classes == ["cat", "dog", "zebra"] and ds.class_to_idx == {"cat": 0, "dog": 1, "zebra": 2}
    assert len(ds) == 2 + 3 + 4 and ds.imgs is ds.samples
    assert [t for _, t in ds.samples] == ds.targets == [0, 0, 1, 1, 1, 2, 2, 2, 2]
    assert [p for p, _ in ds.samples] == sorted((p for p in expected), key=lambda p: (expected[p][1], p))
    path, target = ds.samples[3]
    x, y = ds[3]
    pixels = expected[path][0][1:5, 0:4]  # CenterCrop(4) of 6x5: rows 1..4, columns 0..3 (torchvision rounding)
    np.testing.assert_allclose(x.numpy(), (pixels.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5, atol=1e-6)
    assert y == target == 1
    images, labels = next(iter(DataLoader(ds, batch_size=4, shuffle=True, drop_last=True)))
    assert images.shape == (4, 3, 4, 4) and labels.shape == (4,)
    raw = datasets.ImageFolder(tmp_path)[0][0]
    assert raw.mode == "RGB" and raw.size == (5, 6)  # PIL images without a transform


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 0
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.png").write_bytes(b"\x89PNG not really")
    ds = datasets.ImageFolder(tmp_path, allow_empty=True)
    with pytest.raises(OSError, match="broken.png"):
        ds[0]
    only_png = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert len(only_png) == 1


# ---- MNIST download ------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path):
    folder = tmp_path / "www"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def idx_files(n):
    pixels = (np.arange(n * 28 * 28) % 251).astype(np.uint8).reshape(n, 28, 28)
    labels = (np.arange(n) * 3 % 10).astype(np.uint8)
    images = bytes([0, 0, 8, 3]) + np.array([n, 28, 28], ">u4").tobytes() + pixels.tobytes()
    return images, bytes([0, 0, 8, 1]) + np.array([n], ">u4").tobytes() + labels.tobytes(), pixels, labels


def publish(folder, train_n=12, test_n=5):
    """The four gzipped idx files in the mirror; returns ({name: md5}, test pixels, test labels)."""
    sums = {}
    for prefix, n in (("train", train_n), ("t10k", test_n)):
        images, labels, pixels, values = idx_files(n)
        for kind, payload in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte.gz"
            data = gzip.compress(payload, mtime=0)
            (folder / name).write_bytes(data)
            sums[name] = hashlib.md5(data).hexdigest()
    return sums, pixels, values


@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_downloads_from_a_mirror_with_md5(mirror, tmp_path, capsys, cls):
    folder, url = mirror
    sums, pixels, labels = publish(folder)
    root = tmp_path / "datasets"
    test = cls(root, train=False, download=True, url=url, md5=sums,
               transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]))
    assert "Downloading " + url in capsys.readouterr().out
    raw = root / cls.__name__ / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(sums)
    assert len(test) == 5 and test.targets == labels.tolist() and test.data.shape == (5, 28, 28)
    image, label = test[2]
    assert image.shape == (1, 28, 28) and label == labels[2]
    np.testing.assert_allclose(image.numpy()[0], (pixels[2] / 255.0 - 0.5) / 0.5, atol=1e-6)
    assert len(cls(root, train=True, download=True, url=url + "gone/")) == 12  # present: nothing fetched
    image, label = next(iter(DataLoader(test, batch_size=1, shuffle=True)))
    assert image.shape == (1, 1, 28, 28) and label.shape == (1,)


def test_mnist_download_rejects_a_corrupt_file(mirror, tmp_path, monkeypatch):
    folder, url = mirror
    sums, _, _ = publish(folder)
    data = bytearray((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(bytes(data))
    root = tmp_path / "datasets"
    with pytest.raises(datasets.ChecksumError, match="checksum mismatch.*t10k-images"):
        datasets.MNIST(root, train=False, download=True, url=url, md5=sums)
    raw = root / "MNIST" / "raw"
    assert "t10k-images-idx3-ubyte.gz" not in [p.name for p in raw.iterdir()]  # nothing half-written
    # The official MD5s apply when none are given: this mirror's files are not the official ones.
    monkeypatch.setenv("SWIFTNN_MNIST_URL", url)
    with pytest.raises(datasets.ChecksumError, match="f68b3c2dcbeaaa9fbdd348bbdeb94873"):
        datasets.MNIST(tmp_path / "other", train=False, download=True)
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.MNIST(tmp_path / "nothing", train=False)


def test_cifar_says_files_already_downloaded(tmp_path, capsys):
    import pickle
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2]}
        (folder / name).write_bytes(pickle.dumps(batch))
    assert len(datasets.CIFAR10(tmp_path, train=True, download=True)) == 10
    assert capsys.readouterr().out == "Files already downloaded and verified\n"


# ---- .data / .targets reassignment -----------------------------------------------

def test_reassigned_targets_and_data_stay_in_the_engine(mirror, tmp_path):
    folder, url = mirror
    sums, _, _ = publish(folder, train_n=400)
    pixels = idx_files(400)[2]
    ds = datasets.MNIST(tmp_path, train=True, download=True, url=url, md5=sums, transform=transforms.ToTensor())
    flipped = [9 - t for t in ds.targets]
    ds.targets = list(flipped)
    assert ds.targets == flipped and ds._h is not None  # still served by the engine
    assert [ds[i][1] for i in range(5)] == flipped[:5]
    ds.data = ds.data[::-1].copy()  # uint8 [N, 28, 28], as torchvision's
    image, label = ds[0]
    np.testing.assert_allclose(image.numpy()[0], pixels[-1] / 255.0, atol=1e-6)
    assert label == flipped[0] and ds._h is not None
    _, batch = next(iter(DataLoader(ds, batch_size=400)))
    assert batch.tolist() == flipped
    # The MLP tutorial's idiom: data as a float tensor, permuted, targets as a tensor.
    ds.data = torch.tensor(ds.data)
    ds.targets = torch.tensor(ds.targets)
    assert ds._h is not None and isinstance(ds[3][0], torch.Tensor)
    start = time.perf_counter()
    for i in range(200):
        ds[i]
    assert time.perf_counter() - start < 5  # engine items, not a copy of the whole set per item
    # A list of mismatched length is served from Python, as torchvision would index it.
    ds.targets = flipped[:10]
    assert len(ds) == 10 and ds._h is None and ds[9][1] == flipped[9]


# ---- make_grid ---------------------------------------------------------------------

def reference_grid(batch, nrow, padding, pad_value):
    b, c, h, w = batch.shape
    columns = min(nrow, b)
    rows = -(-b // columns)
    grid = np.full((c, rows * (h + padding) + padding, columns * (w + padding) + padding), pad_value, np.float32)
    for k in range(b):
        y, x = divmod(k, columns)
        top, left = padding + y * (h + padding), padding + x * (w + padding)
        grid[:, top:top + h, left:left + w] = batch[k]
    return grid


@pytest.mark.parametrize("b,nrow,padding", [(1, 8, 2), (7, 3, 1), (17, 8, 2), (5, 5, 0), (63, 7, 3)])
def test_make_grid_matches_a_numpy_reference(b, nrow, padding):
    rng = np.random.default_rng(b)
    batch = rng.normal(size=(b, 3, 5, 4)).astype(np.float32)
    grid = make_grid(torch.tensor(batch), nrow=nrow, padding=padding, pad_value=0.25)
    expected = batch[0] if b == 1 else reference_grid(batch, nrow, padding, 0.25)
    np.testing.assert_array_equal(grid.numpy(), expected)


def test_make_grid_normalize_channels_and_lists():
    rng = np.random.default_rng(0)
    batch = rng.normal(size=(4, 1, 3, 3)).astype(np.float32) * 5
    grid = make_grid(torch.tensor(batch), nrow=2, normalize=True).numpy()
    scaled = (batch - batch.min()) / (batch.max() - batch.min())
    np.testing.assert_allclose(grid, reference_grid(np.repeat(scaled, 3, axis=1), 2, 2, 0.0), atol=1e-6)
    clamped = make_grid(torch.tensor(batch), normalize=True, value_range=(-1, 1)).numpy()
    expected = (np.clip(batch, -1, 1) + 1) / 2
    np.testing.assert_allclose(clamped, reference_grid(np.repeat(expected, 3, axis=1), 8, 2, 0.0), atol=1e-6)
    each = make_grid(torch.tensor(batch), normalize=True, scale_each=True, padding=0).numpy()
    for k in range(4):
        tile = each[0, :, 3 * k:3 * k + 3]
        assert tile.min() == pytest.approx(0) and tile.max() == pytest.approx(1)
    images = [torch.tensor(b) for b in batch]
    np.testing.assert_array_equal(make_grid(images, nrow=2).numpy(), make_grid(torch.tensor(batch), nrow=2).numpy())
    assert make_grid(torch.tensor(batch[0, 0])).shape == (3, 3, 3)  # a single HxW image: three channels, no padding
    with pytest.raises(TypeError):
        make_grid(torch.tensor(batch), normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError):
        make_grid("images")


def test_save_image_writes_the_grid(tmp_path):
    batch = np.linspace(0, 1, 2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    save_image(torch.tensor(batch), tmp_path / "grid.png", padding=1)
    pixels = np.asarray(PIL.open(tmp_path / "grid.png"))
    grid = make_grid(torch.tensor(batch), padding=1).numpy()
    np.testing.assert_array_equal(pixels, np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0))
