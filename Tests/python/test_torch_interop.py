"""Optional: real PyTorch (in a side virtualenv, see `make bench-torch-setup`) writes
checkpoints swiftnn reads, and reads with weights_only=True what swiftnn writes.
Skipped when no PyTorch interpreter is found: the other tests need no PyTorch."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import swiftnn

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [os.environ.get("SWIFTNN_TORCH_PYTHON"), ROOT / ".venv-torch/bin/python", "/work/.venv-torch/bin/python"]
TORCH_PYTHON = next((str(p) for p in CANDIDATES if p and Path(p).is_file()), None)

pytestmark = pytest.mark.skipif(TORCH_PYTHON is None, reason="no PyTorch interpreter (.venv-torch or SWIFTNN_TORCH_PYTHON)")


def _torch(script, *args):
    result = subprocess.run([TORCH_PYTHON, "-c", textwrap.dedent(script), *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("zip_format", [True, False])
def test_reads_what_torch_save_writes(tmp_path, zip_format):
    _torch("""
        import sys, collections, numpy as np, torch
        path, npz, zip_format = sys.argv[1], sys.argv[2], sys.argv[3] == "True"
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
        net(torch.randn(5, 4))
        base = torch.randn(6, 4)
        obj = {"state": net.state_dict(), "transposed": base.t(), "row": base[2], "same": base,
               "half": torch.randn(3).half(), "bf16": torch.randn(3).bfloat16(), "long": torch.arange(4),
               "param": torch.nn.Parameter(torch.ones(2)), "epoch": 4, "names": ["a", "b"]}
        torch.save(obj, path, _use_new_zipfile_serialization=zip_format)
        flat = {"state." + k: v for k, v in obj["state"].items()}
        flat.update({k: obj[k] for k in ("transposed", "row", "same", "half", "bf16", "long", "param")})
        np.savez(npz, **{k: v.detach().float().numpy() for k, v in flat.items()})
    """, tmp_path / "t.pt", tmp_path / "expected.npz", zip_format)
    loaded = swiftnn.load(tmp_path / "t.pt")
    expected = np.load(tmp_path / "expected.npz")
    assert loaded["epoch"] == 4 and loaded["names"] == ["a", "b"]
    for key in expected.files:
        value = loaded["state"][key[6:]] if key.startswith("state.") else loaded[key]
        np.testing.assert_array_equal(value.numpy(), expected[key], err_msg=key)
    model = swiftnn.nn.Sequential(swiftnn.nn.Linear(4, 3), swiftnn.nn.BatchNorm1d(3))
    model.load_state_dict(loaded["state"])


def test_torch_loads_what_swiftnn_saves_weights_only(tmp_path):
    model = swiftnn.nn.Sequential(swiftnn.nn.Linear(4, 3), swiftnn.nn.BatchNorm1d(3))
    state = model.state_dict()
    swiftnn.save(state, tmp_path / "ours.pth")
    swiftnn.save({"model": state, "epoch": 2, "half": np.array([1.5, 2.0], np.float16)}, tmp_path / "ckpt.pt")
    np.savez(tmp_path / "expected.npz", **state)
    _torch("""
        import sys, numpy as np, torch
        ours, ckpt, npz = sys.argv[1:4]
        expected = np.load(npz)
        state = torch.load(ours, weights_only=True)
        assert list(state) == list(expected.files), (list(state), expected.files)
        for k in expected.files:
            assert np.array_equal(state[k].numpy(), expected[k]), k
        assert state["1.num_batches_tracked"].dtype == torch.int64
        net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
        net.load_state_dict(state)
        ckpt = torch.load(ckpt, weights_only=True)
        assert ckpt["epoch"] == 2 and ckpt["half"].dtype == torch.float16
        assert ckpt["half"].tolist() == [1.5, 2.0]
    """, tmp_path / "ours.pth", tmp_path / "ckpt.pt", tmp_path / "expected.npz")
