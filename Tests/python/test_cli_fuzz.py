"""The CLI given malformed and extreme arguments exits with a status and a
message (2 for a usage error, 1 for an engine error), never by a signal."""
import pathlib
import random
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXTREMES = ["-1", "0", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "1e308", "nan",
            "inf", "-inf", "", "x", "0x10", "1.5", "--", "{", "[]", '{"num_classes": -1}', '{"num_classes": 1e30}']
COMMANDS = {
    "train-synthetic": ["model", "config", "steps", "batch", "seed", "lr", "momentum"],
    "checkpoint-logits": ["model", "weights", "seed", "batch"],
    "checkpoint-save": ["model", "out", "init-seed", "seed", "batch"],
    "eval": ["model", "weights", "data", "limit", "batch-size", "config"],
    "train": ["model", "config", "data", "epochs", "recipe", "batch-size", "lr", "seed", "limit", "augment"],
}


@pytest.fixture(scope="module")
def cli():
    subprocess.run(["make", "-C", str(ROOT), "cli"], check=True, capture_output=True)
    return ROOT / ".build-release" / "release" / "swiftnn-cli"


def test_cli_never_dies_by_a_signal(cli, tmp_path):
    rng = random.Random(15)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\xff" * 16)
    cases = [[], ["nope"], ["train-synthetic", "--steps"], ["train-synthetic", "--bogus", "1"], ["version"], ["models"]]
    for _ in range(60):
        command = rng.choice(sorted(COMMANDS))
        args = [command]
        for key in rng.sample(COMMANDS[command], rng.randint(1, 3)):
            value = rng.choice(EXTREMES + ["MLPnet", "normal_CNN", str(bad), str(tmp_path / "missing"), "1", "2"])
            args += [f"--{key}", value]
        if command == "train-synthetic":
            args += ["--steps", rng.choice(["0", "1", "-5"])]  # keep the work small
        cases.append(args)
    for args in cases:
        done = subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode >= 0, f"killed by signal {-done.returncode}: swiftnn-cli {' '.join(args)}\n{done.stderr}"
        if done.returncode != 0:
            assert done.stderr.strip(), f"failed silently: swiftnn-cli {' '.join(args)}"
