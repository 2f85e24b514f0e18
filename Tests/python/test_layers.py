"""Built-in layers (engine modules) and Sequential: forward, gradients, parameters, modes, reprs."""
from collections import OrderedDict

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, f32, randn


def np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 5, 3), (0, 3)])
def test_linear_forward_and_gradients(x_shape, rng):
    layer = nn.Linear(3, 2)
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    x = randn(rng, *x_shape)
    t = swiftnn.tensor(x, requires_grad=True)
    out = layer(t)
    assert_close(out.numpy(), x @ w.T + b)
    upstream = f32(rng.standard_normal(out.shape))
    out.backward(swiftnn.tensor(upstream))
    g2 = upstream.reshape(-1, 2)
    x2 = x.reshape(-1, 3)
    assert_close(t.grad.numpy(), upstream @ w)
    assert_close(layer.weight.grad.numpy(), g2.T @ x2)
    assert_close(layer.bias.grad.numpy(), g2.sum(axis=0))


def test_linear_without_bias(rng):
    layer = nn.Linear(4, 3, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert list(layer.state_dict()) == ["weight"]
    x = randn(rng, 2, 4)
    assert_close(layer(x).numpy(), x @ layer.weight.numpy().astype(np.float64).T)


def test_linear_parameters_and_init():
    swiftnn.manual_seed(3)
    layer = nn.Linear(50, 20)
    assert layer.in_features == 50 and layer.out_features == 20
    assert layer.weight.shape == (20, 50) and layer.bias.shape == (20,)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad and layer.weight.is_leaf
    bound = 1 / np.sqrt(50)  # kaiming_uniform(a=√5) and the bias both give 1/√fan_in
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound and abs(w.mean()) < 0.02
    assert np.abs(b).max() <= bound
    assert [p.shape for p in layer.parameters()] == [(20, 50), (20,)]
    swiftnn.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(50, 20).weight.numpy(), w)


def test_linear_accepts_lists_ints_and_float64(rng):
    layer = nn.Linear(2, 1)
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    for x in ([[1, 2]], np.array([[1, 2]], dtype=np.int64), np.array([[1.0, 2.0]]), swiftnn.tensor([[1, 2]])):
        assert_close(layer(x).numpy(), np.array([[1.0, 2.0]]) @ w.T + b)


def test_replacing_a_parameter_reaches_the_engine(rng):
    layer = nn.Linear(3, 2)
    new_weight = nn.Parameter(randn(rng, 2, 3))
    layer.weight = new_weight
    assert layer.weight is new_weight
    x = randn(rng, 4, 3)
    assert_close(layer(x).numpy(), x @ new_weight.numpy().astype(np.float64).T + layer.bias.numpy())
    layer(x).sum().backward()
    assert new_weight.grad is not None
    with pytest.raises(TypeError):
        layer.weight = swiftnn.ones(2, 3)


@pytest.mark.parametrize("module,ref", [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(dim=1), lambda x: np_softmax(x, 1)),
    (nn.Softmax(0), lambda x: np_softmax(x, 0)),
    (nn.LogSoftmax(dim=-1), lambda x: np.log(np_softmax(x, -1))),
    (nn.Identity(), lambda x: x),
    (nn.Flatten(), lambda x: x.reshape(x.shape[0], -1)),
    (nn.Flatten(0, 1), lambda x: x.reshape(-1, x.shape[2])),
])
def test_parameter_free_layers(module, ref, rng):
    x = randn(rng, 3, 4, 2, away_from=0.0)
    check_op(module, ref, x, rng=rng)
    assert list(module.parameters()) == [] and module.state_dict() == OrderedDict()


def test_layer_reprs():
    assert repr(nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax(dim=1)) == "LogSoftmax(dim=1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Identity()) == "Identity()"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_training_scales_kept_units(p):
    layer = nn.Dropout(p)
    assert layer.training
    x = swiftnn.ones(200, 100, requires_grad=True)
    out = layer(x)
    values = out.numpy()
    kept = values != 0
    assert_close(values[kept], np.full(kept.sum(), 1 / (1 - p)))
    assert abs((1 - kept.mean()) - p) < 0.02
    out.sum().backward()
    assert_close(x.grad.numpy(), kept / (1 - p))


def test_dropout_eval_is_identity_and_train_restores(rng):
    layer = nn.Dropout(0.5)
    x = randn(rng, 10, 10)
    assert layer.eval() is layer and not layer.training
    assert_close(layer(x).numpy(), x)
    layer.train()
    assert layer.training
    assert (layer(np.ones((50, 50))).numpy() == 0).any()
    layer.train(False)
    assert_close(layer(x).numpy(), x)


def test_dropout_p_one_and_bad_p():
    assert (nn.Dropout(1.0)(np.ones((3, 3))).numpy() == 0).all()
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(bad)
        with pytest.raises(ValueError):
            F.dropout(swiftnn.ones(2), bad)


def test_functional_dropout():
    x = swiftnn.ones(100, 100)
    assert_close(F.dropout(x, 0.3, training=False).numpy(), np.ones((100, 100)))
    values = F.dropout(x, 0.3).numpy()
    assert_close(values[values != 0], np.full((values != 0).sum(), 1 / 0.7))


def test_dropout_is_seeded():
    swiftnn.manual_seed(7)
    a = nn.Dropout(0.5)(np.ones((10, 10))).numpy()
    swiftnn.manual_seed(7)
    np.testing.assert_array_equal(nn.Dropout(0.5)(np.ones((10, 10))).numpy(), a)


def test_sequential_container(rng):
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    assert len(model) == 3 and isinstance(model[0], nn.Linear) and isinstance(model[-1], nn.Linear)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = randn(rng, 5, 4)
    w0, b0 = model[0].weight.numpy().astype(np.float64), model[0].bias.numpy().astype(np.float64)
    w2, b2 = model[2].weight.numpy().astype(np.float64), model[2].bias.numpy().astype(np.float64)
    assert_close(model(x).numpy(), np.maximum(x @ w0.T + b0, 0) @ w2.T + b2)
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    model.append(nn.Softmax(dim=1))
    assert len(model) == 4 and list(model._modules) == ["0", "1", "2", "3"]
    model[1] = nn.Tanh()
    assert isinstance(model[1], nn.Tanh)
    del model[3]
    assert len(model) == 3
    with pytest.raises(IndexError):
        model[5]
    with pytest.raises(TypeError):
        nn.Sequential(nn.ReLU(), 3)


def test_sequential_from_ordered_dict_and_repr():
    model = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(model.state_dict()) == ["fc.weight", "fc.bias"]
    assert model.fc is model[0]
    assert repr(model) == ("Sequential(\n"
                           "  (fc): Linear(in_features=2, out_features=2, bias=True)\n"
                           "  (act): ReLU()\n"
                           ")")


def test_sequential_train_eval_reaches_engine_dropout():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.9))
    model.eval()
    assert not model[1].training
    x = np.ones((20, 3), np.float32)
    assert_close(model(x).numpy(), model[0](x).numpy())
    model.train()
    assert model[1].training
