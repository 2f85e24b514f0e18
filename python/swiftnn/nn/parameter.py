"""`Parameter`: a Tensor that a Module registers as trainable when assigned as an attribute."""
from .. import _C
from ..tensor import Tensor


class Parameter(Tensor):
    """Parameter(data=None, requires_grad=True). From a Tensor it shares that
    tensor's storage (as in PyTorch); from an array-like it copies as float32."""

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            self._h = _C.from_array([])
        elif isinstance(data, Tensor):
            self._h = _C.detach(data._h)
        else:
            self._h = _C.from_array(data)
        _C.set_requires_grad(self._h, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
