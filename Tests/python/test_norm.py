"""BatchNorm1d/2d, LayerNorm, LocalResponseNorm and their functional forms against NumPy."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, f32, randn

TOL = dict(rtol=1e-4, atol=1e-5)


def np_batch_norm(x, weight=None, bias=None, eps=1e-5, mean=None, var=None):
    """Batch statistics (biased variance) over every dimension but 1 unless mean/var are given."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if mean is None:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * weight.reshape(shape) + bias.reshape(shape)
    return y


def np_layer_norm(x, k, weight=None, bias=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def np_lrn(x, size, alpha=1e-4, beta=0.75, k=1.0):
    c = x.shape[1]
    sq = x * x
    div = np.zeros_like(x)
    for ch in range(c):
        lo, hi = max(0, ch - size // 2), min(c - 1, ch + (size - 1) // 2)
        div[:, ch] = sq[:, lo:hi + 1].sum(axis=1)
    return x / (k + alpha / size * div) ** beta


@pytest.mark.parametrize("shape", [(4, 3), (5, 2, 7), (1, 3, 17), (3, 2, 4, 5), (2, 1, 1, 3)])
def test_functional_batch_norm_train_forward_and_gradients(shape, rng):
    c = shape[1]
    x = randn(rng, *shape)
    w = f32(rng.uniform(0.5, 1.5, c))
    b = randn(rng, c)
    check_op(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
             lambda x, w, b: np_batch_norm(x, w, b), x, w, b, rng=rng, **TOL)
    check_op(lambda x: F.batch_norm(x, None, None, training=True), np_batch_norm, x, rng=rng, **TOL)


def test_functional_batch_norm_eval_uses_running_stats(rng):
    x = randn(rng, 3, 4, 2, 2)
    mean, var = randn(rng, 4), f32(rng.uniform(0.5, 2.0, 4))
    w, b = randn(rng, 4), randn(rng, 4)
    rm, rv = swiftnn.tensor(mean), swiftnn.tensor(var)
    check_op(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
             lambda x, w, b: np_batch_norm(x, w, b, mean=mean, var=var), x, w, b, rng=rng, **TOL)
    # Training mode updates the given running stats in place with the unbiased variance.
    F.batch_norm(swiftnn.tensor(x), rm, rv, training=True, momentum=0.3)
    m = x.size // 4
    assert_close(rm.numpy(), 0.7 * mean + 0.3 * x.mean(axis=(0, 2, 3)), **TOL)
    assert_close(rv.numpy(), 0.7 * var + 0.3 * x.var(axis=(0, 2, 3)) * m / (m - 1), **TOL)


@pytest.mark.parametrize("cls,shape", [(nn.BatchNorm2d, (4, 3, 5, 5)), (nn.BatchNorm1d, (6, 3)),
                                       (nn.BatchNorm1d, (2, 3, 7))])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm_layer_running_stats_over_steps(cls, shape, momentum, rng):
    bn = cls(3, momentum=momentum)
    with swiftnn.no_grad():
        bn.weight.copy_(f32(rng.uniform(0.5, 1.5, 3)))
        bn.bias.copy_(randn(rng, 3))
    w, b = bn.weight.numpy().astype(np.float64), bn.bias.numpy().astype(np.float64)
    axes = (0,) + tuple(range(2, len(shape)))
    m = int(np.prod(shape)) // 3
    running_mean, running_var = np.zeros(3), np.ones(3)
    for step in range(1, 5):
        x = randn(rng, *shape) * step + step
        t = swiftnn.tensor(x, requires_grad=True)
        out = bn(t)
        assert_close(out.numpy(), np_batch_norm(x, w, b), **TOL)
        factor = 1.0 / step if momentum is None else momentum
        running_mean = (1 - factor) * running_mean + factor * x.mean(axis=axes)
        running_var = (1 - factor) * running_var + factor * x.var(axis=axes) * m / (m - 1)
        assert_close(bn.running_mean.numpy(), running_mean, **TOL)
        assert_close(bn.running_var.numpy(), running_var, rtol=1e-4, atol=1e-4)
        assert int(bn.num_batches_tracked.item()) == step
    # Gradients of the last training step, against central differences of the reference.
    upstream = f32(rng.standard_normal(shape))
    out.backward(swiftnn.tensor(upstream))
    xhat = np_batch_norm(x)
    assert_close(bn.weight.grad.numpy(), (upstream * xhat).sum(axis=axes), **TOL)
    assert_close(bn.bias.grad.numpy(), upstream.sum(axis=axes), **TOL)
    # Eval mode: running statistics, no update.
    bn.eval()
    x = randn(rng, *shape)
    check_op(bn, lambda x: np_batch_norm(x, w, b, mean=running_mean, var=running_var), x, rng=rng, rtol=1e-4, atol=1e-4)
    assert int(bn.num_batches_tracked.item()) == 4
    assert_close(bn.running_mean.numpy(), running_mean, **TOL)


def test_batchnorm_state_dict_keys_and_dtype():
    model = nn.Sequential(nn.BatchNorm2d(4), nn.BatchNorm1d(2, affine=False), nn.BatchNorm1d(2, track_running_stats=False))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "0.running_mean", "0.running_var", "0.num_batches_tracked",
                           "1.running_mean", "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias"]
    assert state["0.num_batches_tracked"].dtype == np.int64 and state["0.num_batches_tracked"].shape == ()
    assert state["0.running_var"].dtype == np.float32
    assert [n for n, _ in model.named_buffers()] == ["0.running_mean", "0.running_var", "0.num_batches_tracked",
                                                     "1.running_mean", "1.running_var", "1.num_batches_tracked"]
    assert model[1].weight is None and model[2].running_mean is None
    # Round trip, with a PyTorch-style int64 counter.
    state["0.running_mean"] = np.arange(4, dtype=np.float32)
    state["0.num_batches_tracked"] = np.array(7, dtype=np.int64)
    fresh = nn.Sequential(nn.BatchNorm2d(4), nn.BatchNorm1d(2, affine=False), nn.BatchNorm1d(2, track_running_stats=False))
    fresh.load_state_dict(state)
    assert_close(fresh[0].running_mean.numpy(), np.arange(4))
    assert fresh.state_dict()["0.num_batches_tracked"] == 7
    assert repr(model[0]) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert repr(nn.BatchNorm1d(3, momentum=None)) == \
        "BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)"


def test_batchnorm_momentum_attribute_reaches_engine(rng):
    bn = nn.BatchNorm1d(2)
    bn.momentum = 1.0
    x = randn(rng, 5, 2)
    bn(x)
    assert_close(bn.running_mean.numpy(), x.mean(axis=0), **TOL)
    bn.reset_running_stats()
    assert_close(bn.running_mean.numpy(), np.zeros(2))
    assert int(bn.num_batches_tracked.item()) == 0


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval(rng):
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False).eval()
    x = randn(rng, 2, 3, 4, 4)
    assert_close(bn(x).numpy(), np_batch_norm(x), **TOL)


def test_batchnorm_errors(rng):
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training.*\[1, 3\]"):
        nn.BatchNorm1d(3)(randn(rng, 1, 3))
    with pytest.raises(ValueError, match=r"4D.*\[2, 3, 4\]"):
        nn.BatchNorm2d(3)(randn(rng, 2, 3, 4))
    with pytest.raises(ValueError, match=r"2D or 3D.*\[2, 3, 4, 4\]"):
        nn.BatchNorm1d(3)(randn(rng, 2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"3 channels.*\[2, 4, 5, 5\]"):
        nn.BatchNorm2d(3)(randn(rng, 2, 4, 5, 5))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm2d(0)
    with pytest.raises(ValueError, match=r"running_mean of shape \[4\]"):
        F.batch_norm(randn(rng, 2, 3), swiftnn.zeros(4), swiftnn.ones(4), training=True)
    bn = nn.BatchNorm1d(3).eval()
    assert bn(randn(rng, 1, 3)).shape == (1, 3)  # batch 1 is fine in eval mode


@pytest.mark.parametrize("shape,normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((1, 7), 7), ((3, 17), (17,))])
def test_layer_norm(shape, normalized, rng):
    layer = nn.LayerNorm(normalized)
    nshape = (normalized,) if isinstance(normalized, int) else normalized
    assert layer.weight.shape == nshape and layer.bias.shape == nshape
    with swiftnn.no_grad():
        layer.weight.copy_(f32(rng.uniform(0.5, 1.5, nshape)))
        layer.bias.copy_(randn(rng, *nshape))
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    x = randn(rng, *shape)
    check_op(layer, lambda x: np_layer_norm(x, len(nshape), w, b), x, rng=rng, **TOL)
    check_op(lambda x, w, b: F.layer_norm(x, nshape, w, b), lambda x, w, b: np_layer_norm(x, len(nshape), w, b),
             x, w, b, rng=rng, **TOL)
    check_op(lambda x: F.layer_norm(x, nshape), lambda x: np_layer_norm(x, len(nshape)), x, rng=rng, **TOL)


def test_layer_norm_options_and_errors(rng):
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    plain = nn.LayerNorm([2, 3], elementwise_affine=False)
    assert list(plain.state_dict()) == [] and plain.weight is None and plain.bias is None
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\].*\[2, 3\]"):
        nn.LayerNorm(4)(randn(rng, 2, 3))
    with pytest.raises(ValueError, match=r"weight of shape \[3\], got \[2\]"):
        F.layer_norm(randn(rng, 2, 3), (3,), swiftnn.ones(2))


@pytest.mark.parametrize("shape,size", [((2, 5, 3), 3), ((1, 7, 2, 3), 4), ((2, 3, 4, 4), 1), ((1, 2, 5), 5)])
def test_local_response_norm(shape, size, rng):
    x = randn(rng, *shape)
    check_op(nn.LocalResponseNorm(size, alpha=0.5, beta=0.75, k=1.5), lambda x: np_lrn(x, size, 0.5, 0.75, 1.5),
             x, rng=rng, **TOL)
    check_op(lambda x: F.local_response_norm(x, size), lambda x: np_lrn(x, size), x, rng=rng, **TOL)
    assert repr(nn.LocalResponseNorm(2)) == "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(randn(rng, 2, 3), 2)
    with pytest.raises(ValueError, match="size"):
        nn.LocalResponseNorm(0)


def test_norm_statistics_survive_a_large_offset(rng):
    # |mean| ≫ std: a naive Σx² − (Σx)²/n in float32 would lose the variance.
    x = f32(rng.standard_normal((8, 3, 40, 40)) + 1000.0)
    assert_close(F.batch_norm(x, None, None, training=True).numpy(), np_batch_norm(x), rtol=1e-3, atol=2e-3)
    y = f32(rng.standard_normal((4, 4096)) + 1000.0)
    assert_close(F.layer_norm(y, (4096,)).numpy(), np_layer_norm(y, 1), rtol=1e-3, atol=2e-3)


def test_functional_batch_norm_eval_needs_running_stats(rng):
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(randn(rng, 4, 3), None, None, training=False)
