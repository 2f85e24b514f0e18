"""Bad input raises the right Python exception and never takes the interpreter down."""
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from swiftnn import _C
from conftest import assert_close, randn


def test_linear_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        nn.Linear(3, 2)(np.zeros((4, 5), np.float32))
    assert "[4, 5]" in str(info.value) and "[2, 3]" in str(info.value)


@pytest.mark.parametrize("bad", [
    "abc", ["a", "b"], np.array(["1.5"]), b"bytes", None, object(), {"a": 1}, 1 + 2j,
    np.array([1 + 1j]), np.array([object()]), np.array(["2020-01-01"], dtype="datetime64[D]"),
])
def test_non_numeric_data_is_type_error(bad):
    with pytest.raises(TypeError):
        swiftnn.tensor(bad)
    with pytest.raises(TypeError):
        nn.Linear(1, 1)(bad)
    with pytest.raises(TypeError):
        swiftnn.ones(1) + bad


def test_type_error_names_the_dtype():
    with pytest.raises(TypeError, match="complex128"):
        swiftnn.tensor(np.array([1 + 1j]))
    with pytest.raises(TypeError, match="None"):
        swiftnn.tensor(None)
    with pytest.raises(TypeError, match="object"):
        swiftnn.tensor([object()])


def test_ragged_lists_are_value_errors():
    with pytest.raises(ValueError):
        swiftnn.tensor([[1, 2], [3]])


def test_none_and_wrong_handles_are_type_errors():
    t = swiftnn.ones(2)
    layer = nn.Linear(2, 2)
    for call in (
        lambda: _C.add(None, t._h),
        lambda: _C.to_numpy(None),
        lambda: _C.backward(None, None),
        lambda: _C.to_numpy(layer._handle),
        lambda: _C.module_forward(None, t._h),
        lambda: _C.module_forward(layer._handle, None),
        lambda: _C.module_forward(t._h, t._h),
        lambda: _C.optimizer_new("SGD", [None], "{}"),
        lambda: _C.optimizer_new("SGD", None, "{}"),
        lambda: _C.optimizer_step(None),
        lambda: _C.linear(t._h, None, None),
        lambda: swiftnn.matmul(None, t),
        lambda: layer(None),
    ):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("make", [
    lambda: swiftnn.zeros(2 ** 62, 4),
    lambda: swiftnn.zeros(10 ** 30),
    lambda: swiftnn.ones(-1, 3),
    lambda: swiftnn.randn(1 << 41),
    lambda: swiftnn.rand(2 ** 31, 2 ** 31),
    lambda: swiftnn.full((2 ** 40, 2), 1.0),
    lambda: swiftnn.zeros(4).reshape(2 ** 62, 4),
    lambda: swiftnn.zeros(4).reshape(-1, 2 ** 62, 4),
    lambda: swiftnn.zeros(0).reshape(2 ** 62, 2 ** 62),
    lambda: swiftnn.randint(-2 ** 63, 2 ** 63 - 1, (2,)),
    lambda: swiftnn.randint(0, 10, (2 ** 41,)),
    lambda: swiftnn.arange(0, 1e30),
    lambda: nn.Linear(2 ** 40, 2 ** 40),
    lambda: nn.Linear(10 ** 30, 2),
    lambda: nn.Linear(-1, 2),
])
def test_huge_or_negative_sizes_are_value_errors(make):
    with pytest.raises(ValueError):
        make()


def test_rank_limit():
    with pytest.raises(ValueError):
        swiftnn.tensor(np.zeros((1,) * 17))
    with pytest.raises(ValueError):
        swiftnn.zeros(*(1,) * 17)
    with pytest.raises(ValueError):
        swiftnn.zeros(1).reshape(*(1,) * 17)
    assert swiftnn.zeros(*(1,) * 16).ndim == 16


@pytest.mark.parametrize("call,exc", [
    (lambda t: t.sum(dim=5), IndexError),
    (lambda t: t.mean(dim=(0, 0)), ValueError),
    (lambda t: t.transpose(0, 5), IndexError),
    (lambda t: t.unsqueeze(4), IndexError),
    (lambda t: t.squeeze(3), IndexError),
    (lambda t: t.softmax(3), IndexError),
    (lambda t: t.flatten(0, 5), IndexError),
    (lambda t: t.flatten(2, 0), ValueError),
    (lambda t: t.max(dim=3), IndexError),
    (lambda t: t.argmax(dim=-4), IndexError),
    (lambda t: t.sum(dim=1.5), TypeError),
    (lambda t: t.reshape(2.5, 12), TypeError),
    (lambda t: t.softmax("x"), TypeError),
    (lambda t: nn.Flatten(2, 0)(t), ValueError),
])
def test_bad_dims(call, exc):
    with pytest.raises(exc):
        call(swiftnn.zeros(2, 3, 4))


def test_bad_constructor_arguments():
    with pytest.raises(TypeError):
        nn.Linear(3.5, 2)
    with pytest.raises(TypeError):
        nn.Linear("3", 2)
    with pytest.raises(TypeError):
        nn.Softmax("x")
    with pytest.raises(ValueError):
        nn.Dropout(float("nan"))


def test_nan_and_inf_inputs_flow_through(rng):
    x = randn(rng, 4, 3)
    x[1, 2] = np.nan
    x[2, 0] = np.inf
    layer = nn.Linear(3, 2)
    t = swiftnn.tensor(x, requires_grad=True)
    out = layer(t)
    assert np.isnan(out.numpy()[1]).all() and np.isfinite(out.numpy()[[0, 3]]).all()
    loss = F.cross_entropy(out, [0, 1, 0, 1])
    assert np.isnan(loss.item())
    loss.backward()
    assert np.isnan(layer.weight.grad.numpy()).any()
    assert np.isnan(swiftnn.tensor([np.nan, 1.0]).softmax(0).numpy()).all()
    assert np.isnan(swiftnn.tensor([np.nan, 1.0]).max().item())
    assert swiftnn.tensor([np.nan, 1.0]).argmax() == 0


def test_empty_batch(rng):
    layer = nn.Linear(3, 2)
    x = swiftnn.zeros(0, 3, requires_grad=True)
    out = layer(x)
    assert out.shape == (0, 2)
    out.sum().backward()
    assert_close(layer.weight.grad.numpy(), np.zeros((2, 3)))
    assert x.grad.shape == (0, 3)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(), nn.Linear(4, 2))
    assert model(np.zeros((0, 3))).shape == (0, 2)
    assert F.cross_entropy(swiftnn.zeros(0, 3), np.zeros(0, np.int64), reduction="sum").item() == 0
    assert np.isnan(F.cross_entropy(swiftnn.zeros(0, 3), np.zeros(0, np.int64)).item())
    assert swiftnn.zeros(0, 3).sum().item() == 0
    assert swiftnn.zeros(0, 3).softmax(1).shape == (0, 3)
    with pytest.raises((IndexError, ValueError)):
        swiftnn.zeros(0, 3).max(dim=0)
    with pytest.raises((IndexError, ValueError)):
        swiftnn.zeros(0).amax()


def test_low_rank_inputs(rng):
    layer = nn.Linear(3, 2)
    x = randn(rng, 3)
    assert_close(layer(x).numpy(), layer.weight.numpy().astype(np.float64) @ x + layer.bias.numpy())
    with pytest.raises(ValueError):
        layer(swiftnn.tensor(1.0))
    with pytest.raises(ValueError):
        nn.CrossEntropyLoss()(swiftnn.ones(3), 1)
    assert swiftnn.tensor(2.0).sum().item() == 2.0
    assert swiftnn.tensor(2.0).softmax(0).item() == 1.0
    assert swiftnn.tensor(2.0).unsqueeze(0).shape == (1,)


def test_wrong_reduction_and_smoothing_values():
    x = swiftnn.zeros(2, 3)
    with pytest.raises(ValueError):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError):
        F.cross_entropy(x, [0, 1], label_smoothing=-0.1)
    with pytest.raises(ValueError):
        _C.mse_loss(x._h, x._h, 7)


def test_engine_error_messages_are_kept_per_thread(rng):
    """Threads failing at the same time each see their own message; results stay right."""
    errors, results = [], []
    a, b = randn(rng, 64, 64), randn(rng, 64, 64)

    def worker(i):
        for _ in range(50):
            try:
                swiftnn.ones(i + 1, 3) @ swiftnn.ones(4, 5)
            except ValueError as e:
                errors.append(f"[{i + 1}, 3]" in str(e))
            results.append(np.allclose((swiftnn.tensor(a) @ swiftnn.tensor(b)).numpy(), a @ b, rtol=1e-4, atol=1e-4))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 200 and all(errors) and all(results)


def run_isolated(code):
    """Runs `code` in a fresh interpreter, so a crash fails this test instead of ending the run."""
    program = "import swiftnn\ntry:\n" + textwrap.indent(textwrap.dedent(code), "    ") + (
        "\nexcept (ValueError, MemoryError, RuntimeError) as e:\n    print('raised', type(e).__name__)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"interpreter died (status {done.returncode}): {done.stderr[-500:]}"
    return done.stdout


@pytest.mark.parametrize("code", [
    "swiftnn.zeros(2 ** 20, 2 ** 20)",  # within the engine's element limit but far beyond memory
    "swiftnn.zeros(3, 0, 2 ** 62).sum(1)",  # a zero-size input whose reduction has 3·2**62 elements
    "swiftnn.zeros(4, 0) @ swiftnn.zeros(0, 2 ** 62)",
])
def test_impossible_allocations_raise_instead_of_crashing(code):
    assert "raised" in run_isolated(code)
