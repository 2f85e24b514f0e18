"""Image transforms with torchvision's names and semantics (`torchvision.transforms`).

ToTensor, Normalize, RandomCrop, CenterCrop, RandomHorizontalFlip, Resize and
Compose chains of them run inside the engine: the DataLoader applies them to
whole batches in Swift, off the GIL. Any other callable (or `Lambda`) in a
Compose is accepted and runs in Python per sample, the slow path.

Called directly on one sample, a transform takes what torchvision's take: an
image as a uint8 HWC (or HW) NumPy array or PIL image, or a CHW Tensor. Images
stay uint8 HWC arrays until ToTensor turns them into float CHW Tensors scaled to
[0, 1]. Resize has no antialiasing (torchvision's tensor path with
antialias=False); bilinear uses half-pixel centres (align_corners=False).
"""
import numbers

import numpy as np

from . import _C
from .tensor import Tensor

__all__ = ["CenterCrop", "Compose", "InterpolationMode", "Lambda", "Normalize", "RandomCrop",
           "RandomHorizontalFlip", "Resize", "ToTensor"]


class InterpolationMode:
    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _pair(size, name):
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{name}: size should be an int or a sequence of one or two ints, got {size!r}")
    return int(size[0]), int(size[1])


def _to_chw(sample):
    """(Tensor [C, H, W], raw_pixels, was_2d) for a Tensor, an HWC/HW array or a PIL image."""
    if isinstance(sample, Tensor):
        return sample, False, False
    array = np.asarray(sample)
    if array.ndim not in (2, 3):
        raise TypeError(f"expected an image (HW or HWC array, PIL image) or a CHW Tensor, got shape {array.shape}")
    was_2d = array.ndim == 2
    chw = array[None] if was_2d else array.transpose(2, 0, 1)
    return Tensor(np.ascontiguousarray(chw)), array.dtype == np.uint8, was_2d


def _to_image(tensor, was_2d):
    """Raw pixel values back to a uint8 HWC (or HW) array, as an image stays an image in torchvision."""
    chw = np.rint(tensor.numpy()).clip(0, 255).astype(np.uint8)
    return chw[0] if was_2d and chw.shape[0] == 1 else np.ascontiguousarray(chw.transpose(1, 2, 0))


class _EngineTransform:
    """A transform the engine runs; `_specs()` describes it to the engine."""

    def _specs(self):
        raise NotImplementedError

    def __call__(self, sample):
        return _apply_specs(self._specs(), sample)


def _apply_specs(specs, sample):
    tensor, raw, was_2d = _to_chw(sample)
    handle = engine_chain(specs)
    out, raw_after = _C.transform_apply(handle, tensor._h, raw, _C.random_seed())
    out = Tensor._wrap(out)
    return _to_image(out, was_2d) if raw_after else out


class ToTensor(_EngineTransform):
    """uint8 image HWC -> float CHW Tensor in [0, 1]; float arrays are only transposed."""

    def _specs(self):
        return [("to_tensor",)]

    def __call__(self, sample):
        if isinstance(sample, Tensor):
            return sample
        return super().__call__(sample)

    def __repr__(self):
        return "ToTensor()"


class Normalize(_EngineTransform):
    """(x - mean[c]) / std[c] per channel, on a CHW Tensor."""

    def __init__(self, mean, std, inplace=False):
        self.mean = [float(m) for m in np.atleast_1d(mean)]
        self.std = [float(s) for s in np.atleast_1d(std)]
        if len(self.mean) != len(self.std):
            raise ValueError("Normalize: mean and std must have the same length")
        if any(s == 0 for s in self.std):
            raise ValueError(f"std evaluated to zero after conversion to float32, leading to division by zero.")
        self.inplace = inplace

    def _specs(self):
        return [("normalize", self.mean, self.std)]

    def __call__(self, sample):
        if not isinstance(sample, Tensor):
            raise TypeError(f"Normalize expects a Tensor (put ToTensor() before it), got {type(sample).__name__}")
        return super().__call__(sample)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop(_EngineTransform):
    """A random window of `size` after zero padding by `padding` on every side."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _pair(size, "RandomCrop")
        if padding is not None and not isinstance(padding, numbers.Integral):
            raise NotImplementedError("RandomCrop: only an int padding (the same on every side) is supported")
        if pad_if_needed or fill != 0 or padding_mode != "constant":
            raise NotImplementedError("RandomCrop: only zero (constant) padding without pad_if_needed is supported")
        self.padding = int(padding or 0)
        if self.padding < 0:
            raise ValueError(f"RandomCrop: padding must be non-negative, got {padding}")

    def _specs(self):
        return [("random_crop", self.size[0], self.size[1], self.padding)]

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class CenterCrop(_EngineTransform):
    def __init__(self, size):
        self.size = _pair(size, "CenterCrop")

    def _specs(self):
        return [("center_crop", self.size[0], self.size[1])]

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomHorizontalFlip(_EngineTransform):
    def __init__(self, p=0.5):
        self.p = float(p)

    def _specs(self):
        return [("hflip", self.p)]

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class Resize(_EngineTransform):
    """Resize(size): an int resizes the shorter edge (keeping the aspect ratio), (h, w) is exact.
    interpolation: 'bilinear' (default) or 'nearest'. No antialiasing."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=None):
        if max_size is not None:
            raise NotImplementedError("Resize: max_size is not supported")
        if antialias:
            raise NotImplementedError("Resize: antialiasing is not supported (swiftnn resizes without it)")
        mode = getattr(interpolation, "value", interpolation)
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"Resize: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        self.interpolation = mode
        if isinstance(size, numbers.Integral) or len(size) == 1:
            self.size = int(size if isinstance(size, numbers.Integral) else size[0])
        else:
            self.size = _pair(size, "Resize")

    def _specs(self):
        h, w = (self.size, 0) if isinstance(self.size, int) else self.size
        return [("resize", h, w, 0 if self.interpolation == "nearest" else 1)]

    def __repr__(self):
        return f"Resize(size={self.size}, interpolation={self.interpolation})"


class Lambda:
    """A Python function as a transform (the slow path)."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, sample):
        return self.lambd(sample)

    def __repr__(self):
        return "Lambda()"


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def _specs(self):
        """The engine chain, or None when some step is a Python callable."""
        specs = []
        for t in self.transforms:
            inner = t._specs() if isinstance(t, (_EngineTransform, Compose)) else None
            if inner is None:
                return None
            specs += inner
        return specs

    def __call__(self, sample):
        specs = self._specs()
        if specs is not None:
            return _apply_specs(specs, sample) if specs else sample
        for t in self.transforms:
            sample = t(sample)
        return sample

    def __repr__(self):
        lines = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({lines}\n)"


# Spec name -> the _C call appending that transform to an engine chain (codegen/ops.toml, group "data").
_APPEND = {"to_tensor": _C.transform_to_tensor, "normalize": _C.transform_normalize,
           "random_crop": _C.transform_random_crop, "center_crop": _C.transform_center_crop,
           "hflip": _C.transform_random_horizontal_flip, "resize": _C.transform_resize}


def engine_chain(specs):
    """A new engine transform chain from spec tuples: ("to_tensor",), ("normalize", mean, std),
    ("random_crop", h, w, padding), ("center_crop", h, w), ("hflip", p), ("resize", h, w, mode)."""
    handle = _C.transform_new()
    for spec in specs:
        if not isinstance(spec, tuple) or not spec or spec[0] not in _APPEND:
            raise ValueError(f"unknown transform spec {spec!r}")
        _APPEND[spec[0]](handle, *spec[1:])
    return handle


def engine_specs(transform):
    """The engine chain for `transform` (None -> []), or None if it needs Python."""
    if transform is None:
        return []
    if isinstance(transform, (_EngineTransform, Compose)):
        return transform._specs()
    return None
