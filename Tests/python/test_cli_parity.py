"""The same seeded MLPnet training run through the Python API and through the
Swift command-line tool must give the same losses: both front ends drive one
engine, and the job draws its random numbers in the same order."""
import os
import pathlib
import re
import subprocess

import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
STEPS, BATCH, SEED, LR, MOMENTUM = 5, 16, 3, 0.01, 0.9


class MLPnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * 32 * 32, 128)
        self.fc2 = nn.Linear(128, 64)
        self.dropout = nn.Dropout(p=0.5)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = swiftnn.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.dropout(x)
        return self.fc3(x)


@pytest.fixture(scope="module")
def cli():
    """The release CLI that `make cli` builds with the library's exact flags."""
    path = pathlib.Path(os.environ.get("SWIFTNN_CLI", ROOT / ".build-release" / "release" / "swiftnn-cli"))
    if not path.exists():
        subprocess.run(["make", "-C", str(ROOT), "cli"], check=True)
    return path


def python_losses():
    swiftnn.manual_seed(SEED)
    model = MLPnet()
    x = swiftnn.randn(BATCH, 3, 32, 32)
    y = swiftnn.randint(0, 10, (BATCH,))
    optimizer = swiftnn.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def cli_losses(cli):
    result = subprocess.run(
        [str(cli), "train-synthetic", "--model", "MLPnet", "--steps", str(STEPS), "--batch", str(BATCH),
         "--seed", str(SEED), "--lr", str(LR), "--momentum", str(MOMENTUM)],
        check=True, capture_output=True, text=True)
    return [float(m) for m in re.findall(r"loss (\S+)", result.stdout)]


def test_python_and_swift_cli_train_identically(cli):
    from_python = python_losses()
    from_swift = cli_losses(cli)
    assert len(from_swift) == STEPS
    assert from_python == pytest.approx(from_swift, rel=1e-6)
    assert from_python[-1] < from_python[0]  # and it is really training


def test_cli_rejects_bad_arguments(cli):
    result = subprocess.run([str(cli), "train-synthetic", "--steps", "many"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "--steps expects a number" in result.stderr
    result = subprocess.run([str(cli), "train-synthetic", "--model", "NoSuchNet"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown model" in result.stderr
