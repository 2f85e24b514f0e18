"""`torch.nn.DataParallel` for code written for several GPUs.

swiftnn runs one process on the CPU threads (data-parallel training across
processes is MPI's job), so DataParallel is a pass-through: it holds the model
as its child `module` and calls it. What carries over from PyTorch is the
wrapping itself: `state_dict()` keys gain the `module.` prefix and
`load_state_dict` expects it, `model.module` is the wrapped model, and
`isinstance(model, nn.DataParallel)` holds."""
import numbers

from ... import _device
from ..module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """DataParallel(module, device_ids=None, output_device=None, dim=0): calls `module` on the
    whole batch. CUDA device ids are accepted (the first CUDA request warns once)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel expects an nn.Module, got {type(module).__name__}")
        if not isinstance(dim, numbers.Integral):
            raise TypeError(f"DataParallel: dim must be an int, got {type(dim).__name__}")
        ids = [] if device_ids is None else list(device_ids)
        for device in ids + ([] if output_device is None else [output_device]):
            _device.request(device)
        self.module = module
        # As PyTorch on a machine without GPUs: no devices in use.
        object.__setattr__(self, "device_ids", [])
        object.__setattr__(self, "output_device", None)
        object.__setattr__(self, "dim", int(dim))

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
