"""`torch.utils` names: `swiftnn.utils.data` is `swiftnn.data`."""
import sys

from .. import data

# `import swiftnn.utils.data` finds the package through this entry.
sys.modules[__name__ + ".data"] = data

__all__ = ["data"]
