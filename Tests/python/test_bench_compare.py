"""bench/compare.py: the table row (medians over rounds, each ratio's median and range,
latency ratios inverted, '-' where PyTorch has no figure), the turns alternating between
the two frameworks, and the child process that serves them."""
import importlib.util
import os
import subprocess
import sys

spec = importlib.util.spec_from_file_location(
    "compare", os.path.join(os.path.dirname(__file__), "..", "..", "bench", "compare.py"))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def figures(train, evaluation, latency, rss):
    return {"train": train, "eval": evaluation, "latency_ms": latency, "rss_mb": rss}


def test_medians_ratios_and_ranges_over_rounds():
    rounds = [(figures(100, 400, 1.0, 50), figures(50, 400, 3.0, 70)),
              (figures(300, 200, 2.0, 52), figures(100, 100, 4.0, 71)),
              (figures(200, 300, 4.0, 51), figures(200, 300, 4.0, 72))]
    cells = compare.row(rounds, 17).split()
    # train: medians 200 / 100; ratios 2.0, 3.0, 1.0 -> median 2.00, range 1.00-3.00
    assert cells[:4] == ["200.0", "100.0", "2.00", "(1.00-3.00)"]
    # eval: medians 300 / 300; ratios 1.0, 2.0, 1.0
    assert cells[4:8] == ["300.0", "300.0", "1.00", "(1.00-2.00)"]
    # latency: PyTorch's time over swiftnn's (3.0, 2.0, 1.0)
    assert cells[8:12] == ["2.00", "4.00", "2.00", "(1.00-3.00)"]
    assert cells[12] == "51/71"


def test_one_round_prints_no_range_and_no_torch_prints_dashes():
    ours = figures(100, 400, 1.0, 50)
    assert compare.row([(ours, figures(50, 100, 2.0, 70))], 7).split()[:3] == ["100.0", "50.0", "2.00"]
    cells = compare.row([(ours, {})], 7).split()
    assert cells == ["100.0", "-", "-", "400.0", "-", "-", "1.00", "-", "-", "50/-"]


class FakeSide:
    """Steps of fixed length for as long as a turn asks; logs the order of the turns."""

    def __init__(self, name, step_seconds, log):
        self.name, self.step_seconds, self.log = name, step_seconds, log
        self.hello = {"batch": 128, "capability": "fake"}

    def turn(self, phase, seconds, least):
        self.log.append((self.name, phase))
        step = self.step_seconds[phase]
        return {"times": [step] * max(least, round(seconds / step)), "rss_mb": 10.0}


def test_turns_alternate_until_each_side_has_its_time_and_steps():
    log = []
    # binary fractions, so the sums of step times are exact
    ours = FakeSide("ours", {"train": 0.5, "eval": 0.25, "latency": 2 ** -9}, log)
    theirs = FakeSide("theirs", {"train": 1.0, "eval": 0.25, "latency": 2 ** -8}, log)
    (figures,) = compare.measure_model([ours, theirs], rounds=1, turn_seconds=0.25, seconds=1.0)
    # a turn runs at least one step: training needs 3 turns a side for its 3 steps
    train = [name for name, phase in log if phase == "train"]
    assert train == ["ours", "theirs", "theirs", "ours", "ours", "theirs"]
    # 0.25 s turns until each side has run a second of eval, half a second of latency
    assert [phase for _, phase in log].count("eval") == 8
    assert [phase for _, phase in log].count("latency") == 4
    assert figures[0]["train"] == 256 and figures[1]["train"] == 128
    assert figures[0]["eval"] == figures[1]["eval"] == 512
    assert figures[0]["latency_ms"] == 1000 * 2 ** -9 and figures[1]["latency_ms"] == 1000 * 2 ** -8


def test_the_child_process_serves_turns(tmp_path):
    # swiftnn alone (no PyTorch at that path), the smallest model, a very short run
    script = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "compare.py")
    done = subprocess.run([sys.executable, script, "--torch-python", str(tmp_path / "none"),
                           "--models", "MLPnet", "--seconds", "0.05", "--turn-seconds", "0.02"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cells = done.stdout.strip().splitlines()[-1].split()
    assert cells[0] == "MLPnet"
    assert float(cells[1]) > 0 and float(cells[4]) > 0 and float(cells[7]) > 0
    assert cells[2:4] == ["-", "-"]
