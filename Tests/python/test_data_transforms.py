"""Engine transforms against NumPy references written here (torchvision semantics)."""
import numpy as np
import pytest

import swiftnn
from swiftnn import transforms as T

from conftest import assert_close


@pytest.fixture
def image(rng):
    return rng.integers(0, 256, size=(6, 7, 3), dtype=np.uint8)


def to_tensor_ref(img):
    return img.transpose(2, 0, 1).astype(np.float64) / 255


def test_to_tensor_and_normalize(image):
    x = T.ToTensor()(image)
    assert isinstance(x, swiftnn.Tensor) and x.shape == (3, 6, 7)
    assert_close(x.numpy(), to_tensor_ref(image))
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.5)
    y = T.Normalize(mean, std)(x)
    ref = (to_tensor_ref(image) - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    assert_close(y.numpy(), ref, rtol=1e-5, atol=1e-5)
    gray = image[:, :, 0]
    assert T.ToTensor()(gray).shape == (1, 6, 7)
    # A float HWC array is transposed, not scaled (torchvision does the same).
    assert_close(T.ToTensor()(image.astype(np.float32)).numpy(), image.transpose(2, 0, 1))


def test_normalize_needs_a_tensor(image):
    with pytest.raises(TypeError, match="ToTensor"):
        T.Normalize(0.5, 0.5)(image)
    with pytest.raises(ValueError, match="ToTensor"):
        T.Compose([T.Normalize(0.5, 0.5)])(image)
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0.5,), (0.0,))


def padded_windows(img, size, padding):
    p = np.pad(img, ((padding, padding), (padding, padding), (0, 0)))
    h, w = size
    return {p[t:t + h, l:l + w].tobytes(): (t, l)
            for t in range(p.shape[0] - h + 1) for l in range(p.shape[1] - w + 1)}


def test_random_crop_is_a_window_of_the_zero_padded_image(image):
    swiftnn.manual_seed(1)
    windows = padded_windows(image, (5, 4), 2)
    seen = set()
    for _ in range(300):
        out = T.RandomCrop((5, 4), padding=2)(image)
        assert out.dtype == np.uint8 and out.shape == (5, 4, 3)
        seen.add(windows[out.tobytes()])
    assert len(seen) == len(windows)
    with pytest.raises(ValueError, match="larger than the padded"):
        T.RandomCrop(12)(image)


def test_horizontal_flip(image):
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(image), image[:, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(image), image)
    swiftnn.manual_seed(2)
    flips = sum(np.array_equal(T.RandomHorizontalFlip()(image), image[:, ::-1]) for _ in range(400))
    assert 150 < flips < 250


def bilinear_ref(chw, oh, ow):
    """align_corners=False, no antialias: PyTorch's upsample_bilinear2d."""
    c, h, w = chw.shape

    def taps(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), src - i0

    y0, y1, ly = taps(h, oh)
    x0, x1, lx = taps(w, ow)
    top = chw[:, y0][:, :, x0] * (1 - lx) + chw[:, y0][:, :, x1] * lx
    bottom = chw[:, y1][:, :, x0] * (1 - lx) + chw[:, y1][:, :, x1] * lx
    return top * (1 - ly)[:, None] + bottom * ly[:, None]


@pytest.mark.parametrize("size", [(11, 3), (13, 17), (3, 2), (1, 1)])
def test_resize_bilinear_and_nearest(rng, size):
    x = rng.standard_normal((2, 5, 7)).astype(np.float32)
    out = T.Resize(size)(swiftnn.tensor(x))
    assert_close(out.numpy(), bilinear_ref(x.astype(np.float64), *size), rtol=1e-5, atol=1e-5)
    near = T.Resize(size, interpolation="nearest")(swiftnn.tensor(x)).numpy()
    ys = np.minimum(np.floor(np.arange(size[0]) * 5 / size[0]).astype(int), 4)
    xs = np.minimum(np.floor(np.arange(size[1]) * 7 / size[1]).astype(int), 6)
    np.testing.assert_array_equal(near, x[:, ys][:, :, xs])


def test_resize_shorter_edge_to_alexnet_size(image):
    img = np.zeros((32, 48, 3), np.uint8)
    assert T.Resize(227)(img).shape == (227, 340, 3)
    chain = T.Compose([T.Resize((224, 224)), T.ToTensor()])
    assert chain(image).shape == (3, 224, 224)
    assert T.CenterCrop(4)(image).shape == (4, 4, 3)
    np.testing.assert_array_equal(T.CenterCrop((2, 3))(image), image[2:4, 2:5])


def test_compose_with_python_callable(image):
    calls = []

    def record(x):
        calls.append(type(x))
        return x * 2

    chain = T.Compose([T.ToTensor(), T.Lambda(record), T.Normalize(0.5, 0.5)])
    out = chain(image)
    assert calls == [swiftnn.Tensor]
    assert_close(out.numpy(), (to_tensor_ref(image) * 2 - 0.5) / 0.5, rtol=1e-5, atol=1e-5)
    assert "Normalize" in repr(chain)
