"""`torch.utils` names: `swiftnn.utils.data` is `swiftnn.data`; `make_grid` and
`save_image` are torchvision.utils'."""
import sys

from .. import data
from .grid import make_grid, save_image

# `import swiftnn.utils.data` finds the package through this entry.
sys.modules[__name__ + ".data"] = data

__all__ = ["data", "make_grid", "save_image"]
