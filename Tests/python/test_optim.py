"""SGD against a NumPy implementation of torch.optim.SGD's update, over several steps."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from conftest import assert_close, randn


class NumpySGD:
    """torch.optim.SGD's documented algorithm, in float64."""

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        self.params = [np.array(p, dtype=np.float64) for p in params]
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.buffers = [None] * len(self.params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * p
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = g.copy()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
            self.params[i] = p - self.lr * g


SETTINGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.02, momentum=0.5, dampening=0.1, weight_decay=0.05),
    dict(lr=0.02, momentum=0.9, weight_decay=0.1, nesterov=True),
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_sgd_matches_reference_with_given_gradients(settings, rng):
    initial = [randn(rng, 3, 4), randn(rng, 4)]
    params = [nn.Parameter(x) for x in initial]
    optimizer = swiftnn.optim.SGD(params, **settings)
    reference = NumpySGD(initial, **settings)
    for _ in range(6):
        grads = [randn(rng, 3, 4), randn(rng, 4)]
        for p, g in zip(params, grads):
            p.grad = swiftnn.tensor(g)
        optimizer.step()
        reference.step(grads)
        for p, expected in zip(params, reference.params):
            assert_close(p.numpy(), expected)


@pytest.mark.parametrize("settings", SETTINGS)
def test_sgd_training_steps_match_reference(settings, rng):
    """Gradients from the engine's own backward through Linear + MSELoss, checked by hand."""
    model = nn.Linear(3, 2)
    x, y = randn(rng, 8, 3), randn(rng, 8, 2)
    optimizer = swiftnn.optim.SGD(model.parameters(), **settings)
    reference = NumpySGD([model.weight.numpy(), model.bias.numpy()], **settings)
    for _ in range(5):
        w, b = reference.params
        residual = x @ w.T + b - y
        grads = [2 * residual.T @ x / residual.size, 2 * residual.sum(axis=0) / residual.size]
        optimizer.zero_grad()
        nn.MSELoss()(model(x), y).backward()
        optimizer.step()
        reference.step(grads)
        assert_close(model.weight.numpy(), reference.params[0])
        assert_close(model.bias.numpy(), reference.params[1])


def test_parameters_without_grad_are_skipped():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    optimizer = swiftnn.optim.SGD([a, b], lr=0.5)
    a.grad = swiftnn.ones(2)
    optimizer.step()
    assert_close(a.numpy(), [0.5, 0.5])
    assert_close(b.numpy(), [1, 1])


def test_lr_is_read_from_param_groups_each_step():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([p], lr=0.1)
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.defaults["lr"] == 0.1
    p.grad = swiftnn.ones(1)
    optimizer.step()
    optimizer.param_groups[0]["lr"] = 0.01
    optimizer.step()
    assert_close(p.numpy(), [-0.11])


def test_param_groups_with_their_own_settings():
    a, b = nn.Parameter(np.zeros(1)), nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1, momentum=0.5)
    assert optimizer.param_groups[1]["momentum"] == 0.5
    for _ in range(2):
        a.grad = swiftnn.ones(1)
        b.grad = swiftnn.ones(1)
        optimizer.step()
    assert_close(a.numpy(), [-0.1 - 0.1 * 1.5])
    assert_close(b.numpy(), [-1.0 - 1.5])
    with pytest.raises(ValueError, match="more than one"):
        optimizer.add_param_group({"params": [a]})


def test_default_lr_and_generators():
    model = nn.Linear(2, 2)
    optimizer = swiftnn.optim.SGD(model.parameters())
    assert optimizer.param_groups[0]["lr"] == 1e-3
    assert len(optimizer.param_groups[0]["params"]) == 2


def test_zero_grad_and_closure():
    model = nn.Linear(2, 1)
    optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = model(np.ones((1, 2))).sum()
        loss.backward()
        return loss

    with swiftnn.no_grad():
        loss = optimizer.step(closure)  # the closure runs with grad enabled
    assert isinstance(loss, swiftnn.Tensor)
    assert model.weight.grad is not None
    optimizer.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    model(np.ones((1, 2))).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    assert_close(model.weight.grad.numpy(), [[0, 0]])


def test_sgd_argument_errors():
    p = nn.Parameter(np.ones(1))
    with pytest.raises(ValueError, match="empty parameter list"):
        swiftnn.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        swiftnn.optim.SGD(iter([]), lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        swiftnn.optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="momentum"):
        swiftnn.optim.SGD([p], lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="weight_decay"):
        swiftnn.optim.SGD([p], lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        swiftnn.optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Nesterov"):
        swiftnn.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(TypeError):
        swiftnn.optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError):
        swiftnn.optim.SGD([p, "x"], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        swiftnn.optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError):
        swiftnn.optim.SGD([p, p], lr=0.1)
    optimizer = swiftnn.optim.SGD([p], lr=0.1)
    # The group's lr is the engine's: a bad value is refused when assigned, and the old one stays.
    with pytest.raises(ValueError, match="learning rate"):
        optimizer.param_groups[0]["lr"] = -1.0
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_optimizer_repr():
    text = repr(swiftnn.optim.SGD([nn.Parameter(np.ones(1))], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1" in text and "    momentum: 0.9" in text


def test_training_reduces_the_loss(rng):
    from test_optim_adaptive import fit_classifier

    model, x, y, losses = fit_classifier(lambda params: swiftnn.optim.SGD(params, lr=0.1, momentum=0.9), rng)
    assert losses[-1] < 0.5 * losses[0]
    assert (model(x).argmax(1) == y).float().mean().item() > 0.8
