"""Property: any call into the public Python API returns or raises a documented
exception (calls.DOCUMENTED); never a crash, a hang, a SystemError; where a
NumPy reference is cheap the result matches it. Each example runs in a child
interpreter (fuzzing/harness.py) so a crash is reported with its input.

The budget here is bounded for CI (SWIFTNN_FUZZ_EXAMPLES, default 1500);
`make fuzz` runs the long campaign."""
import os
import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fuzzing"))
import harness  # noqa: E402
import parsers  # noqa: E402
import strategies  # noqa: E402

EXAMPLES = int(os.environ.get("SWIFTNN_FUZZ_EXAMPLES", "1500"))


@pytest.fixture(scope="module")
def campaign():
    c = harness.Campaign(timeout=60.0)
    yield c
    c.close()
    print("\n" + c.report())


def _property(campaign, case):
    outcome, detail = campaign.run(case)
    assert outcome in ("ok", "raised", "undocumented"), f"{outcome}: {detail}\n{harness.describe(case)}"


GROUPS = {"ops": strategies.ops, "functional": strategies.functional, "layers": strategies.layers,
          "optimizers": strategies.optimizers, "state_dicts": strategies.state_dicts, "data": strategies.data,
          "files": strategies.file_cases(parsers.seeds())}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_api_never_crashes(campaign, group):
    share = max(EXAMPLES // len(GROUPS), 20)

    @settings(max_examples=share, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(GROUPS[group])
    def check(case):
        _property(campaign, case)

    check()


def test_undamaged_seed_files_load(campaign):
    """The damaged-file cases start from files the parsers accept, so mutations reach deep into them."""
    seeds = parsers.seeds()
    for case in [("parse.safetensors", (seeds["safetensors"],), {}), ("parse.cifar_bin", (seeds["cifar_bin"],), {}),
                 ("parse.cifar_py", (seeds["cifar_py"],), {}), ("parse.mnist", seeds["mnist"] + (False,), {}),
                 ("parse.mnist", seeds["mnist_gz"] + (True,), {}),
                 ("parse.model_config", ("normal_CNN", seeds["model_config"]), {})]:
        assert campaign.run(case) == ("ok", "bool" if case[0] == "parse.model_config" else
                                      "dict" if case[0] == "parse.safetensors" else "int"), case[0]


def test_harness_reports_a_crash():
    """The harness itself: a child killed by a signal is reported as a crash, and the next case runs."""
    worker = harness.Worker(timeout=30)
    try:
        assert worker.run(("os.kill_self", (), {}))[0] == "crash"
        assert worker.run(("relu", (strategies.T(__import__("numpy").ones(3, "float32")),), {}))[0] == "ok"
    finally:
        worker.close()
