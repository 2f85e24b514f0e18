"""Training workflows: `fit` / `train_epoch` / `evaluate` (whole epochs in the engine),
and the CIFAR-10 case study's `train`, `validate`, `test`, `experiment(partition, args)`,
`print_acc_class`, `plot_loss_variation`, `plot_acc_variation`, plus a confusion matrix and
`LivePlot`, curves that redraw during training in a notebook.
matplotlib (plots) and tqdm (progress bars) are optional."""
from .experiment import (DEFAULTS, class_accuracies, experiment, make_partition, print_acc_class, test, train,
                         validate)
from .live import LivePlot
from .loops import BatchInfo, EpochResult, Evaluation, evaluate, fit, train_epoch
from .plots import plot_acc_variation, plot_confusion_matrix, plot_loss_variation
from .sweep import sweep

__all__ = ["BatchInfo", "DEFAULTS", "LivePlot", "EpochResult", "Evaluation", "class_accuracies", "confusion_matrix", "evaluate",
           "experiment", "fit", "make_partition", "plot_acc_variation", "plot_confusion_matrix",
           "plot_loss_variation", "print_acc_class", "sweep", "test", "train", "train_epoch", "validate"]


def confusion_matrix(model, loader, num_classes=None):
    """The int64 [classes, classes] confusion matrix of `model` over `loader` (row = true label)."""
    return evaluate(model, loader, num_classes=num_classes).confusion
