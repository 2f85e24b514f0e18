"""A checkpoint saved from Python loads in the Swift command-line tool and gives the
same logits, and the reverse: both front ends read and write the same files."""
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest
import safetensors

import swiftnn
import swiftnn.nn as nn
from test_cli_parity import MLPnet

ROOT = pathlib.Path(__file__).resolve().parents[2]
BATCH, INPUT_SEED = 4, 11


@pytest.fixture(scope="module")
def cli():
    """The release CLI, rebuilt (incrementally) so it has the checkpoint commands."""
    if "SWIFTNN_CLI" in os.environ:
        return pathlib.Path(os.environ["SWIFTNN_CLI"])
    subprocess.run(["make", "-C", str(ROOT), "cli"], check=True, capture_output=True)
    return ROOT / ".build-release" / "release" / "swiftnn-cli"


def run_cli(cli, *args):
    done = subprocess.run([str(cli), *args, "--seed", str(INPUT_SEED), "--batch", str(BATCH)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = re.findall(r"^logits \d+: (.*)$", done.stdout, re.MULTILINE)
    return np.array([[np.float32(v) for v in row.split()] for row in rows], dtype=np.float32)


def python_logits(model):
    model.eval()
    swiftnn.manual_seed(INPUT_SEED)
    x = swiftnn.randn(BATCH, 3, 32, 32)
    with swiftnn.no_grad():
        return model(x).numpy()


def test_python_checkpoint_gives_the_same_logits_in_swift(cli, tmp_path):
    swiftnn.manual_seed(5)
    model = MLPnet()
    optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x, y = swiftnn.randn(8, 3, 32, 32), swiftnn.randint(0, 10, (8,))
    for _ in range(2):  # trained weights, far from any seeded initialisation
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        optimizer.step()
    path = tmp_path / "from_python.safetensors"
    swiftnn.save(model.state_dict(), path)
    from_swift = run_cli(cli, "checkpoint-logits", "--model", "MLPnet", "--weights", str(path))
    expected = python_logits(model)
    assert from_swift.shape == (BATCH, 10)
    np.testing.assert_allclose(from_swift, expected, rtol=1e-6, atol=1e-7)


def test_swift_checkpoint_gives_the_same_logits_in_python(cli, tmp_path):
    path = tmp_path / "from_swift.safetensors"
    from_swift = run_cli(cli, "checkpoint-save", "--model", "MLPnet", "--init-seed", "21", "--out", str(path))
    swiftnn.manual_seed(0)
    model = MLPnet()
    assert not np.allclose(python_logits(model), from_swift)
    model.load_state_dict(swiftnn.load(path))
    np.testing.assert_allclose(python_logits(model), from_swift, rtol=1e-6, atol=1e-7)
    with safetensors.safe_open(path, framework="numpy") as f:  # and it is a standard safetensors file
        assert f.metadata() == {"format": "pt", "model": "MLPnet"}
        assert sorted(f.keys()) == sorted(model.state_dict())
    assert os.listdir(tmp_path) == ["from_swift.safetensors"]


def test_cli_reports_damaged_checkpoints(cli, tmp_path):
    path = tmp_path / "damaged.safetensors"
    swiftnn.save(MLPnet().state_dict(), path)
    path.write_bytes(path.read_bytes()[:-10])
    done = subprocess.run([str(cli), "checkpoint-logits", "--weights", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert str(path) in done.stderr and "run past the end" in done.stderr
