"""optim.lr_scheduler against closed-form NumPy/math references of PyTorch's schedules,
plus PyTorch's step()/get_last_lr()/last_epoch/state_dict() behaviour."""
import math
import warnings

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from swiftnn.optim import lr_scheduler


def make_sgd(lr=0.1, momentum=0.0, groups=1):
    params = [{"params": [nn.Parameter(np.zeros(2))], "lr": lr * (i + 1)} for i in range(groups)]
    return swiftnn.optim.SGD(params, lr=lr, momentum=momentum)


def run(scheduler, steps):
    """get_last_lr() at construction and after each step, checked against param_groups."""
    seen = [scheduler.get_last_lr()]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
        assert seen[-1] == [g["lr"] for g in scheduler.optimizer.param_groups]
    return np.array(seen)


def test_step_lr():
    optimizer = make_sgd(groups=2)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    assert scheduler.last_epoch == 0 and scheduler.base_lrs == [0.1, 0.2]
    lrs = run(scheduler, 10)
    epochs = np.arange(11)
    np.testing.assert_allclose(lrs[:, 0], 0.1 * 0.5 ** (epochs // 3), rtol=1e-12)
    np.testing.assert_allclose(lrs[:, 1], 0.2 * 0.5 ** (epochs // 3), rtol=1e-12)
    assert scheduler.last_epoch == 10
    assert optimizer.param_groups[0]["initial_lr"] == 0.1


def test_multistep_lr_with_repeated_milestones():
    scheduler = lr_scheduler.MultiStepLR(make_sgd(), milestones=[5, 2, 5, 9], gamma=0.1)
    lrs = run(scheduler, 11)[:, 0]
    passed = np.array([sum(m <= e for m in [2, 5, 5, 9]) for e in range(12)])
    np.testing.assert_allclose(lrs, 0.1 * 0.1 ** passed, rtol=1e-12)
    assert scheduler.milestones[5] == 2


def test_exponential_lr():
    lrs = run(lr_scheduler.ExponentialLR(make_sgd(lr=0.2), gamma=0.9), 8)[:, 0]
    np.testing.assert_allclose(lrs, 0.2 * 0.9 ** np.arange(9), rtol=1e-12)


def test_cosine_annealing_matches_the_closed_form_past_t_max():
    scheduler = lr_scheduler.CosineAnnealingLR(make_sgd(), T_max=10, eta_min=0.001)
    lrs = run(scheduler, 30)[:, 0]
    closed = 0.001 + (0.1 - 0.001) * (1 + np.cos(np.pi * np.arange(31) / 10)) / 2
    np.testing.assert_allclose(lrs, closed, rtol=1e-9, atol=1e-15)


def test_cosine_annealing_is_chainable_like_torch():
    """PyTorch's recursive form scales the current lr, so an external change carries on."""
    optimizer = make_sgd(lr=1.0)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    scheduler.step()
    optimizer.param_groups[0]["lr"] = 0.5
    scheduler.step()
    ratio = (1 + math.cos(math.pi * 2 / 4)) / (1 + math.cos(math.pi * 1 / 4))
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.5 * ratio, rel=1e-12)


def test_step_with_epoch_uses_closed_form_and_warns():
    optimizer = make_sgd()
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning, match="epoch parameter"):
        scheduler.step(5)
    assert scheduler.last_epoch == 5
    assert scheduler.get_last_lr() == [pytest.approx(0.1 * 0.1 ** 2)]


def test_scheduler_lr_reaches_the_engine():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([p], lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = swiftnn.ones(1)
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(p.numpy(), [-(1.0 + 0.5 + 0.25)], rtol=1e-6)


def one_cycle_reference(total, max_lr, pct=0.3, linear=False, three_phase=False, div=25.0, final_div=1e4,
                        high=0.95, low=0.85):
    def anneal(a, b, t):
        return a + (b - a) * t if linear else b + (a - b) / 2 * (1 + math.cos(math.pi * t))

    initial = max_lr / div
    minimum = initial / final_div
    up, last, down = pct * total - 1, total - 1, 2 * pct * total - 2
    out = []
    for s in range(total):
        if s <= up:
            out.append((anneal(initial, max_lr, s / up), anneal(high, low, s / up)))
        elif not three_phase:
            t = (s - up) / (last - up)
            out.append((anneal(max_lr, minimum, t), anneal(low, high, t)))
        elif s <= down:
            t = (s - up) / (down - up)
            out.append((anneal(max_lr, initial, t), anneal(low, high, t)))
        else:
            out.append((anneal(initial, minimum, (s - down) / (last - down)), high))
    return np.array(out)


@pytest.mark.parametrize("kind", ["sgd", "adam", "adamw", "rmsprop"])
@pytest.mark.parametrize("strategy,three_phase", [("cos", False), ("linear", False), ("cos", True)])
def test_one_cycle(kind, strategy, three_phase):
    p = nn.Parameter(np.zeros(2))
    optimizer = {"sgd": lambda: swiftnn.optim.SGD([p], lr=0.1, momentum=0.9),
                 "adam": lambda: swiftnn.optim.Adam([p], betas=(0.9, 0.99)),
                 "adamw": lambda: swiftnn.optim.AdamW([p]),
                 "rmsprop": lambda: swiftnn.optim.RMSprop([p])}[kind]()
    total = 20
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.4, total_steps=total, anneal_strategy=strategy,
                                        three_phase=three_phase)
    expected = one_cycle_reference(total, 0.4, linear=strategy == "linear", three_phase=three_phase)
    group = optimizer.param_groups[0]
    assert group["max_lr"] == 0.4 and group["initial_lr"] == 0.4 / 25 and group["min_lr"] == 0.4 / 25 / 1e4
    for step in range(total):
        if step:
            scheduler.step()
        momentum = group["betas"][0] if kind.startswith("adam") else group["momentum"]
        assert group["lr"] == pytest.approx(expected[step, 0], rel=1e-12)
        assert momentum == pytest.approx(expected[step, 1], rel=1e-12)
        if kind == "adam":
            assert group["betas"][1] == 0.99
    scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 21 times"):
        scheduler.step()


def test_one_cycle_from_epochs_and_steps_per_epoch():
    optimizer = make_sgd(momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=[1.0], epochs=2, steps_per_epoch=5)
    assert scheduler.total_steps == 10
    assert scheduler.get_last_lr() == [pytest.approx(1.0 / 25)]


def test_one_cycle_argument_errors():
    optimizer = make_sgd(momentum=0.9)
    with pytest.raises(ValueError, match="total_steps OR"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1)
    with pytest.raises(ValueError, match="positive integer total_steps"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=0)
    with pytest.raises(ValueError, match="positive integer epochs"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=-1, steps_per_epoch=3)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, anneal_strategy="exp")
    with pytest.raises(ValueError, match="expected 1 values for max_lr"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=[0.1, 0.2], total_steps=10)
    adagrad = swiftnn.optim.Adagrad([nn.Parameter(np.zeros(1))])
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=10)
    lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=10, cycle_momentum=False)


def test_state_dict_round_trip():
    optimizer = make_sgd()
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    for _ in range(4):
        scheduler.step()
    state = scheduler.state_dict()
    assert state["last_epoch"] == 4 and state["T_max"] == 10 and state["_step_count"] == 5
    assert "optimizer" not in state
    expected = [scheduler.step() or scheduler.get_last_lr()[0] for _ in range(3)]

    other_optimizer = make_sgd()
    other = lr_scheduler.CosineAnnealingLR(other_optimizer, T_max=10)
    other.load_state_dict(state)
    other_optimizer.param_groups[0]["lr"] = state["_last_lr"][0]
    assert other.last_epoch == 4
    got = [other.step() or other.get_last_lr()[0] for _ in range(3)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_resuming_needs_initial_lr():
    optimizer = make_sgd()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=3)
    optimizer.param_groups[0]["initial_lr"] = 1.0
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=3)
    assert scheduler.last_epoch == 4 and scheduler.base_lrs == [1.0]


def test_scheduler_argument_errors():
    optimizer = make_sgd()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR("sgd", step_size=2)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(optimizer, step_size=0)
    with pytest.raises(TypeError, match="step_size"):
        lr_scheduler.StepLR(optimizer, step_size=2.5)
    with pytest.raises(TypeError, match="gamma"):
        lr_scheduler.ExponentialLR(optimizer, gamma="0.5")
    with pytest.raises(ValueError, match="T_max"):
        lr_scheduler.CosineAnnealingLR(optimizer, T_max=-1)
    with pytest.raises(TypeError, match="milestones"):
        lr_scheduler.MultiStepLR(optimizer, milestones=[1.5])
    with pytest.raises(TypeError, match="last_epoch"):
        lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lr_scheduler.StepLR(optimizer, step_size=2).step()  # no warning in normal use


def test_get_lr_is_the_chainable_value_and_warns():
    optimizer = make_sgd(lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert scheduler.get_lr() == [1.0]
    scheduler.step()
    scheduler.step()
    # As in PyTorch: at a decay epoch, calling get_lr() outside step() applies gamma once more.
    with pytest.warns(UserWarning):
        assert scheduler.get_lr() == [0.25]
    assert scheduler.get_last_lr() == [0.5] and optimizer.param_groups[0]["lr"] == 0.5


class LinearWarmup(lr_scheduler.LRScheduler):
    """A user-defined schedule in Python, as one would subclass torch's LRScheduler."""

    def __init__(self, optimizer, warmup, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        scale = min(1.0, (self.last_epoch + 1) / self.warmup)
        return [base * scale for base in self.base_lrs]


def test_python_subclass_with_its_own_get_lr():
    p = nn.Parameter(np.zeros(1))
    optimizer = swiftnn.optim.SGD([p], lr=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler = LinearWarmup(optimizer, warmup=4)
        assert scheduler.last_epoch == 0 and scheduler.get_last_lr() == [0.25]
        lrs = []
        for _ in range(5):
            p.grad = swiftnn.ones(1)
            optimizer.step()
            lrs.append(optimizer.param_groups[0]["lr"])
            scheduler.step()
    assert lrs == [0.25, 0.5, 0.75, 1.0, 1.0]
    np.testing.assert_allclose(p.numpy(), [-3.5], rtol=1e-6)
    state = scheduler.state_dict()
    assert state["warmup"] == 4 and state["_step_count"] == 6
    with pytest.raises(NotImplementedError):
        lr_scheduler.LRScheduler(optimizer)
