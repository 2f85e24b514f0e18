"""Layer, optimizer and scheduler attributes are the engine's state: reading returns the
engine's value, assigning changes what the engine computes (checked against NumPy) or
raises, and nothing is kept in Python."""
import json

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from swiftnn import _C
from swiftnn.optim import lr_scheduler
from conftest import assert_close, f32, randn


def np_batch_norm_train(x, eps):
    axes = (0, 2, 3)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def test_batch_norm_eps_changes_the_forward(rng):
    x = f32(randn(rng, 3, 4, 2, 5) * 0.05)  # small variance, so eps matters
    bn = nn.BatchNorm2d(4)
    assert_close(bn(x).numpy(), np_batch_norm_train(x, 1e-5), rtol=1e-4, atol=1e-5)
    bn.eps = 0.1
    assert bn.eps == 0.1 and "eps=0.1," in repr(bn)
    assert json.loads(_C.module_get_option(bn._handle, "eps")) == 0.1
    assert_close(bn(x).numpy(), np_batch_norm_train(x, 0.1), rtol=1e-4, atol=1e-6)
    bn.eval()
    running_var = bn.running_var.numpy().reshape(1, 4, 1, 1)
    running_mean = bn.running_mean.numpy().reshape(1, 4, 1, 1)
    assert_close(bn(x).numpy(), (x - running_mean) / np.sqrt(running_var + 0.1), rtol=1e-4, atol=1e-6)


def test_batch_norm_momentum_none_is_the_cumulative_average(rng):
    bn = nn.BatchNorm1d(3, momentum=None)
    assert bn.momentum is None and "momentum=None" in repr(bn)
    batches = [f32(randn(rng, 8, 3)) for _ in range(3)]
    for x in batches:
        bn(x)
    expected_mean = np.mean([x.mean(axis=0) for x in batches], axis=0)
    expected_var = np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0)
    assert_close(bn.running_mean.numpy(), expected_mean, rtol=1e-5, atol=1e-6)
    assert_close(bn.running_var.numpy(), expected_var, rtol=1e-5, atol=1e-6)
    bn.momentum = 0.5  # back to the exponential average for the next batch
    x = f32(randn(rng, 8, 3))
    bn(x)
    assert_close(bn.running_mean.numpy(), 0.5 * expected_mean + 0.5 * x.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_dropout_p_set_to_zero_passes_input_through_in_training(rng):
    x = f32(randn(rng, 8, 32, 2, 2))
    for layer in (nn.Dropout(0.5), nn.Dropout2d(0.5)):
        layer.train()
        assert layer.p == 0.5 and (layer(x).numpy() == 0).any()
        layer.p = 0
        assert layer.p == 0 and layer.training
        np.testing.assert_array_equal(layer(x).numpy(), x)
        layer.p = 1.0
        np.testing.assert_array_equal(layer(x).numpy(), np.zeros_like(x))
        with pytest.raises(ValueError, match="between 0 and 1"):
            layer.p = 1.5
        assert layer.p == 1.0


def test_activation_settings_reach_the_engine(rng):
    x = f32(randn(rng, 5, 4))
    leaky = nn.LeakyReLU()
    leaky.negative_slope = 0.3
    assert_close(leaky(x).numpy(), np.where(x > 0, x, 0.3 * x))
    softmax = nn.Softmax(dim=1)
    softmax.dim = 0
    e = np.exp(x - x.max(axis=0))
    assert_close(softmax(x).numpy(), e / e.sum(axis=0), rtol=1e-5, atol=1e-6)
    gelu = nn.GELU()
    gelu.approximate = "tanh"
    assert repr(gelu) == "GELU(approximate='tanh')"
    with pytest.raises(ValueError, match="none or tanh"):
        gelu.approximate = "fast"
    flatten = nn.Flatten()
    flatten.start_dim = 0
    assert flatten(f32(randn(rng, 2, 3, 4))).shape == (24,)


def test_read_only_settings_raise_and_keep_their_value():
    bn = nn.BatchNorm2d(4)
    with pytest.raises(AttributeError, match="affine is fixed at construction"):
        bn.affine = False
    with pytest.raises(AttributeError, match="num_features"):
        bn.num_features = 8
    assert bn.affine is True and bn.num_features == 4
    conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation) == ((3, 3), (2, 2), (1, 1), (1, 1))
    with pytest.raises(AttributeError, match="stride is fixed"):
        conv.stride = (1, 1)
    with pytest.raises(TypeError):
        nn.BatchNorm2d(4).eps = "small"


def test_reprs_come_from_the_engine():
    assert repr(nn.BatchNorm2d(4)) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Dropout(0.2, inplace=True)) == "Dropout(p=0.2, inplace=True)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    layer = nn.Linear(3, 2)
    assert repr(layer) == _C.module_repr(layer._handle)


def test_reset_running_stats_and_parameters_run_in_the_engine(rng):
    bn = nn.BatchNorm2d(3)
    bn(f32(randn(rng, 4, 3, 2, 2) + 5))
    _C.copy_from(bn.weight._h, f32(np.full(3, 2.0)))
    bn.reset_running_stats()
    assert_close(bn.running_mean.numpy(), np.zeros(3))
    assert_close(bn.running_var.numpy(), np.ones(3))
    assert bn.num_batches_tracked.item() == 0
    assert_close(bn.weight.numpy(), np.full(3, 2.0))
    bn.reset_parameters()
    assert_close(bn.weight.numpy(), np.ones(3))
    swiftnn.manual_seed(3)
    first = nn.Linear(50, 4)
    weight = first.weight.numpy()
    swiftnn.manual_seed(3)
    first.reset_parameters()
    np.testing.assert_array_equal(first.weight.numpy(), weight)  # the same draws as construction
    assert np.abs(first.bias.numpy()).max() <= 1 / np.sqrt(50)
    assert not hasattr(nn.ReLU(), "reset_parameters")


def test_param_group_lr_reaches_the_engine_at_once():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([p], lr=0.1, momentum=0.9)
    group = optimizer.param_groups[0]
    group["lr"] = 0.25
    assert json.loads(_C.optimizer_get_option(group._engine, "lr")) == 0.25
    group["momentum"] = 0.0
    p.grad = swiftnn.ones(1)
    optimizer.step()
    assert_close(p.numpy(), [-0.25])
    with pytest.raises(AttributeError, match="nesterov is fixed"):
        group["nesterov"] = True
    group["nesterov"] = False  # the same value is accepted (load_state_dict)
    group["note"] = "backbone"  # other keys stay in Python, as in PyTorch
    assert group["note"] == "backbone" and "note" not in json.loads(_C.optimizer_get_option(group._engine, None))


def test_scheduler_lr_is_the_engines():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([p], lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    engine = optimizer.param_groups[0]._engine
    assert json.loads(_C.optimizer_get_option(engine, "lr")) == 0.5 == optimizer.param_groups[0]["lr"]
    assert scheduler.last_epoch == 1 and scheduler.step_size == 1 and scheduler.gamma == 0.5
    assert scheduler.get_last_lr() == [0.5]
    with pytest.raises(AttributeError, match="engine"):
        scheduler.last_epoch = 7
    p.grad = swiftnn.ones(1)
    optimizer.step()
    assert_close(p.numpy(), [-0.5])


def test_one_cycle_momentum_is_the_engines():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.Adam([p], betas=(0.9, 0.99))
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=10)
    betas = json.loads(_C.optimizer_get_option(optimizer.param_groups[0]._engine, "betas"))
    assert tuple(betas) == optimizer.param_groups[0]["betas"] == (0.95, 0.99)


def test_unknown_kinds_and_keys_are_clear_errors():
    with pytest.raises(ValueError, match="unknown module kind 'Conv3d'"):
        _C.module_new("Conv3d", "{}")
    with pytest.raises(ValueError, match="unexpected argument.*strides"):
        _C.module_new("Conv2d", json.dumps(dict(in_channels=1, out_channels=1, kernel_size=3, strides=2)))
    with pytest.raises(TypeError, match="missing required argument 'kernel_size'"):
        _C.module_new("Conv2d", json.dumps(dict(in_channels=1, out_channels=1)))
    with pytest.raises(ValueError, match="unknown optimizer"):
        _C.optimizer_new("Lion", [nn.Parameter(np.zeros(1))._h], "{}")
    with pytest.raises(ValueError, match="has no option 'epsilon'"):
        _C.module_set_option(nn.BatchNorm2d(2)._handle, "epsilon", "0.1")
