"""Loss modules over the functional forms."""
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._reduction_code(reduction)
        self.reduction = reduction


class CrossEntropyLoss(_Loss):
    """CrossEntropyLoss(weight=None, *, ignore_index=-100, reduction='mean', label_smoothing=0.0).
    Targets: class indices (ints) or class probabilities of the input's shape."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        if weight is not None:
            raise NotImplementedError("CrossEntropyLoss: per-class weights are not supported")
        super().__init__(reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class MSELoss(_Loss):
    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)
