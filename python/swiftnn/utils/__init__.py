"""`torch.utils` names: `swiftnn.utils.data` is `swiftnn.data`; `make_grid` and
`save_image` are torchvision.utils'."""
import sys

from .. import data
from .grid import make_grid, save_image

# `import swiftnn.utils.data` finds the package through this entry, and torch's submodule
# paths (`from torch.utils.data.sampler import ...`) reach the same module objects.
sys.modules[__name__ + ".data"] = data
sys.modules[__name__ + ".data.sampler"] = data.sampler
sys.modules[__name__ + ".data.dataset"] = data.dataset
sys.modules[__name__ + ".data.dataloader"] = data.loader

__all__ = ["data", "make_grid", "save_image"]
