"""Activations (leaky_relu, gelu, silu, dropout2d), cat/stack/split/chunk/pad/permute,
amin/amax/mean over several dims, and nn.init, against NumPy."""
import math

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
import swiftnn.nn.init as init
from conftest import assert_close, check_op, f32, randn

_erf = np.vectorize(math.erf)


def np_gelu(x):
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


@pytest.mark.parametrize("shape", [(7,), (2, 17), (1,), (2, 3, 4)])
def test_activations(shape, rng):
    x = randn(rng, *shape, away_from=0) * 2
    check_op(nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x), x, rng=rng)
    check_op(lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), x, rng=rng)
    check_op(nn.GELU(), np_gelu, x, rng=rng, rtol=1e-5, atol=1e-5)
    check_op(nn.GELU("tanh"), np_gelu_tanh, x, rng=rng, rtol=1e-5, atol=1e-5)
    check_op(lambda x: F.gelu(x, approximate="tanh"), np_gelu_tanh, x, rng=rng, rtol=1e-5, atol=1e-5)
    check_op(nn.SiLU(), lambda x: x / (1 + np.exp(-x)), x, rng=rng, rtol=1e-5, atol=1e-5)
    check_op(F.silu, lambda x: x / (1 + np.exp(-x)), x, rng=rng, rtol=1e-5, atol=1e-5)


def test_activation_reprs_and_errors():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.SiLU()) == "SiLU()"
    assert repr(nn.Dropout2d(0.25)) == "Dropout2d(p=0.25, inplace=False)"
    with pytest.raises(ValueError, match="none or tanh"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="none or tanh"):
        F.gelu(swiftnn.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(1.5)


def test_dropout2d_zeroes_whole_channels(rng):
    layer = nn.Dropout2d(0.5)
    x = swiftnn.tensor(f32(rng.uniform(1, 2, (8, 6, 3, 3))), requires_grad=True)
    out = layer(x)
    y, xv = out.numpy(), x.numpy()
    kept = np.abs(y).reshape(8, 6, -1).sum(axis=2) > 0
    assert 0 < kept.sum() < kept.size
    for n in range(8):
        for c in range(6):
            expected = 2 * xv[n, c] if kept[n, c] else np.zeros_like(xv[n, c])
            assert_close(y[n, c], expected)
    out.backward(swiftnn.ones(8, 6, 3, 3))
    assert_close(x.grad.numpy(), np.broadcast_to((2.0 * kept)[:, :, None, None], (8, 6, 3, 3)))
    layer.eval()
    assert_close(layer(x).numpy(), xv)
    assert_close(F.dropout2d(x, 0.5, training=False).numpy(), xv)
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        F.dropout2d(swiftnn.ones(3, 4), 0.5)


def test_cat_and_stack(rng):
    a, b, c = randn(rng, 2, 3, 4), randn(rng, 2, 1, 4), randn(rng, 2, 7, 4)
    check_op(lambda a, b, c: swiftnn.cat([a, b, c], dim=1), lambda a, b, c: np.concatenate([a, b, c], axis=1),
             a, b, c, rng=rng)
    check_op(lambda a, b: swiftnn.cat((a, b), -2), lambda a, b: np.concatenate([a, b], axis=-2), a, b, rng=rng)
    x, y = randn(rng, 1, 17), randn(rng, 1, 17)
    for dim in (0, 1, 2, -1):
        check_op(lambda x, y: swiftnn.stack([x, y], dim), lambda x, y: np.stack([x, y], axis=dim), x, y, rng=rng)
    assert swiftnn.concat([swiftnn.ones(2)], 0).shape == (2,)
    with pytest.raises(ValueError, match=r"\[2, 3, 4\].*\[2, 1, 4\]"):
        swiftnn.cat([a, b], dim=0)
    with pytest.raises(ValueError, match=r"\[2, 3, 4\].*\[2, 1, 4\]"):
        swiftnn.stack([a, b])
    with pytest.raises(ValueError, match="non-empty"):
        swiftnn.cat([], 0)
    with pytest.raises(IndexError):
        swiftnn.cat([a, a], dim=3)
    with pytest.raises(TypeError):
        swiftnn.cat(swiftnn.tensor(a), 0)


def test_split_and_chunk(rng):
    x = randn(rng, 3, 17)
    t = swiftnn.tensor(x, requires_grad=True)
    parts = t.split([5, 0, 12], dim=1)
    assert [p.shape for p in parts] == [(3, 5), (3, 0), (3, 12)]
    assert_close(parts[2].numpy(), x[:, 5:])
    (parts[0].sum() + (parts[2] * 2).sum()).backward()
    assert_close(t.grad.numpy(), np.concatenate([np.ones((3, 5)), 2 * np.ones((3, 12))], axis=1))
    assert [p.shape for p in swiftnn.split(x, 7, dim=-1)] == [(3, 7), (3, 7), (3, 3)]
    assert [p.shape for p in swiftnn.chunk(x, 3, 0)] == [(1, 17)] * 3
    assert [p.shape for p in swiftnn.tensor(np.zeros(6)).chunk(4)] == [(2,), (2,), (2,)]
    check_op(lambda x: x.chunk(2, dim=1)[1], lambda x: x[:, 9:], x, rng=rng)
    with pytest.raises(ValueError, match=r"sum exactly to 17.*\[5, 5\]"):
        t.split([5, 5], dim=1)
    with pytest.raises(IndexError):
        t.split(2, dim=2)
    with pytest.raises(ValueError):
        t.chunk(0)


@pytest.mark.parametrize("shape,pads", [((2, 3, 4, 5), (1, 2)), ((2, 3, 4, 5), (1, 0, 2, 1)), ((1, 7), (3, 3)),
                                        ((17,), (0, 2)), ((2, 3, 4), (-1, 2, 1, -1, 1, 1))])
def test_pad(shape, pads, rng):
    x = randn(rng, *shape)

    def reference(x, value=0.0):
        widths = [(0, 0)] * x.ndim
        for i in range(len(pads) // 2):
            widths[x.ndim - 1 - i] = (pads[2 * i], pads[2 * i + 1])
        crop = tuple(slice(max(0, -lo), x.shape[d] - max(0, -hi)) for d, (lo, hi) in enumerate(widths))
        widths = [(max(0, lo), max(0, hi)) for lo, hi in widths]
        return np.pad(x[crop], widths, constant_values=value)

    check_op(lambda x: F.pad(x, pads), reference, x, rng=rng)
    check_op(lambda x: F.pad(x, pads, value=1.5), lambda x: reference(x, 1.5), x, rng=rng)


def test_pad_errors():
    x = swiftnn.ones(2, 3)
    with pytest.raises(ValueError, match="even"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match=r"\[2, 3\]"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="negative"):
        F.pad(x, (-3, -1))
    with pytest.raises(NotImplementedError):
        F.pad(x, (1, 1), mode="reflect")


def test_permute_and_multi_dim_reductions(rng):
    x = randn(rng, 2, 3, 4, 5)
    check_op(lambda x: x.permute(3, 0, 2, 1), lambda x: x.transpose(3, 0, 2, 1), x, rng=rng)
    check_op(lambda x: swiftnn.permute(x, (1, 0, 3, 2)), lambda x: x.transpose(1, 0, 3, 2), x, rng=rng)
    check_op(lambda x: x.mean((2, 3), keepdim=True), lambda x: x.mean(axis=(2, 3), keepdims=True), x, rng=rng)
    check_op(lambda x: x.mean((0, -1)), lambda x: x.mean(axis=(0, 3)), x, rng=rng)
    d = f32(rng.permutation(120).reshape(2, 3, 4, 5) * 0.1)
    check_op(lambda x: x.amax((1, 3), keepdim=True), lambda x: x.max(axis=(1, 3), keepdims=True), d, rng=rng)
    check_op(lambda x: x.amin((0, 2)), lambda x: x.min(axis=(0, 2)), d, rng=rng)
    check_op(lambda x: swiftnn.amin(x, -1), lambda x: x.min(axis=-1), d, rng=rng)
    # Ties share the gradient evenly, as torch.amin does.
    t = swiftnn.tensor([[3.0, 1.0, 1.0], [2.0, 2.0, 5.0]], requires_grad=True)
    t.amin(1).backward(swiftnn.tensor([1.0, 4.0]))
    assert_close(t.grad.numpy(), [[0, 0.5, 0.5], [2, 2, 0]])
    with pytest.raises(IndexError):
        swiftnn.zeros(0, 3).amin(0)


def test_squeeze_excitation_broadcast(rng):
    s, f = randn(rng, 2, 3, 1, 1), randn(rng, 2, 3, 4, 5)
    check_op(lambda s, f: s * f, lambda s, f: s * f, s, f, rng=rng)


def test_init_gains_and_fans():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("conv2d") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == 5 / 3 and init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError):
        init.calculate_gain("swish")
    assert init._calculate_fan_in_and_fan_out(swiftnn.zeros(64, 8, 3, 3)) == (72, 576)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(swiftnn.zeros(5))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_normal_(swiftnn.zeros(4, 4), mode="fan_avg")


def test_init_distributions():
    w = nn.Parameter(swiftnn.zeros(128, 32, 3, 3))  # conv weight [out, in, kh, kw]
    fan_in, fan_out = 32 * 9, 128 * 9
    assert init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu") is w
    assert abs(w.numpy().std() - math.sqrt(2 / fan_out)) < 0.02 * math.sqrt(2 / fan_out)
    assert abs(w.numpy().mean()) < 1e-3
    init.kaiming_uniform_(w, a=math.sqrt(5))
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 5)) / math.sqrt(fan_in)
    v = w.numpy()
    assert v.max() <= bound and v.min() >= -bound and v.max() > 0.99 * bound
    init.xavier_uniform_(w, gain=2.0)
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    init.xavier_normal_(w)
    assert abs(w.numpy().std() - math.sqrt(2 / (fan_in + fan_out))) < 0.02 * math.sqrt(2 / (fan_in + fan_out))
    init.normal_(w, 3.0, 0.5)
    assert abs(w.numpy().mean() - 3) < 0.01 and abs(w.numpy().std() - 0.5) < 0.01
    init.uniform_(w, -2, -1)
    assert w.numpy().min() >= -2 and w.numpy().max() < -1
    init.constant_(w, 0.25)
    assert (w.numpy() == 0.25).all()
    init.zeros_(w)
    assert (w.numpy() == 0).all()
    init.ones_(w)
    assert (w.numpy() == 1).all()
    assert w.requires_grad and w.grad_fn is None


def test_init_is_seeded_and_fills_engine_tensor():
    layer = nn.Linear(20, 10)
    swiftnn.manual_seed(5)
    init.kaiming_uniform_(layer.weight)
    first = layer.weight.numpy()
    swiftnn.manual_seed(5)
    init.kaiming_uniform_(layer.weight)
    assert (layer.weight.numpy() == first).all()
    # The engine module sees the new values.
    x = np.ones((1, 20), np.float32)
    assert_close(layer(x).numpy(), x @ first.T.astype(np.float64) + layer.bias.numpy())
    t = swiftnn.zeros(1000).uniform_(2, 3)
    assert t.numpy().min() >= 2 and t.numpy().max() < 3
    assert abs(swiftnn.zeros(4000).normal_(1.0, 2.0).numpy().std() - 2) < 0.1
    with pytest.raises(ValueError):
        init.normal_(swiftnn.zeros(3), 0.0, -1.0)


def test_softmax_over_any_dim(rng):
    x = randn(rng, 2, 3, 4, 5)

    def np_softmax(x, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)

    for dim in (1, 2, -1):
        check_op(lambda x: x.softmax(dim), lambda x: np_softmax(x, dim), x, rng=rng)
        check_op(nn.LogSoftmax(dim), lambda x: np.log(np_softmax(x, dim)), x, rng=rng)


def test_cat_of_one_tensor_twice_accumulates(rng):
    t = swiftnn.tensor(randn(rng, 2, 3), requires_grad=True)
    swiftnn.cat([t, t * 3], dim=0).sum().backward()
    assert_close(t.grad.numpy(), np.full((2, 3), 4.0))


def test_small_convnet_style_model_trains(rng):
    """An MLP with BatchNorm1d, GELU, LayerNorm and SiLU, kaiming-initialised and trained with SGD: the loss falls."""
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.GELU(), nn.Linear(16, 16), nn.LayerNorm(16),
                          nn.SiLU(), nn.Linear(16, 3))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    x = randn(rng, 64, 6)
    labels = np.argmax(x[:, :3] + 0.5 * x[:, 3:], axis=1)
    opt = swiftnn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    model.eval()
    accuracy = (np.argmax(model(x).numpy(), axis=1) == labels).mean()
    assert accuracy > 0.8


def test_broadcasting_matches_numpy_on_random_shapes():
    """The broadcast loop merges dimensions; random shapes (with 0- and 1-sized dims) check it."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        rank = int(rng.integers(0, 5))
        out = [int(d) for d in rng.integers(0, 4, rank)]

        def operand():
            tail = out[rank - int(rng.integers(0, rank + 1)):]
            return [d if rng.random() < 0.5 else 1 for d in tail]

        a = rng.standard_normal(operand()).astype(np.float32)
        b = rng.standard_normal(operand()).astype(np.float32)
        assert_close(swiftnn.mul(a, b).numpy(), a.astype(np.float64) * b)
        assert_close(swiftnn.sub(b, a).numpy(), b.astype(np.float64) - a)
