"""Resumable training: a `fit` run SIGKILLed at a random moment after epoch k and
started again on the same checkpoint directory finishes with exactly the losses
of an uninterrupted run (model, optimizer, scheduler, loader order, dropout and
random-transform streams all restored)."""
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from swiftnn.serialization import load_metadata

EPOCHS = 5

CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import swiftnn
    from swiftnn import nn, optim, transforms
    from swiftnn.data import DataLoader, TensorDataset
    from swiftnn.train import fit

    directory, epochs, slow = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    swiftnn.manual_seed(7)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(96, 3, 8, 8), dtype=np.uint8)
    labels = rng.integers(0, 4, size=96).astype(np.int64)
    train = TensorDataset(images, labels, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.RandomHorizontalFlip()]))
    val = TensorDataset(images[:32], labels[:32], transform=transforms.ToTensor())
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Dropout(0.3), nn.Flatten(),
                          nn.Linear(4 * 8 * 8, 4))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    loader = DataLoader(train, batch_size=16, shuffle=True)
    history = fit(model, loader, optimizer, epochs=epochs, val_loader=DataLoader(val, batch_size=16),
                  scheduler=scheduler, progress=False, checkpoint_dir=directory or None,
                  callback=(lambda info: time.sleep(slow)) if slow else None)
    print(json.dumps({k: history[k] for k in ("train_losses", "val_losses", "train_accs")}))
""")


def _run(directory, slow=0.0):
    out = subprocess.run([sys.executable, "-c", CHILD, str(directory), str(EPOCHS), str(slow)],
                         capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _epochs_saved(path):
    try:
        return json.loads(load_metadata(path)["training"])["epoch"]
    except (OSError, KeyError):
        return 0


def test_killed_run_resumes_with_identical_losses(tmp_path):
    reference = _run(tmp_path / "uninterrupted")
    assert len(reference["train_losses"]) == EPOCHS

    directory = tmp_path / "interrupted"
    checkpoint = directory / "training.safetensors"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(directory), str(EPOCHS), "0.01"],
                             stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _epochs_saved(checkpoint) < 2:
        assert child.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(random.Random(3).uniform(0.0, 0.05))  # somewhere in epoch 3 (or its checkpoint write)
    child.send_signal(signal.SIGKILL)
    child.wait()
    done = _epochs_saved(checkpoint)
    assert 2 <= done < EPOCHS, f"kill came too late ({done} epochs saved)"

    resumed = _run(directory)
    assert resumed == reference  # bit-identical floats through JSON's shortest repr


def test_finished_run_directory_replays_its_history(tmp_path):
    first = _run(tmp_path)
    again = _run(tmp_path)  # every epoch done: nothing trains, the saved history is returned
    assert again == first


def test_checkpoint_dir_rejects_a_foreign_file(tmp_path):
    import numpy as np
    import swiftnn
    swiftnn.save({"x": np.zeros(2, np.float32)}, tmp_path / "training.safetensors")
    with pytest.raises(subprocess.CalledProcessError) as failure:
        subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), "1", "0"], capture_output=True, text=True,
                       check=True, timeout=300)
    assert "OSError" in failure.value.stderr and "not a swiftnn training checkpoint" in failure.value.stderr


def _experiment(directory, epochs):
    import numpy as np
    from swiftnn import nn
    from swiftnn.data import TensorDataset
    from swiftnn.train import experiment
    rng = np.random.default_rng(1)
    images = rng.standard_normal((60, 1, 6, 6)).astype(np.float32)
    labels = rng.integers(0, 3, 60)
    data = TensorDataset(images, labels)
    partition = {"train": data, "val": TensorDataset(images[:20], labels[:20]),
                 "test": TensorDataset(images[20:40], labels[20:40])}
    model = lambda: nn.Sequential(nn.Flatten(), nn.Linear(36, 16), nn.ReLU(), nn.Dropout(0.2),  # noqa: E731
                                  nn.Linear(16, 3))
    args = dict(model=model, optim="SGD", lr=0.1, momentum=0.9, epoch=epochs, train_batch_size=8,
                test_batch_size=8, seed=5, quiet=True, checkpoint_dir=str(directory))
    return experiment(partition, args)[1]


def test_experiment_resumes_from_its_checkpoint_dir(tmp_path):
    full = _experiment(tmp_path / "full", 4)
    _experiment(tmp_path / "split", 2)  # interrupted after epoch 2
    resumed = _experiment(tmp_path / "split", 4)
    for key in ("train_losses", "val_losses", "train_accs", "val_accs"):
        assert resumed[key] == full[key], key
    assert resumed["test_acc"] == full["test_acc"]
