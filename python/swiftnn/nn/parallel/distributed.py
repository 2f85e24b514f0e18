"""`DistributedDataParallel`: data-parallel training over the ranks of
`swiftnn.distributed` (torch.nn.parallel.DistributedDataParallel).

On wrapping, every rank takes rank 0's parameters and buffers. Before each training
forward the buffers are taken from rank 0 again (`broadcast_buffers=True`, PyTorch's
default). During `backward()` the engine writes every gradient into one flat float32
buffer, cut into buckets of `bucket_cap_mb` in reverse parameter order, and averages each
bucket across the ranks as soon as its last gradient is written (MPI, GIL released), so
after `backward()` every rank holds the same averaged gradients and `optimizer.step()`
keeps the replicas identical. Each parameter's `.grad` is a view of its slot in that
buffer (PyTorch's `gradient_as_bucket_view=True`); `flat_gradients()` is the whole buffer
as a NumPy array sharing the engine's memory.

An engine module (a zoo model, a built-in layer) is wrapped in the engine, so
`swiftnn.train.fit` still runs whole epochs there; a Module written in Python works too.
"""
from contextlib import contextmanager

from ... import _C
from ... import distributed as dist
from ...tensor import Tensor, _as_tensor
from ..layers import _EngineModule
from ..module import Module


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=25, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel expects a swiftnn.nn.Module, got {type(module).__name__}")
        if not bucket_cap_mb or bucket_cap_mb <= 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb}")
        group = dist._engine_group(process_group)
        cap = int(bucket_cap_mb * 1024 * 1024)
        self.module = module
        object.__setattr__(self, "broadcast_buffers", bool(broadcast_buffers))
        object.__setattr__(self, "dim", dim)
        if isinstance(module, _EngineModule):
            engine = _C.ddp_new(module._handle, group, cap, bool(broadcast_buffers))
            buckets = _C.ddp_grad_buckets(engine)
        else:
            for tensor in list(module.parameters()) + list(module.buffers()):
                _C.process_group_broadcast(group, tensor._h, 0)
            params = [p._h for p in module.parameters() if p.requires_grad]
            engine, buckets = None, _C.grad_buckets_new(params, group, cap)
        object.__setattr__(self, "_engine_handle", engine)
        object.__setattr__(self, "_group", group)
        object.__setattr__(self, "_buckets", buckets)

    def forward(self, *inputs, **kwargs):
        if self._engine_handle is not None and len(inputs) == 1 and not kwargs:
            return Tensor._wrap(_C.module_forward(self._engine_handle, _as_tensor(inputs[0])._h))
        if self.training and self.broadcast_buffers:
            for buffer in self.module.buffers():
                _C.process_group_broadcast(self._group, buffer._h, 0)
        return self.module(*inputs, **kwargs)

    def train(self, mode=True):
        super().train(mode)
        if self._engine_handle is not None:
            _C.module_set_training(self._engine_handle, mode)
        return self

    @contextmanager
    def no_sync(self):
        """Gradients of the backward passes inside accumulate locally, without communication;
        the first backward after it averages the accumulated sums."""
        _C.grad_buckets_set_sync(self._buckets, False)
        try:
            yield
        finally:
            _C.grad_buckets_set_sync(self._buckets, True)

    def flat_gradients(self):
        """Every gradient as one float32 NumPy array over the engine's buffer (no copy)."""
        return _C.grad_buckets_array(self._buckets)

    def bucket_views(self):
        """The buckets as NumPy views of `flat_gradients()`, in the order they are reduced."""
        flat = self.flat_gradients()
        return [flat[offset:offset + count] for offset, count in _C.grad_buckets_ranges(self._buckets)]
