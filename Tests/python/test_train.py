"""swiftnn.train on a tiny in-memory dataset: fit in the engine and in Python give the
same numbers, seeds fix them, the per-batch callback sees every batch and its
exceptions propagate, the case-study functions return the reference's result dict,
the confusion matrix adds up, and the plots are PNG files."""
import argparse
import threading

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from swiftnn import models, optim
from swiftnn import transforms as T
from swiftnn.data import DataLoader, TensorDataset
from swiftnn.train import (BatchInfo, confusion_matrix, evaluate, experiment, fit, make_partition,
                           plot_acc_variation, plot_confusion_matrix, plot_loss_variation, print_acc_class, test,
                           train, train_epoch, validate)

N, CLASSES = 60, 4
SMALL_CNN = dict(input_size=(3, 8, 8), kernal_list=[4, "p", 8], num_classes=CLASSES)


def tiny_dataset(n=N, seed=0):
    """Images whose mean brightness per channel tells the class (learnable in a few steps)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, n)
    images = rng.normal(0, 1, (n, 3, 8, 8)).astype(np.float32)
    images[:, 0] += labels[:, None, None] - 1.5
    return TensorDataset(images, labels)


def small_cnn():
    return models.normal_CNN(**SMALL_CNN)


class PythonNet(nn.Module):
    """A model written in Python: fit must fall back to a Python loop."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * 8 * 8, 16)
        self.fc2 = nn.Linear(16, CLASSES)

    def forward(self, x):
        return self.fc2(swiftnn.relu(self.fc1(swiftnn.flatten(x, 1))))


def run_fit(seed, engine=None, epochs=2, model=small_cnn, **kwargs):
    swiftnn.manual_seed(seed)
    net = model()
    optimizer = optim.Adam(net.parameters(), lr=1e-2, weight_decay=1e-4)
    loader = DataLoader(tiny_dataset(), batch_size=16, shuffle=True)
    val = DataLoader(tiny_dataset(20, seed=1), batch_size=8)
    return fit(net, loader, optimizer, epochs=epochs, max_grad_norm=1.0, val_loader=val, progress=False,
               engine=engine, **kwargs)


def test_engine_and_python_loops_agree_and_seeds_fix_the_losses():
    engine = run_fit(5)
    python = run_fit(5, engine=False)
    for key in ("train_losses", "train_accs", "val_losses", "val_accs"):
        assert engine[key] == pytest.approx(python[key], rel=1e-6), key
    assert run_fit(5)["train_losses"] == engine["train_losses"]  # identical, not just close
    assert run_fit(6)["train_losses"] != engine["train_losses"]
    assert len(engine["epoch_seconds"]) == 2


def test_training_lowers_the_loss():
    history = run_fit(0, epochs=8)
    assert history["train_losses"][-1] < history["train_losses"][0] * 0.7
    assert history["train_accs"][-1] > 60


@pytest.mark.parametrize("engine", [None, False])
def test_callback_sees_every_batch(engine):
    swiftnn.manual_seed(1)
    net = small_cnn()
    optimizer = optim.SGD(net.parameters(), lr=0.05)
    loader = DataLoader(tiny_dataset(), batch_size=16, shuffle=True)
    seen = []
    result = train_epoch(net, loader, optimizer, callback=seen.append, epoch=3, engine=engine)
    assert all(isinstance(b, BatchInfo) for b in seen)
    assert [b.batch for b in seen] == [0, 1, 2, 3]
    assert {b.batches for b in seen} == {4} and {b.epoch for b in seen} == {3}
    assert [b.size for b in seen] == [16, 16, 16, 12]
    assert result.loss == pytest.approx(sum(b.loss for b in seen) / 4, rel=1e-12)
    assert result.correct == sum(b.correct for b in seen)
    assert result.total == N
    assert result.accuracy == pytest.approx(100 * result.correct / N)


def test_callback_exception_propagates_and_training_goes_on():
    swiftnn.manual_seed(2)
    net = small_cnn()
    optimizer = optim.Adam(net.parameters())
    loader = DataLoader(tiny_dataset(), batch_size=16, shuffle=True)
    calls = []

    class Stop(Exception):
        pass

    def callback(info):
        calls.append(info.batch)
        if info.batch == 1:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        fit(net, loader, optimizer, callback=callback, progress=False)
    assert calls == [0, 1]
    # No deadlock, no stale state: the next epochs run, also from another thread.
    assert fit(net, loader, optimizer, progress=False)["train_losses"][0] > 0
    out = {}
    worker = threading.Thread(target=lambda: out.update(fit(net, loader, optimizer, progress=False)))
    worker.start()
    worker.join(60)
    assert not worker.is_alive() and len(out["train_losses"]) == 1
    with pytest.raises(TypeError):
        train_epoch(net, loader, optimizer, callback=42)


def test_python_module_and_python_transform_fall_back_to_a_python_loop():
    history = run_fit(0, model=PythonNet, epochs=3)
    assert history["train_losses"][-1] < history["train_losses"][0]
    # A Python callable transform (engine model): the batches come from Python.
    x = np.random.default_rng(0).normal(size=(20, 3, 8, 8)).astype(np.float32)
    ds = TensorDataset(x, np.arange(20) % CLASSES, transform=T.Lambda(lambda t: t * 2))
    net = small_cnn()
    evaluation = evaluate(net, DataLoader(ds, batch_size=8))
    assert evaluation.total == 20 and evaluation.confusion.sum() == 20


def test_confusion_matrix_adds_up():
    swiftnn.manual_seed(3)
    net = small_cnn()
    ds = tiny_dataset(37)
    for engine in (None, False):
        evaluation = evaluate(net, DataLoader(ds, batch_size=10), engine=engine)
        assert evaluation.confusion.shape == (CLASSES, CLASSES)
        assert evaluation.confusion.sum() == 37 == evaluation.total
        assert np.trace(evaluation.confusion) == evaluation.correct
        np.testing.assert_array_equal(evaluation.confusion.sum(axis=1), np.bincount(ds.tensors[1], minlength=CLASSES))
    assert not net.training
    np.testing.assert_array_equal(confusion_matrix(net, DataLoader(ds, batch_size=10)), evaluation.confusion)
    assert confusion_matrix(net, DataLoader(ds, batch_size=10), num_classes=6).shape == (6, 6)


def partition(limit=None):
    swiftnn.manual_seed(0)
    return make_partition(tiny_dataset(N), tiny_dataset(20, seed=3), limit=limit)


def reference_args(**overrides):
    args = argparse.Namespace(model=small_cnn, optim="Adam", lr=1e-2, l2=1e-4, epoch=2, train_batch_size=16,
                              test_batch_size=8, clip=1.0, seed=7, quiet=True)
    for k, v in overrides.items():
        setattr(args, k, v)
    return args


def test_experiment_returns_the_reference_result_dict(capsys):
    parts = partition()
    assert [len(parts[k]) for k in ("train", "val", "test")] == [48, 12, 20]
    settings, result = experiment(parts, reference_args())
    for key in ("train_losses", "val_losses", "train_accs", "val_accs"):
        assert len(result[key]) == 2
    assert result["train_acc"] == result["train_accs"][-1] and result["val_acc"] == result["val_accs"][-1]
    assert 0 <= result["test_acc"] <= 100 and result["confusion"].sum() == 20
    assert list(result["class_accs"]) == ["0", "1", "2", "3"]
    assert settings["epoch"] == 2 and settings["clip"] == 1.0
    assert capsys.readouterr().out == ""  # quiet
    # Identical seeds, identical histories; per-epoch testing adds test figures.
    _, again = experiment(parts, reference_args(test_every_epoch=True))
    assert again["train_losses"] == result["train_losses"] and again["val_accs"] == result["val_accs"]
    assert len(again["test_accs"]) == 2 and again["test_acc"] == again["test_accs"][-1]
    _, loud = experiment(parts, dict(vars(reference_args()), quiet=False, epoch=1))
    out = capsys.readouterr().out
    assert "Epoch 0, Acc(train/val):" in out and "Accuracy of     3 :" in out
    _, none = experiment(parts, reference_args(epoch=0))  # no training: just the test
    assert none["train_losses"] == [] and none["train_acc"] is None and none["confusion"].sum() == 20
    with pytest.raises(ValueError, match="In-valid optimizer"):
        experiment(parts, reference_args(optim="Nope"))
    with pytest.raises(ValueError, match="In-valid model"):
        experiment(parts, reference_args(model="NoSuchNet"))


def test_case_study_functions_one_by_one(capsys):
    parts = partition(limit=40)
    assert [len(parts[k]) for k in ("train", "val", "test")] == [32, 8, 20]
    args = reference_args()
    net = small_cnn()
    optimizer = optim.Adam(net.parameters())
    criterion = nn.CrossEntropyLoss()
    net, train_loss, train_acc = train(net, parts, optimizer, criterion, args)
    val_loss, val_acc = validate(net, parts, criterion, args)
    test_acc = test(net, parts, args)
    assert train_loss > 0 and val_loss > 0 and 0 <= train_acc <= 100 and 0 <= val_acc <= 100
    assert test_acc in {100 * k / 20 for k in range(21)}
    print_acc_class(net, parts, args)
    assert capsys.readouterr().out.count("Accuracy of") == CLASSES


def test_plots_are_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    result = {"train_losses": [2.0, 1.5, 1.2], "val_losses": [2.1, 1.7, 1.6], "train_accs": [20, 40, 55],
              "val_accs": [18, 35, 45], "test_acc": 44.0}
    paths = [tmp_path / "loss.png", tmp_path / "acc.png", tmp_path / "confusion.png"]
    plot_loss_variation(result, paths[0])
    plot_acc_variation(result, paths[1])
    plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["a", "b"], paths[2])
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_works_without_matplotlib_and_tqdm():
    import subprocess
    import sys
    code = """
import sys
sys.modules['matplotlib'] = sys.modules['tqdm'] = sys.modules['tqdm.auto'] = None  # as if not installed
import numpy as np, swiftnn
from swiftnn.data import DataLoader, TensorDataset
from swiftnn.train import fit, plot_loss_variation
model = swiftnn.nn.Linear(4, 2)
ds = TensorDataset(np.ones((8, 4), np.float32), np.arange(8) % 2)
print(len(fit(model, DataLoader(ds, batch_size=4), swiftnn.optim.SGD(model.parameters(), lr=0.1))['train_losses']))
try:
    plot_loss_variation({'train_losses': [1], 'val_losses': [1]})
except ImportError as e:
    print(e)
"""
    job = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert job.returncode == 0, job.stderr
    assert job.stdout.splitlines() == ["1", "swiftnn.train plots need matplotlib: pip install matplotlib "
                                            "(or pip install 'swiftnn[plots]')"]


def test_engine_epoch_releases_the_gil():
    """Another Python thread keeps running while a whole epoch runs in the engine."""
    import time
    swiftnn.manual_seed(0)
    net = models.normal_CNN(input_size=(3, 32, 32), kernal_list=[16, "p", 32], num_classes=CLASSES)
    x = np.random.default_rng(0).normal(size=(256, 3, 32, 32)).astype(np.float32)
    loader = DataLoader(TensorDataset(x, np.arange(256) % CLASSES), batch_size=128)
    ticks, done = [], threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    worker = threading.Thread(target=tick)
    worker.start()
    time.sleep(0.01)
    start = time.perf_counter()
    train_epoch(net, loader, optim.SGD(net.parameters(), lr=0.01))
    elapsed = time.perf_counter() - start
    done.set()
    worker.join()
    during = [t for t in ticks if start < t < start + elapsed]
    # Two batches, so the GIL is taken back at most twice (the batch hook): many ticks mean it was released.
    assert len(during) > 10, (len(during), elapsed)
