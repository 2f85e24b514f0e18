"""`Sequential`: runs its children in order; they are named "0", "1", ... unless
given as an OrderedDict."""
from collections import OrderedDict

from .. import _C
from ..tensor import Tensor, _as_tensor
from .layers import Dropout, ReLU, _EngineModule
from .module import Module


class Sequential(Module):
    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def _key(self, index):
        size = len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range")
        return list(self._modules)[index % size]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._key(index)]

    def __setitem__(self, index, module):
        setattr(self, self._key(index), module)

    def __delitem__(self, index):
        keys = list(self._modules)[index] if isinstance(index, slice) else [self._key(index)]
        for key in keys:
            del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def forward(self, input):
        """Each module in turn; a run of two or more built-in engine layers goes to the engine in
        one call, which runs them as its own Sequential would (same results): in inference a
        Conv2d followed by BatchNorm2d and/or ReLU becomes one convolution with the BatchNorm
        folded in, and the run costs one call instead of one per layer."""
        run = []
        for module in self:
            if _runs_in_engine(module, starts_run=not run):
                run.append(module)
                continue
            input = _forward_run(run, input)
            run = []
            input = module(input)
        return _forward_run(run, input)


def _runs_in_engine(module, starts_run):
    """A built-in engine layer whose forward nobody replaced (a subclass or an instance
    attribute, as summary's tracing sets). ReLU's and Dropout's own forward only rebind
    an in-place layer's input, which inside a run is an intermediate nobody else sees."""
    if not isinstance(module, _EngineModule) or "forward" in module.__dict__ or type(module).__call__ is not Module.__call__:
        return False
    forward = type(module).forward
    if forward in (ReLU.forward, Dropout.forward):
        return not (starts_run and module.inplace)
    return forward is _EngineModule.forward


def _forward_run(run, input):
    if len(run) < 2:
        for module in run:
            input = module(input)
        return input
    return Tensor._wrap(_C.modules_forward([module._handle for module in run], _as_tensor(input)._h))
