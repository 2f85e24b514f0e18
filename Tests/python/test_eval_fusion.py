"""Inference runs a Linear and the ReLU after it as one product whose GEMM tile applies the
ReLU as it writes (an nn.Sequential of the two, and MLPnet's layers). The fused output must
equal NumPy's, NaN included, and the fused path must really have run (the profiler names it)."""
import numpy as np
import pytest

import swiftnn
import swiftnn.models as models
import swiftnn.nn as nn


def profiled(module, x):
    """The eval output under no_grad and the profiled calls per op name."""
    with swiftnn.no_grad(), swiftnn.profile() as profile:
        out = module(swiftnn.tensor(x)).numpy()
    return out, {entry["name"]: entry["calls"] for entry in profile.entries}


def params(module):
    return [np.asarray(p.detach().numpy(), np.float64) for p in module.parameters()]


@pytest.mark.parametrize("rows", [5, 64, 300])
def test_linear_then_relu_is_one_product_and_matches_numpy(rows):
    swiftnn.manual_seed(rows)
    model = nn.Sequential(nn.Linear(70, 33), nn.ReLU(), nn.Linear(33, 9)).eval()
    x = np.random.default_rng(rows).standard_normal((rows, 70), dtype=np.float32)
    x[rows // 2, 3] = np.nan  # ReLU keeps NaN, as torch.relu does
    got, calls = profiled(model, x)
    assert calls == {"Linear+ReLU": 1, "Linear": 1}
    w1, b1, w2, b2 = params(model)
    with np.errstate(invalid="ignore"):
        hidden = x @ w1.T + b1
        hidden = np.where(hidden < 0, 0, hidden)
        expected = hidden @ w2.T + b2
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert np.isnan(got[rows // 2]).all()


def test_few_rows_and_training_mode_run_the_separate_ops():
    swiftnn.manual_seed(1)
    model = nn.Sequential(nn.Linear(20, 8), nn.ReLU())
    x = np.random.default_rng(1).standard_normal((4, 20), dtype=np.float32)
    for mode in ("eval", "train"):
        getattr(model, mode)()
        rows = x if mode == "eval" else np.repeat(x, 10, axis=0)
        got, calls = profiled(model, rows)
        assert "Linear+ReLU" not in calls, (mode, calls)
        w, b = params(model)
        np.testing.assert_allclose(got, np.maximum(rows @ w.T + b, 0), rtol=1e-4, atol=1e-5)


def test_mlpnet_eval_fuses_both_hidden_layers():
    swiftnn.manual_seed(2)
    model = models.MLPnet().eval()
    x = np.random.default_rng(2).standard_normal((40, 3, 32, 32), dtype=np.float32)
    _, calls = profiled(model, x)
    assert calls["Linear+ReLU"] == 2 and calls["Linear"] == 1, calls
