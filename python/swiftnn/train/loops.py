"""Epoch loops: `fit`, `train_epoch` and `evaluate`.

When the model is an engine module (a zoo model or built-in layer), the loader
batches in the engine and the optimizer is a swiftnn optimizer, a whole epoch
runs inside the engine in one call with the GIL released; after each batch the
engine calls back into Python for the per-batch callback and the progress bar.
Anything else (a Module written in Python, a Python transform, another loss)
runs the same steps in a Python loop. Both paths give the same numbers."""
import time
from collections import namedtuple

import numpy as np

from .. import _C
from ..data import DataLoader
from ..data.loader import _engine_source
from ..grad_mode import no_grad
from ..nn.layers import _EngineModule
from ..nn.loss import CrossEntropyLoss
from ..nn.parallel import DataParallel
from ..nn.utils import clip_grad_norm_
from ..optim.optimizer import Optimizer
from ..tensor import Tensor
from ..transforms import engine_chain, engine_specs
from ..distributed.metrics import is_data_parallel, is_main_process, reduce_counts
from . import resume
from .progress import progress_bar

__all__ = ["BatchInfo", "EpochResult", "Evaluation", "fit", "train_epoch", "evaluate"]

BatchInfo = namedtuple("BatchInfo", ["epoch", "batch", "batches", "size", "loss", "correct"])
BatchInfo.__doc__ = "What the per-batch callback receives: the batch's mean loss and its correct count."

EpochResult = namedtuple("EpochResult", ["loss", "accuracy", "correct", "total"])
EpochResult.__doc__ = "One training pass: mean batch loss, accuracy in percent, correct and total samples."

Evaluation = namedtuple("Evaluation", ["loss", "accuracy", "correct", "total", "confusion"])
Evaluation.__doc__ = ("One evaluation pass: mean batch loss, accuracy in percent, counts, and the confusion "
                      "matrix (int64 [classes, classes], row = true label, column = prediction).")


def _label_smoothing(criterion):
    """The engine loss settings for `criterion`, or None if the engine cannot compute it."""
    if criterion is None:
        return 0.0
    if type(criterion) is CrossEntropyLoss and criterion.reduction == "mean" and criterion.ignore_index == -100:
        return float(criterion.label_smoothing)
    return None


def _engine_optimizers(optimizer):
    if isinstance(optimizer, Optimizer) and type(optimizer).step is Optimizer.step:
        return optimizer._engines
    return None


def _result(loss_sum, batches, correct, total, cls=EpochResult, *extra):
    loss = loss_sum / batches if batches else 0.0
    return cls(loss, 100.0 * correct / total if total else 0.0, correct, total, *extra)


class _Reporter:
    """Turns engine batch reports into BatchInfo for the callback and the progress bar."""

    def __init__(self, epoch, callback, bar):
        self.epoch, self.callback, self.bar = epoch, callback, bar
        self.loss_sum = self.correct = self.total = 0

    def __call__(self, batch, batches, size, loss, correct):
        self.loss_sum += loss
        self.correct += correct
        self.total += size
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{self.loss_sum / (batch + 1):.4f}",
                                 acc=f"{100.0 * self.correct / self.total:.2f}", refresh=False)
        if self.callback is not None:
            self.callback(BatchInfo(self.epoch, batch, batches, size, loss, correct))


def _unwrapped(model):
    """The model inside an nn.DataParallel (a pass-through), so a zoo model still trains in the engine."""
    return model.module if isinstance(model, DataParallel) else model


def _engine_handle(model):
    """The engine module that runs `model` (an engine module, or a DistributedDataParallel
    wrapping one), else None."""
    if isinstance(model, _EngineModule):
        return model._handle
    return getattr(model, "_engine_handle", None)


def _global(result, model, loader, batches):
    """Under data parallelism, the epoch's figures over every rank's shard (see
    swiftnn.distributed.metrics); else `result` unchanged."""
    if not is_data_parallel(model, loader):
        return result
    confusion = getattr(result, "confusion", None)
    loss_sum, batches, correct, total, confusion = reduce_counts(result.loss * batches, batches, result.correct,
                                                                 result.total, confusion)
    extra = (confusion,) if isinstance(result, Evaluation) else ()
    return _result(loss_sum, batches, correct, total, type(result), *extra)


def _correct(logits, labels):
    predicted = np.asarray(logits.numpy()).argmax(axis=1)
    return predicted, int((predicted == np.asarray(labels)).sum())


def train_epoch(model, loader, optimizer, criterion=None, max_grad_norm=None, callback=None, *, epoch=0,
                progress=False, engine=None):
    """One pass over `loader`: per batch zero_grad, forward, loss (CrossEntropyLoss by default),
    backward, `clip_grad_norm_(model.parameters(), max_grad_norm)` when given, `optimizer.step()`.
    `callback(BatchInfo)` runs after each batch; an exception in it stops the epoch and
    propagates. `engine=False` forces the Python loop. Returns an EpochResult."""
    smoothing = _label_smoothing(criterion)
    engines = _engine_optimizers(optimizer)
    model = _unwrapped(model)
    model_handle = _engine_handle(model)
    use_engine = engine is not False and smoothing is not None and engines is not None and \
        model_handle is not None and isinstance(loader, DataLoader)
    handle = loader._engine_epoch() if use_engine else None
    with progress_bar(progress and is_main_process(), len(loader), f"epoch {epoch} train") as bar:
        report = _Reporter(epoch, callback, bar)
        model.train()
        if handle is not None:
            loss, correct, total = _C.train_epoch(model_handle, handle, engines,
                                                  float(max_grad_norm or 0.0), smoothing, report)
            result = EpochResult(loss, 100.0 * correct / total if total else 0.0, correct, total)
            return _global(result, model, loader, len(loader))
        criterion = criterion if criterion is not None else CrossEntropyLoss()
        batches = len(loader)
        for index, (images, labels) in enumerate(loader):
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            if max_grad_norm:
                clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            report(index, batches, len(labels), loss.item(), _correct(outputs, labels)[1])
        return _global(_result(report.loss_sum, batches, report.correct, report.total), model, loader, batches)


def _num_classes(model, loader):
    """The width of the model's output on the first sample of an engine loader's dataset
    (transformed with a fixed seed, so no random number is drawn)."""
    handle, transform, _ = _engine_source(loader.dataset)
    sample, _ = _C.dataset_get(handle, 0)
    raw = _C.dataset_info(handle)[1]
    sample, _ = _C.transform_apply(engine_chain(engine_specs(transform)), sample, raw, 0)
    with no_grad():
        return int(model(Tensor._wrap(sample).unsqueeze(0)).shape[1])


def evaluate(model, loader, criterion=None, num_classes=None, callback=None, *, progress=False, desc="eval",
             engine=None):
    """Evaluates in eval mode without gradients: mean batch loss, accuracy and the confusion
    matrix over `loader`. Returns an Evaluation."""
    smoothing = _label_smoothing(criterion)
    model = _unwrapped(model)
    model.eval()
    model_handle = _engine_handle(model)
    use_engine = engine is not False and smoothing is not None and model_handle is not None and \
        isinstance(loader, DataLoader) and len(loader) > 0
    handle = loader._engine_epoch() if use_engine else None
    if handle is not None and num_classes is None:
        num_classes = _num_classes(model, loader)
    with progress_bar(progress and is_main_process(), len(loader), desc) as bar:
        report = _Reporter(0, callback, bar)
        if handle is not None:
            loss, correct, total, confusion = _C.evaluate(model_handle, handle, smoothing, num_classes, report)
            result = Evaluation(loss, 100.0 * correct / total if total else 0.0, correct, total, confusion)
            return _global(result, model, loader, len(loader))
        criterion = criterion if criterion is not None else CrossEntropyLoss()
        confusion = None if num_classes is None else np.zeros((num_classes, num_classes), dtype=np.int64)
        batches = len(loader)
        with no_grad():
            for index, (images, labels) in enumerate(loader):
                outputs = model(images)
                loss = criterion(outputs, labels)
                predicted, correct = _correct(outputs, labels)
                if confusion is None:
                    confusion = np.zeros((outputs.shape[1],) * 2, dtype=np.int64)
                np.add.at(confusion, (np.asarray(labels), predicted), 1)
                report(index, batches, len(labels), loss.item(), correct)
        if confusion is None:
            confusion = np.zeros((0, 0), dtype=np.int64)
        result = _result(report.loss_sum, batches, report.correct, report.total, Evaluation, confusion)
        return _global(result, model, loader, batches)


def fit(model, loader, optimizer, criterion=None, epochs=1, *, max_grad_norm=None, callback=None, val_loader=None,
        scheduler=None, progress=True, engine=None, checkpoint_dir=None):
    """Trains for `epochs` whole epochs (each in the engine when it can, see `train_epoch`),
    validating on `val_loader` after each when given and stepping `scheduler` once per epoch.
    A callback with an `epoch_end(train_loss, train_acc, val_loss, val_acc)` method (LivePlot)
    also hears about each epoch.
    `progress`: a tqdm bar per epoch when tqdm is installed (False: quiet).
    `checkpoint_dir`: after each epoch the whole training state is saved there, and a run
    started on a directory that holds one resumes after its last epoch, giving the same
    losses as an uninterrupted run (see `swiftnn.train.resume`).
    Returns the history: {'train_losses', 'train_accs', 'val_losses', 'val_accs', 'epoch_seconds'}."""
    history = {"train_losses": [], "train_accs": [], "val_losses": [], "val_accs": [], "epoch_seconds": []}
    first_epoch, checkpoint, run_seed = 0, None, None
    if checkpoint_dir is not None:
        checkpoint = resume.TrainingCheckpoint(checkpoint_dir, model, optimizer, scheduler, [loader, val_loader])
        restored = checkpoint.restore()
        if restored is None:
            run_seed = resume.new_run_seed()
        else:
            first_epoch, history, run_seed = restored
    for epoch in range(first_epoch, epochs):
        if checkpoint is not None:
            resume.seed_epoch(run_seed, epoch)
        start = time.perf_counter()
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
        result = train_epoch(model, loader, optimizer, criterion, max_grad_norm, callback, epoch=epoch,
                             progress=progress, engine=engine)
        history["train_losses"].append(result.loss)
        history["train_accs"].append(result.accuracy)
        if val_loader is not None:
            val = evaluate(model, val_loader, criterion, progress=progress, desc=f"epoch {epoch} val", engine=engine)
            history["val_losses"].append(val.loss)
            history["val_accs"].append(val.accuracy)
        if scheduler is not None:
            scheduler.step()
        history["epoch_seconds"].append(time.perf_counter() - start)
        if hasattr(callback, "epoch_end"):  # e.g. train.LivePlot
            callback.epoch_end(result.loss, result.accuracy, *((val.loss, val.accuracy) if val_loader else ()))
        if checkpoint is not None and is_main_process():  # one writer under data parallelism
            checkpoint.save(epoch + 1, history, run_seed)
    return history
