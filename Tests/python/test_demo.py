"""`make demo` offline without CIFAR-10: the digits fallback trains a CNN for 8x8 images long
enough to mean something (>= 95% test accuracy, a curve with many points), says how to get the
real data, and writes the plots and the prediction grid (issue 12, item 4)."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "cifar10_experiment.py"


def test_offline_demo_on_digits_is_worth_watching(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    job = subprocess.run([sys.executable, str(DEMO), "--data", str(tmp_path / "nothing"), "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "SWIFTNN_QUIET": "1",
                              "SWIFTNN_CIFAR10_URL": "http://127.0.0.1:9/cifar-10-python.tar.gz"})
    assert job.returncode == 0, job.stderr
    out = job.stdout
    assert "--data DIR" in out and "SWIFTNN_DATA" in out and "SWIFTNN_CIFAR10_URL" in out
    assert "15 epochs" in out and out.count("Epoch ") == 15
    test_acc = float(re.search(r"final accuracy: .* test ([\d.]+)%", out).group(1))
    assert test_acc >= 95.0
    result = json.loads((tmp_path / "result.json").read_text())
    assert len(result["val_accs"]) == 15 and result["test_acc"] == pytest.approx(test_acc, abs=0.01)
    for name in ("loss_variation.png", "acc_variation.png", "confusion.png", "predictions.png"):
        path = tmp_path / name
        assert path.read_bytes()[:4] == b"\x89PNG" and str(path.resolve()) in out
