"""The kernel instruction-set path: swiftnn.config() reports the CPU and the path,
SWIFTNN_ISA forces one at load (with a warning when the CPU lacks it), and every path
this CPU supports gives NumPy's results for GEMMs and the convolution kernels
(im2col, in-place direct and Winograd shapes, forward and gradients)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import swiftnn
import swiftnn.nn.functional as F
from test_conv import np_conv2d

PATHS = swiftnn.config()["supported_isas"]


@pytest.fixture
def restore_path():
    loaded = swiftnn.config()["isa"]
    yield
    swiftnn.set_kernel_isa(loaded)


def config_in_subprocess(isa):
    env = dict(os.environ, SWIFTNN_ISA=isa)
    run = subprocess.run([sys.executable, "-c", "import swiftnn; print(swiftnn.config()['isa'])"],
                         env=env, capture_output=True, text=True, check=True)
    return run.stdout.strip(), run.stderr


def test_config_reports_cpu_and_a_supported_path():
    config = swiftnn.config()
    assert config["cpu"]
    assert config["isa"] in config["supported_isas"]
    assert config["supported_isas"][0] == "baseline"
    assert config["num_threads"] == swiftnn.get_num_threads()
    assert config["version"] == swiftnn.__version__


def test_environment_forces_the_path_at_load():
    best = PATHS[-1]
    assert config_in_subprocess("baseline") == ("baseline", "")
    assert config_in_subprocess("auto") == (best, "")
    isa, warning = config_in_subprocess("sse9")
    assert isa == best and "SWIFTNN_ISA=sse9" in warning
    for path in ("avx2", "avx512"):
        isa, warning = config_in_subprocess(path)
        assert (isa, warning == "") == ((path, True) if path in PATHS else (best, False))


def test_set_kernel_isa_rejects_bad_names(restore_path):
    with pytest.raises(ValueError, match="unknown kernel path"):
        swiftnn.set_kernel_isa("avx9")
    with pytest.raises(TypeError):
        swiftnn.set_kernel_isa(2)
    for path in ("avx2", "avx512"):
        if path not in PATHS:
            with pytest.raises(ValueError, match="not supported"):
                swiftnn.set_kernel_isa(path)


@pytest.mark.parametrize("isa", PATHS)
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (7, 17, 63), (13, 300, 33), (130, 64, 17), (1, 3072, 128)])
def test_matmul_every_path(isa, m, k, n, restore_path):
    swiftnn.set_kernel_isa(isa)
    rng = np.random.default_rng(m * 1000 + n)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    got = swiftnn.matmul(swiftnn.tensor(a), swiftnn.tensor(b)).numpy()
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4 * np.sqrt(k))


@pytest.mark.parametrize("isa", PATHS)
@pytest.mark.parametrize("shape,out_channels", [
    ((2, 3, 9, 17), 7),      # in-place direct kernel: partial strip and channel panel
    ((2, 33, 6, 6), 17),     # im2col + GEMM
    ((2, 64, 8, 8), 65),     # Winograd-sized
])
def test_conv2d_and_gradients_every_path(isa, shape, out_channels, restore_path):
    swiftnn.set_kernel_isa(isa)
    rng = np.random.default_rng(out_channels)
    x = rng.standard_normal(shape, dtype=np.float32)
    w = (rng.standard_normal((out_channels, shape[1], 3, 3)) / np.sqrt(9 * shape[1])).astype(np.float32)
    b = rng.standard_normal(out_channels, dtype=np.float32)
    tx, tw, tb = (swiftnn.tensor(v, requires_grad=True) for v in (x, w, b))
    out = F.conv2d(tx, tw, tb, padding=1)
    expected = np_conv2d(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), padding=(1, 1, 1, 1))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)
    gy = rng.standard_normal(expected.shape).astype(np.float32)
    out.backward(swiftnn.tensor(gy))
    # Gradients of the linear map <gy, conv(x, w)>: correlations computed in float64.
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh, ow = expected.shape[2:]
    gw = np.stack([np.stack([np.einsum("nohw,nchw->oc", gy, xp[:, :, i:i + oh, j:j + ow]) for j in range(3)], -1)
                   for i in range(3)], -2)
    np.testing.assert_allclose(tw.grad.numpy(), gw, rtol=1e-3, atol=1e-3)
    gx = np_conv2d(gy.astype(np.float64), np.flip(w, (2, 3)).transpose(1, 0, 2, 3).astype(np.float64),
                   padding=(1, 1, 1, 1))
    np.testing.assert_allclose(tx.grad.numpy(), gx, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(tb.grad.numpy(), gy.sum((0, 2, 3)), rtol=1e-4, atol=1e-3)
