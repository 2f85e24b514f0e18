"""Engine modules as PyTorch module trees.

A zoo model (or any engine module with children) is shown to Python as the tree
PyTorch users walk: `model.features[0]`, `model.layer1[0].conv1`, `model.fc`,
`modules()`, `named_children()`. Each node wraps the engine's own child module (a
handle from `_C.module_children`, never a copy) in the nn class of its kind, so
`isinstance(m, nn.Conv2d)` holds, `m.weight` is the tensor the model's forward
reads, and re-initialising it (`nn.init.kaiming_normal_(m.weight)`,
`m.bias.data.zero_()`) changes the model. Kinds without a torch.nn class
(`Bottleneck`, `DenseBlock`, ...) get a class of that name.

The engine runs the forward of the whole tree, so its structure is fixed: assigning
or deleting a child of an engine module raises instead of being silently ignored.
"""
from collections import OrderedDict

from .. import _C
from .container import Sequential
from .layers import _EngineModule, fixed_structure_error

_block_classes = {}


class EngineBlock(_EngineModule):
    """An engine building block without a torch.nn class (a ResNet `Bottleneck`, a
    DenseNet `DenseBlock`, ...): its children are real modules, its forward runs in the engine."""


class EngineSequential(_EngineModule, Sequential):
    """An `nn.Sequential` living in the engine (`features`, `classifier`, `layer1`, ...):
    indexing, `len` and iteration as PyTorch's; the forward runs in the engine. A slice is
    a new Python Sequential of the same (shared) modules."""

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return super().__getitem__(index)

    def __delitem__(self, index):
        raise fixed_structure_error(self, "delete a layer of")

    def append(self, module):
        raise fixed_structure_error(self, "append to")

    def insert(self, index, module):
        raise fixed_structure_error(self, "insert into")

    def extend(self, sequential):
        raise fixed_structure_error(self, "extend")


def _class_for(kind):
    """The Python class that stands for an engine module kind."""
    if kind == "Sequential":
        return EngineSequential
    from .. import nn
    cls = getattr(nn, kind, None)
    if isinstance(cls, type) and issubclass(cls, _EngineModule):
        return cls
    if kind not in _block_classes:
        _block_classes[kind] = type(kind, (EngineBlock,), {"__doc__": f"The engine's {kind} block.",
                                                           "__module__": __name__})
    return _block_classes[kind]


def wrap(kind, handle):
    """A Python module of `kind`'s class over the live engine module `handle` (no constructor
    runs: the state and settings are the engine's)."""
    cls = _class_for(kind)
    module = cls.__new__(cls)
    _EngineModule.__init__(module, handle)
    return module


def engine_children(handle):
    """[(name, Module)] for the engine module's direct children, in registration order."""
    return [(name, wrap(_C.module_type_name(child), child)) for name, child in _C.module_children(handle)]
