"""`torchvision.utils.make_grid` and `save_image`: a batch of images tiled into one."""
import math
import numbers

import numpy as np

from ..tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _batch(tensor):
    """float32 [B, C, H, W] from a Tensor/array ([B,C,H,W], [C,H,W] or [H,W]) or a list of [C,H,W]."""
    if isinstance(tensor, (list, tuple)):
        if not tensor:
            raise ValueError("make_grid: the list of images is empty")
        arrays = [np.asarray(t.numpy() if isinstance(t, Tensor) else t, dtype=np.float32) for t in tensor]
        if any(a.shape != arrays[0].shape for a in arrays):
            raise ValueError("make_grid: every image in the list must have the same shape")
        array = np.stack(arrays)
    elif isinstance(tensor, (Tensor, np.ndarray)):
        array = np.array(tensor.numpy() if isinstance(tensor, Tensor) else tensor, dtype=np.float32)
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor).__name__}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = (np.concatenate([array] * 3) if array.shape[0] == 1 else array)[None]
    if array.ndim != 4:
        raise ValueError(f"make_grid: expected images [B, C, H, W], [C, H, W] or [H, W], got {array.ndim} dims")
    if array.shape[1] == 1:
        array = np.concatenate([array] * 3, axis=1)
    return array


def _normalize(images, value_range, scale_each):
    """In place: clamp to the range (given, else each image's or the batch's min/max) and map it to [0, 1]."""
    def rescale(x):
        low, high = value_range if value_range is not None else (float(x.min()), float(x.max()))
        np.clip(x, low, high, out=x)
        x -= low
        x /= max(high - low, 1e-5)

    if scale_each:
        for image in images:
            rescale(image)
    else:
        rescale(images)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0,
              **kwargs):
    """Tiles images [B, C, H, W] (or a list of [C, H, W]) into one [C, H', W'] Tensor, `nrow` images
    per row, `padding` pixels of `pad_value` around each. Single-channel images become 3-channel.
    normalize=True maps `value_range` (default: min and max of the batch, or of each image with
    scale_each=True) to [0, 1], clamping. One image is returned as it is (no padding), as torchvision."""
    if "range" in kwargs:  # torchvision's older name of value_range
        value_range = kwargs.pop("range")
    if kwargs:
        raise TypeError(f"make_grid() got an unexpected keyword argument {next(iter(kwargs))!r}")
    for name, value in (("nrow", nrow), ("padding", padding)):
        if not isinstance(value, numbers.Integral) or value < (1 if name == "nrow" else 0):
            raise ValueError(f"make_grid: {name} must be {'a positive' if name == 'nrow' else 'a non-negative'} "
                             f"int, got {value!r}")
    if value_range is not None and (not isinstance(value_range, tuple) or len(value_range) != 2):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
    images = _batch(tensor)
    if normalize:
        _normalize(images, value_range, scale_each)
    if images.shape[0] == 1:
        return Tensor(images[0])
    count, channels, height, width = images.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, cell_h * rows + padding, cell_w * columns + padding), pad_value, dtype=np.float32)
    for k in range(count):
        y, x = divmod(k, columns)
        top, left = y * cell_h + padding, x * cell_w + padding
        grid[:, top:top + height, left:left + width] = images[k]
    return Tensor(grid)


def save_image(tensor, fp, format=None, **kwargs):  # noqa: A002 (torchvision's parameter name)
    """Writes make_grid(tensor, **kwargs) as an 8-bit image file (PNG, JPEG... by the name or `format`)
    with Pillow; values in [0, 1] map to 0..255, as torchvision."""
    grid = make_grid(tensor, **kwargs).numpy()
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("save_image writes with Pillow: pip install Pillow") from e
    Image.fromarray(pixels).save(fp, format=format)
