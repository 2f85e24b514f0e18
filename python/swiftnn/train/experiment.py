"""The CIFAR-10 case study's workflow: `train`, `validate`, `test` and
`experiment(partition, args)` with the reference's signatures and result dict.

`args` is an argparse.Namespace (or a dict) with the case study's fields; the
missing ones take the reference recipe (Adam lr 1e-3, weight decay 1e-4,
batches of 500, no gradient clipping, as the case study):

    model               zoo model name ('CNN' = normal_CNN, 'Resnet', 'SE_Resnet', 'Densenet', ...),
                        a Module, or a callable returning one
    optim, lr, l2       'SGD' | 'RMSprop' | 'Adam' | 'AdamW', learning rate, weight decay
    betas, eps, momentum
    epoch               number of epochs (`epochs` is accepted too)
    train_batch_size, test_batch_size
    clip                max gradient norm (None, the default: no clipping, as the case study)
    seed                swiftnn.manual_seed(seed) before the model is built (None: leave the generator)
    test_every_epoch    also evaluate the test set after every epoch (test_losses / test_accs)
    progress            tqdm progress bars when tqdm is installed (default True)
    callback            per-batch callback, as fit's (e.g. train.LivePlot(); its epoch_end hears each epoch)
    quiet               no printing and no progress bars
    checkpoint_dir      save the run after every epoch there and resume from it (see `swiftnn.train.resume`)
    sync_bn             under swiftnn.distributed: synchronised BatchNorm (default True)

Started as several MPI ranks (after `swiftnn.distributed.init_process_group()`), the same
call trains data-parallel: see swiftnn.train.data_parallel.
"""
import argparse
import json
import time

import numpy as np

from .. import _C, models, optim
from ..creation import manual_seed
from ..data import DataLoader, Subset, random_split
from ..datasets import CIFAR10
from ..nn import Module
from ..nn.loss import CrossEntropyLoss
from . import data_parallel
from . import resume
from .loops import evaluate, train_epoch

__all__ = ["CIFAR10_CLASSES", "DEFAULTS", "train", "validate", "test", "experiment", "make_partition", "print_acc_class",
           "class_accuracies"]


def _recipe(name):
    """A training recipe of the engine (the one place its numbers live), with Python's types."""
    recipe = json.loads(_C.recipe(name))
    recipe["betas"] = tuple(recipe["betas"])
    for key in ("lr", "l2", "eps", "momentum", "clip"):
        recipe[key] = None if recipe[key] is None else float(recipe[key])
    return recipe


# The template's recipe, except that the case study's experiment does not clip gradients
# unless asked (args.clip).
DEFAULTS = dict(model="CNN", **{**_recipe("reference"), "clip": None}, epoch=1, seed=None, test_every_epoch=False,
                progress=True, quiet=False, callback=None,
                sync_bn=True)

# The case study's model names for the zoo's.
_MODEL_NAMES = {"cnn": "normal_CNN"}

# The case study's names of the CIFAR-10 classes (torchvision's CIFAR10.classes says 'airplane', ...).
CIFAR10_CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _args(args):
    """A Namespace holding `args` over the defaults (`epochs` is an alias of `epoch`)."""
    values = dict(vars(args) if isinstance(args, argparse.Namespace) else dict(args or {}))
    if "epochs" in values and "epoch" not in values:
        values["epoch"] = values["epochs"]
    return argparse.Namespace(**{**DEFAULTS, **values})


def _get(args, name):
    return getattr(args, name, DEFAULTS[name])


def _bars(args):
    return _get(args, "progress") and not _get(args, "quiet") and data_parallel.shows_output()


def _loader(dataset, batch_size, shuffle=False, args=None):
    """Shuffled loaders draw their seed from the default generator; evaluation loaders take a
    fixed one, so evaluating (e.g. testing every epoch) never changes the training run.
    Under swiftnn.distributed: this rank's shard, with its share of the batch."""
    if data_parallel.world_size() is not None:
        seed = (_get(args, "seed") or 0) if args is not None else 0
        return data_parallel.sharded_loader(dataset, data_parallel.per_rank_batch(batch_size, "batch size"), shuffle,
                                            getattr(args, "_epoch", 0), seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, num_workers=0, seed=None if shuffle else 0)


def train(net, partition, optimizer, criterion, args):
    """One epoch on partition['train'] (a freshly shuffled loader of args.train_batch_size),
    clipping the gradient norm to args.clip. Returns (net, train_loss, train_acc)."""
    loader = _loader(partition["train"], _get(args, "train_batch_size"), shuffle=True, args=args)
    result = train_epoch(net, loader, optimizer, criterion, _get(args, "clip"), _get(args, "callback"),
                         progress=_bars(args), epoch=getattr(args, "_epoch", 0))
    return net, result.loss, result.accuracy


def validate(net, partition, criterion, args):
    """Mean batch loss and accuracy on partition['val']. Returns (val_loss, val_acc)."""
    result = evaluate(net, _loader(partition["val"], _get(args, "test_batch_size")), criterion,
                      progress=_bars(args), desc="val")
    return result.loss, result.accuracy


def _test(net, partition, args):
    return evaluate(net, _loader(partition["test"], _get(args, "test_batch_size")), CrossEntropyLoss(),
                    progress=_bars(args), desc="test")


def test(net, partition, args):
    """Accuracy on partition['test'] in percent."""
    return _test(net, partition, args).accuracy


test.__test__ = False  # not a pytest test when imported into a test module


def _classes(dataset, count):
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    if isinstance(dataset, CIFAR10) and count == len(CIFAR10_CLASSES):
        return list(CIFAR10_CLASSES)
    names = getattr(dataset, "classes", None)
    return list(names) if names is not None and len(names) == count else [str(i) for i in range(count)]


def class_accuracies(confusion, classes):
    """{class name: accuracy in percent} from a confusion matrix (nan for a class with no samples)."""
    confusion = np.asarray(confusion)
    support = confusion.sum(axis=1)
    return {name: (100.0 * confusion[i, i] / support[i] if support[i] else float("nan"))
            for i, name in enumerate(classes)}


def print_acc_class(net_or_result, partition, args=None, classes=None):
    """Prints 'Accuracy of <class> : NN %' per class, from a result dict of `experiment`
    (no new pass) or by testing `net` on partition['test']. Class names: `classes`, else the
    case study's for CIFAR-10 ('plane', 'car', ...), else the dataset's `classes`."""
    if isinstance(net_or_result, dict):
        accs = net_or_result["class_accs"]
        if classes is not None:
            accs = dict(zip(classes, accs.values()))
    else:
        confusion = _test(net_or_result, partition, _args(args)).confusion
        accs = class_accuracies(confusion, list(classes) if classes is not None else
                                _classes(partition["test"], len(confusion)))
    for name, acc in accs.items():
        print("Accuracy of %5s : %2d %%" % (name, acc) if acc == acc else "Accuracy of %5s : no samples" % name)


def _model(spec):
    if isinstance(spec, Module):
        return spec
    if callable(spec):
        return spec()
    name = _MODEL_NAMES.get(str(spec).lower(), spec)
    lookup = {n.lower(): n for n in models.available_models()}
    if str(name).lower() not in lookup:
        raise ValueError(f"In-valid model choice {spec!r}; available: CNN, {', '.join(models.available_models())}")
    return getattr(models, lookup[str(name).lower()])()


def _optimizer(net, args):
    kind = str(args.optim).lower()
    if kind == "sgd":
        return optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.l2)
    if kind == "rmsprop":
        return optim.RMSprop(net.parameters(), lr=args.lr, eps=args.eps, weight_decay=args.l2, momentum=args.momentum)
    if kind in ("adam", "adamw"):
        cls = optim.Adam if kind == "adam" else optim.AdamW
        return cls(net.parameters(), lr=args.lr, betas=tuple(args.betas), eps=args.eps, weight_decay=args.l2)
    raise ValueError(f"In-valid optimizer choice {args.optim!r}; use SGD, RMSprop, Adam or AdamW")


def experiment(partition, args):
    """The case study's experiment: per epoch train then validate (printing a line), then test.
    Returns (settings dict, result) where result holds train_losses, val_losses, train_accs,
    val_accs (per epoch), train_acc, val_acc (last epoch), test_acc, and also test_loss,
    class_accs ({class: %}), confusion (int64 [C, C]), epoch_seconds, and with
    test_every_epoch test_losses / test_accs. Same numbers as `swiftnn-cli train`."""
    args = _args(args)
    if args.seed is not None:
        manual_seed(args.seed)
    net = _model(args.model)
    if data_parallel.world_size() is not None:
        net = data_parallel.wrap(net, args.sync_bn)
    criterion = CrossEntropyLoss()
    optimizer = _optimizer(net, args)
    keys = ["train_losses", "val_losses", "train_accs", "val_accs", "epoch_seconds", "test_losses", "test_accs"]
    result = {key: [] for key in keys}
    train_acc = val_acc = None
    first_epoch, checkpoint = 0, None
    if getattr(args, "checkpoint_dir", None) is not None:
        checkpoint = resume.TrainingCheckpoint(args.checkpoint_dir, net, optimizer)
        restored = checkpoint.restore()
        run_seed = resume.new_run_seed() if restored is None else restored[2]
        if restored is not None:
            first_epoch, result = restored[0], restored[1]
            train_acc, val_acc = (result["train_accs"] or [None])[-1], (result["val_accs"] or [None])[-1]
    for epoch in range(first_epoch, args.epoch):
        if checkpoint is not None:
            resume.seed_epoch(run_seed, epoch)  # the epoch's loader seed and dropout stream
        ts = time.time()
        args._epoch = epoch
        net, train_loss, train_acc = train(net, partition, optimizer, criterion, args)
        val_loss, val_acc = validate(net, partition, criterion, args)
        te = time.time()
        for key, value in zip(keys, (train_loss, val_loss, train_acc, val_acc, te - ts)):
            result[key].append(value)
        line = "Epoch {}, Acc(train/val): {:2.2f}/{:2.2f}, Loss(train/val) {:2.2f}/{:2.2f}.".format(
            epoch, train_acc, val_acc, train_loss, val_loss)
        if args.test_every_epoch:
            evaluation = _test(net, partition, args)
            result["test_losses"].append(evaluation.loss)
            result["test_accs"].append(evaluation.accuracy)
            line += " Test acc {:2.2f}, loss {:2.4f}.".format(evaluation.accuracy, evaluation.loss)
        if not args.quiet and data_parallel.shows_output():
            print(line + " Took {:2.2f} sec".format(te - ts), flush=True)
        if hasattr(args.callback, "epoch_end"):
            args.callback.epoch_end(train_loss, train_acc, val_loss, val_acc)
        if checkpoint is not None and data_parallel.shows_output():  # one writer under data parallelism
            checkpoint.save(epoch + 1, result, run_seed)
    vars(args).pop("_epoch", None)
    if not (args.test_every_epoch and args.epoch > first_epoch):
        evaluation = _test(net, partition, args)
    classes = _classes(partition["test"], len(evaluation.confusion))
    result.update(train_acc=train_acc, val_acc=val_acc, test_acc=evaluation.accuracy, test_loss=evaluation.loss,
                  confusion=evaluation.confusion, class_accs=class_accuracies(evaluation.confusion, classes))
    if not args.test_every_epoch:
        del result["test_losses"], result["test_accs"]
    if not args.quiet and data_parallel.shows_output():
        print_acc_class(result, partition)
    settings = vars(args)
    settings["model"] = args.model if isinstance(args.model, str) else type(net).__name__
    return settings, result


def make_partition(trainset, testset, limit=None, seed=None, train_transform_set=None):
    """The case study's partition {'train', 'val', 'test'}: `trainset` (its first `limit` samples
    when given) split at random 4:1 into train and val (40k/10k for CIFAR-10), and `testset`
    (its first `limit`). `train_transform_set` is the training data loaded again with another
    transform (augmentation): the train part then takes the same samples from it.
    With `seed`, swiftnn.manual_seed(seed) first. Same split as `swiftnn-cli train`."""
    if seed is not None:
        manual_seed(seed)

    def first(dataset):
        return Subset(dataset, range(limit)) if limit is not None and limit < len(dataset) else dataset

    full = first(trainset)
    val_count = len(full) // 5
    train_part, val_part = random_split(full, [len(full) - val_count, val_count])
    if train_transform_set is not None:
        indices = [full.indices[i] for i in train_part.indices] if isinstance(full, Subset) else train_part.indices
        train_part = Subset(train_transform_set, indices)
    return {"train": train_part, "val": val_part, "test": first(testset)}
