"""`SyncBatchNorm`: batch normalization over the joint batch of every rank
(torch.nn.SyncBatchNorm). In training the engine exchanges each layer's per-channel
count, mean and variance across the process group in the forward pass, and Σg, Σg·x̂ in
the backward pass (MPI, inside the engine, GIL released), so N ranks with batches of B/N
normalize, update running statistics and back-propagate exactly as one process with B.
Evaluation uses the running statistics, without communication."""
from .. import _C
from .. import distributed as dist
from .layers import _EngineModule
from .module import Module
from .normalization import _BatchNorm


def _engine_roots(module):
    """The outermost engine modules in `module`'s tree (their engine subtrees hold the BN layers)."""
    if isinstance(module, _EngineModule):
        return [module]
    roots = []
    for child in module.children():
        roots += _engine_roots(child)
    return roots


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over [N, C, H, W] inputs, synchronised across the ranks while training
    (PyTorch's also takes [N, C] and [N, C, L]: convert_sync_batchnorm handles BatchNorm1d
    layers of any model; this constructor makes the 2-d kind)."""

    _dims = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        object.__setattr__(self, "process_group", process_group)
        if dist.is_initialized():
            _C.module_sync_batchnorm(self._handle, dist._engine_group(process_group))

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Makes every BatchNorm layer in `module` synchronous (in place, also those inside engine
        models such as `models.normal_CNN`) and returns `module`, as PyTorch's returns the
        converted model. Needs `init_process_group` first."""
        if not isinstance(module, Module):
            raise TypeError(f"convert_sync_batchnorm expects a Module, got {type(module).__name__}")
        group = dist._engine_group(process_group)
        for root in _engine_roots(module):
            _C.module_sync_batchnorm(root._handle, group)
        return module
