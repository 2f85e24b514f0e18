"""Adam, AdamW, RMSprop and Adagrad against NumPy implementations of torch.optim's
documented algorithms (float64), plus param groups, state_dict and argument errors."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from conftest import assert_close, f32, randn


class NumpyAdam:
    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False):
        self.lr, (self.b1, self.b2), self.eps, self.wd = lr, betas, eps, weight_decay
        self.amsgrad, self.decoupled, self.t = amsgrad, decoupled, 0
        self.m = self.v = self.v_max = 0.0

    def step(self, p, g):
        self.t += 1
        if self.decoupled:
            p = p * (1 - self.lr * self.wd)
        else:
            g = g + self.wd * p
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        self.v_max = np.maximum(self.v_max, self.v)
        v = self.v_max if self.amsgrad else self.v
        denom = np.sqrt(v) / np.sqrt(1 - self.b2 ** self.t) + self.eps
        return p - self.lr / (1 - self.b1 ** self.t) * self.m / denom


class NumpyRMSprop:
    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        self.lr, self.alpha, self.eps, self.wd = lr, alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered
        self.square = self.avg = self.buf = 0.0

    def step(self, p, g):
        g = g + self.wd * p
        self.square = self.alpha * self.square + (1 - self.alpha) * g * g
        if self.centered:
            self.avg = self.alpha * self.avg + (1 - self.alpha) * g
            denom = np.sqrt(self.square - self.avg ** 2) + self.eps
        else:
            denom = np.sqrt(self.square) + self.eps
        if self.momentum > 0:
            self.buf = self.momentum * self.buf + g / denom
            return p - self.lr * self.buf
        return p - self.lr * g / denom


class NumpyAdagrad:
    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        self.lr, self.lr_decay, self.wd, self.eps = lr, lr_decay, weight_decay, eps
        self.sum, self.t = initial_accumulator_value, 0

    def step(self, p, g):
        self.t += 1
        g = g + self.wd * p
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        self.sum = self.sum + g * g
        return p - clr * g / (np.sqrt(self.sum) + self.eps)


CASES = [
    (swiftnn.optim.Adam, lambda **k: NumpyAdam(**k), {}),
    (swiftnn.optim.Adam, lambda **k: NumpyAdam(**k), dict(lr=0.05, betas=(0.8, 0.95), eps=1e-3)),
    (swiftnn.optim.Adam, lambda **k: NumpyAdam(**k), dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    (swiftnn.optim.AdamW, lambda **k: NumpyAdam(decoupled=True, **{"weight_decay": 1e-2, **k}), {}),
    (swiftnn.optim.AdamW, lambda **k: NumpyAdam(decoupled=True, **k), dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    (swiftnn.optim.RMSprop, NumpyRMSprop, {}),
    (swiftnn.optim.RMSprop, NumpyRMSprop, dict(lr=0.005, momentum=0.9)),
    (swiftnn.optim.RMSprop, NumpyRMSprop, dict(alpha=0.9, eps=1e-4, centered=True)),
    (swiftnn.optim.RMSprop, NumpyRMSprop, dict(lr=0.003, alpha=0.95, weight_decay=0.05, momentum=0.5, centered=True)),
    (swiftnn.optim.Adagrad, NumpyAdagrad, {}),
    (swiftnn.optim.Adagrad, NumpyAdagrad, dict(lr=0.1, lr_decay=0.2, weight_decay=0.05, initial_accumulator_value=0.5)),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CASES)]


@pytest.mark.parametrize("cls,reference,settings", CASES, ids=IDS)
def test_matches_reference_with_given_gradients(cls, reference, settings, rng):
    initial = [randn(rng, 3, 4), randn(rng, 5)]
    params = [nn.Parameter(x) for x in initial]
    idle = nn.Parameter(np.ones(2))
    optimizer = cls(params + [idle], **settings)
    references = [reference(**settings) for _ in initial]
    expected = list(initial)
    for _ in range(6):
        grads = [f32(2 * rng.standard_normal(x.shape)) for x in initial]
        for p, g in zip(params, grads):
            p.grad = swiftnn.tensor(g)
        optimizer.step()
        expected = [r.step(e, g) for r, e, g in zip(references, expected, grads)]
        for p, e in zip(params, expected):
            assert_close(p.numpy(), e)
    assert_close(idle.numpy(), [1, 1])


def fit_classifier(make_optimizer, rng, steps=60):
    """Trains a small MLP on a separable 3-class problem; returns the model, data and losses."""
    swiftnn.manual_seed(0)
    x = f32(rng.standard_normal((64, 4)))
    y = np.argmax(x[:, :3], axis=1)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = make_optimizer(model.parameters())
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, x, y, losses


@pytest.mark.parametrize("cls", [swiftnn.optim.Adam, swiftnn.optim.AdamW, swiftnn.optim.RMSprop,
                                 swiftnn.optim.Adagrad])
def test_training_through_the_engine_reduces_the_loss(cls, rng):
    _, _, _, losses = fit_classifier(lambda params: cls(params, lr=0.02), rng)
    assert losses[-1] < 0.5 * losses[0]


def test_defaults_match_torch():
    p = nn.Parameter(np.ones(2))
    group = swiftnn.optim.Adam([p]).param_groups[0]
    assert (group["lr"], group["betas"], group["eps"], group["weight_decay"], group["amsgrad"]) == \
        (1e-3, (0.9, 0.999), 1e-8, 0, False)
    assert swiftnn.optim.AdamW([p]).param_groups[0]["weight_decay"] == 1e-2
    group = swiftnn.optim.RMSprop([p]).param_groups[0]
    assert (group["lr"], group["alpha"], group["eps"], group["momentum"], group["centered"]) == \
        (1e-2, 0.99, 1e-8, 0, False)
    group = swiftnn.optim.Adagrad([p]).param_groups[0]
    assert (group["lr"], group["lr_decay"], group["initial_accumulator_value"], group["eps"]) == (1e-2, 0, 0, 1e-10)


def test_group_hyperparameter_changes_reach_the_engine(rng):
    p = nn.Parameter(np.zeros(3))
    optimizer = swiftnn.optim.Adam([p], lr=0.1)
    reference = NumpyAdam(lr=0.1)
    expected = np.zeros(3)
    for step in range(4):
        g = randn(rng, 3)
        if step == 2:
            optimizer.param_groups[0]["lr"] = 0.01
            optimizer.param_groups[0]["betas"] = (0.5, 0.9)
            reference.lr, reference.b1, reference.b2 = 0.01, 0.5, 0.9
        p.grad = swiftnn.tensor(g)
        optimizer.step()
        expected = reference.step(expected, g)
        assert_close(p.numpy(), expected)


def test_param_groups_with_their_own_settings(rng):
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2))
    optimizer = swiftnn.optim.RMSprop([{"params": [a]}, {"params": b, "lr": 0.1, "centered": True}], lr=0.01)
    assert optimizer.param_groups[1]["centered"] and not optimizer.param_groups[0]["centered"]
    refs = [NumpyRMSprop(lr=0.01), NumpyRMSprop(lr=0.1, centered=True)]
    expected = [np.zeros(2), np.zeros(2)]
    for _ in range(3):
        grads = [randn(rng, 2), randn(rng, 2)]
        a.grad, b.grad = swiftnn.tensor(grads[0]), swiftnn.tensor(grads[1])
        optimizer.step()
        expected = [r.step(e, g) for r, e, g in zip(refs, expected, grads)]
    assert_close(a.numpy(), expected[0])
    assert_close(b.numpy(), expected[1])


def test_state_dict_layout_and_round_trip(rng):
    model = nn.Linear(3, 2)
    optimizer = swiftnn.optim.Adam([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.01}], amsgrad=True)
    x = randn(rng, 4, 3)
    for _ in range(2):
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    state = optimizer.state_dict()
    assert sorted(state["state"]) == [0, 1]
    assert sorted(state["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert state["state"][1]["step"].item() == 2.0 and state["state"][1]["step"].shape == ()
    assert state["state"][0]["exp_avg"].shape == (2, 3)
    assert state["param_groups"][0]["params"] == [0] and state["param_groups"][1]["params"] == [1]
    assert state["param_groups"][1]["lr"] == 0.01 and state["param_groups"][0]["betas"] == (0.9, 0.999)

    # A copy of the model with a fresh optimizer given the state continues identically.
    twin = nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    other = swiftnn.optim.Adam([{"params": [twin.weight]}, {"params": [twin.bias]}], amsgrad=True)
    saved = {"state": {k: {n: t.numpy() for n, t in v.items()} for k, v in state["state"].items()},
             "param_groups": state["param_groups"]}
    other.load_state_dict(saved)
    assert other.param_groups[1]["lr"] == 0.01
    assert other.param_groups[1]["params"][0] is twin.bias
    for m, opt in ((model, optimizer), (twin, other)):
        opt.zero_grad()
        m(x).sum().backward()
        opt.step()
    assert_close(twin.weight.numpy(), model.weight.numpy(), rtol=0, atol=0)
    assert_close(twin.bias.numpy(), model.bias.numpy(), rtol=0, atol=0)


def test_load_state_dict_errors():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    optimizer = swiftnn.optim.Adagrad([p])
    with pytest.raises(ValueError, match="number of parameter groups"):
        optimizer.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        optimizer.load_state_dict({"state": {}, "param_groups": [{"params": [0, 1]}]})
    good = optimizer.state_dict()
    good["state"][0]["sum"] = np.ones(3)
    with pytest.raises(ValueError, match="shape"):
        optimizer.load_state_dict(good)
    good["state"][0] = {"exp_avg": np.ones(2)}
    with pytest.raises(ValueError, match="no state named 'exp_avg'"):
        optimizer.load_state_dict(good)
    with pytest.raises(ValueError):
        optimizer.load_state_dict([1, 2])
    assert q.grad is None


@pytest.mark.parametrize("cls", [swiftnn.optim.Adam, swiftnn.optim.AdamW, swiftnn.optim.RMSprop,
                                 swiftnn.optim.Adagrad])
def test_common_argument_errors(cls):
    p = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        cls([p], lr=-0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        cls([p], lr=float("nan"))
    with pytest.raises(TypeError):
        cls([p], lr="fast")
    with pytest.raises(ValueError, match="Invalid weight_decay value"):
        cls([p], weight_decay=-1)
    with pytest.raises(ValueError, match="Invalid epsilon value"):
        cls([p], eps=-1e-8)
    with pytest.raises(TypeError):
        cls(p)
    with pytest.raises(TypeError):
        cls([p, "weights"])
    with pytest.raises(ValueError):
        cls([p, p])
    optimizer = cls([p])
    # The group's settings are the engine's: bad values are refused when assigned.
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optimizer.param_groups[0]["lr"] = -1.0
    with pytest.raises(TypeError):
        optimizer.param_groups[0]["lr"] = "x"
    assert optimizer.param_groups[0]["lr"] == optimizer.defaults["lr"]


def test_specific_argument_errors():
    p = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0"):
        swiftnn.optim.Adam([p], betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        swiftnn.optim.AdamW([p], betas=(0.9, -0.1))
    with pytest.raises(TypeError, match="betas"):
        swiftnn.optim.Adam([p], betas=0.9)
    with pytest.raises(TypeError, match="betas"):
        swiftnn.optim.Adam([p], betas=(0.9, 0.99, 0.1))
    with pytest.raises(ValueError, match="Invalid alpha value"):
        swiftnn.optim.RMSprop([p], alpha=-0.1)
    with pytest.raises(ValueError, match="Invalid momentum value"):
        swiftnn.optim.RMSprop([p], momentum=-0.1)
    with pytest.raises(ValueError, match="Invalid lr_decay value"):
        swiftnn.optim.Adagrad([p], lr_decay=-0.1)
    with pytest.raises(ValueError, match="Invalid initial_accumulator_value value"):
        swiftnn.optim.Adagrad([p], initial_accumulator_value=-0.1)


def test_repr():
    text = repr(swiftnn.optim.Adam([nn.Parameter(np.ones(1))], lr=0.1))
    assert text.startswith("Adam (\nParameter Group 0\n") and "    betas: (0.9, 0.999)" in text


def test_state_view_by_parameter():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    optimizer = swiftnn.optim.RMSprop([a, b], momentum=0.9, centered=True)
    a.grad = swiftnn.ones(2)
    optimizer.step()
    state = optimizer.state
    assert set(state) == {a} and b not in state
    assert sorted(state[a]) == ["grad_avg", "momentum_buffer", "square_avg", "step"]
    assert_close(state[a]["square_avg"].numpy(), [0.01, 0.01])


@pytest.mark.parametrize("make", [
    lambda ps, m: swiftnn.optim.SGD(ps, lr=0.1, momentum=0.9, maximize=m),
    lambda ps, m: swiftnn.optim.Adam(ps, amsgrad=True, maximize=m),
    lambda ps, m: swiftnn.optim.AdamW(ps, maximize=m),
    lambda ps, m: swiftnn.optim.RMSprop(ps, momentum=0.5, centered=True, maximize=m),
    lambda ps, m: swiftnn.optim.Adagrad(ps, weight_decay=0.1, maximize=m),
], ids=["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_maximize_ascends_like_descending_the_negated_gradient(make, rng):
    start = randn(rng, 4)
    up, down = nn.Parameter(start), nn.Parameter(start)
    ascending, descending = make([up], True), make([down], False)
    assert ascending.param_groups[0]["maximize"] is True
    for _ in range(3):
        g = randn(rng, 4)
        up.grad, down.grad = swiftnn.tensor(g), swiftnn.tensor(-g)
        ascending.step()
        descending.step()
        assert_close(up.numpy(), down.numpy(), rtol=0, atol=0)


def test_torch_keyword_flags():
    p = nn.Parameter(np.ones(1))
    group = swiftnn.optim.AdamW([p], fused=True, foreach=False).param_groups[0]
    assert group["fused"] is True and group["foreach"] is False and group["capturable"] is False
    assert group["maximize"] is False and group["differentiable"] is False
    with pytest.raises(ValueError, match="differentiable"):
        swiftnn.optim.Adam([p], differentiable=True)
    with pytest.raises(TypeError):
        swiftnn.optim.Adagrad([p], 0.1, 0, 0, 0, 1e-10, None, True)  # maximize is keyword-only
