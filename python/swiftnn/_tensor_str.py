"""How tensors print: PyTorch's format (torch/_tensor_str.py) and print options, so
`print(x)` reads as it does in PyTorch: `tensor([[0.1000, 0.2000]], requires_grad=True)`,
`tensor(1.5000)`, `tensor([1., 2.])`, scientific notation when magnitudes span more than
1000x, and large tensors summarised with `...` (threshold, edgeitems, linewidth).

Works on the NumPy copy of the elements, so every dtype the engine hands out prints
(floats as above, integers as integers, bools as True/False)."""
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = ["set_printoptions", "tensor_repr"]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}

# PyTorch leaves its default dtypes out of the repr (float32, int64, bool).
_IMPLIED_DTYPES = {np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: digits after the point, the element count above which tensors are
    summarised, items kept at each edge when summarising, characters per line, a profile
    ('default', 'short', 'full') and sci_mode (None: automatic; True/False: always/never)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = int(precision)
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = int(edgeitems)
    if linewidth is not None:
        PRINT_OPTS.linewidth = int(linewidth)
    PRINT_OPTS.sci_mode = sci_mode


class _Formatter:
    """One width and one notation for every element, chosen from the values shown."""

    def __init__(self, array):
        self.floating = array.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        values = array.reshape(-1)
        if not self.floating:
            for value in values.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        finite = values.astype(np.float64)
        finite = finite[np.isfinite(finite) & (finite != 0)]
        if finite.size:
            magnitudes = np.abs(finite)
            low, high = magnitudes.min(), magnitudes.max()
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            if self.int_mode:
                self.sci_mode = high / low > 1000.0 or high > 1.0e8
            else:
                self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
            for value in finite.tolist():
                if self.sci_mode:
                    width = len(f"{value:.{PRINT_OPTS.precision}e}")
                elif self.int_mode:
                    width = len(f"{value:.0f}") + 1  # the trailing "." marks a float
                else:
                    width = len(f"{value:.{PRINT_OPTS.precision}f}")
                self.max_width = max(self.max_width, width)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def format(self, value):
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _summarized(array):
    """The elements a summarised print shows: the edge items along every dimension."""
    edge = PRINT_OPTS.edgeitems
    picks = [np.r_[0:edge, n - edge:n] if n > 2 * edge else np.arange(n) for n in array.shape]
    return array[np.ix_(*picks)] if array.ndim else array


def _vector(array, indent, summarize, formatter):
    element_length = formatter.max_width + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(array) > 2 * edge:
        items = ([formatter.format(v) for v in array[:edge].tolist()] + [" ..."]
                 + [formatter.format(v) for v in array[len(array) - edge:].tolist()])
    else:
        items = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    if summarize and len(array) > 2 * edge:
        rows = ([_nested(array[i], indent + 1, summarize, formatter) for i in range(edge)] + ["..."]
                + [_nested(array[i], indent + 1, summarize, formatter) for i in range(len(array) - edge, len(array))])
    else:
        rows = [_nested(row, indent + 1, summarize, formatter) for row in array]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _with_suffixes(text, suffixes, indent):
    """Appends ', suffix' items, starting a new line when one would pass the line width."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(array, grad_fn_name=None, requires_grad=False):
    """PyTorch's repr of a tensor holding `array`'s elements, with its autograd suffix."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != np.float32:
            suffixes.append(f"dtype=swiftnn.{array.dtype.name}")
        body = "[]"
    else:
        if array.dtype not in _IMPLIED_DTYPES:
            suffixes.append(f"dtype=swiftnn.{array.dtype.name}")
        summarize = array.size > PRINT_OPTS.threshold
        formatter = _Formatter(_summarized(array) if summarize else array)
        body = _nested(array, indent, summarize, formatter)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)
