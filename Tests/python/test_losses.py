"""CrossEntropyLoss and MSELoss (module and functional) against float64 references."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, f32, randn


def np_log_softmax(x, dim):
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def ce_indices_ref(x, target, reduction="mean", label_smoothing=0.0, ignore_index=-100):
    """PyTorch's cross_entropy with class indices: x [N, C, d...], target [N, d...]."""
    classes = x.shape[1]
    logp = np.moveaxis(np_log_softmax(x, 1), 1, -1).reshape(-1, classes)
    t = np.asarray(target).reshape(-1)
    valid = t != ignore_index
    picked = -logp[np.arange(t.size), np.where(valid, t, 0)]
    smooth = -logp.mean(axis=1)  # (eps / C) * sum over classes
    per = np.where(valid, (1 - label_smoothing) * picked + label_smoothing * smooth, 0.0)
    if reduction == "none":
        return per.reshape(np.shape(target))
    if reduction == "sum":
        return per.sum()
    return per.sum() / valid.sum()


def ce_probs_ref(x, probs, reduction="mean", label_smoothing=0.0):
    classes = x.shape[1]
    target = probs * (1 - label_smoothing) + label_smoothing / classes
    per = -(np_log_softmax(x, 1) * target).sum(axis=1)
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    return per.sum() / per.size


def mse_ref(x, y, reduction="mean"):
    sq = (x - y) ** 2
    return {"none": sq, "sum": sq.sum(), "mean": sq.mean()}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.5])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_class_indices(reduction, label_smoothing, ignore, rng):
    x = randn(rng, 6, 4) * 2
    target = rng.integers(0, 4, 6)
    ignore_index = -100
    if ignore:
        ignore_index = 2
        target[[1, 4]] = 2
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing, ignore_index=ignore_index)

    def reference(a):
        return ce_indices_ref(a, target, **kwargs)

    check_op(lambda t: nn.CrossEntropyLoss(**kwargs)(t, target), reference, x, rng=rng)
    check_op(lambda t: F.cross_entropy(t, target, **kwargs), reference, x, rng=rng)


def test_cross_entropy_default_ignore_index_is_minus_100(rng):
    x = randn(rng, 3, 5)
    target = np.array([1, -100, 4])
    check_op(lambda t: F.cross_entropy(t, target), lambda a: ce_indices_ref(a, target), x, rng=rng)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_spatial_input(reduction, rng):
    x = randn(rng, 2, 3, 4, 5)
    target = rng.integers(0, 3, (2, 4, 5))
    check_op(lambda t: F.cross_entropy(t, target, reduction=reduction, label_smoothing=0.2),
             lambda a: ce_indices_ref(a, target, reduction, 0.2), x, rng=rng)


@pytest.mark.parametrize("target_form", ["list", "int32", "float_whole", "tensor"])
def test_cross_entropy_target_forms(target_form, rng):
    x = randn(rng, 4, 3)
    labels = np.array([0, 2, 1, 2])
    target = {
        "list": labels.tolist(),
        "int32": labels.astype(np.int32),
        "float_whole": labels.astype(np.float64),
        "tensor": swiftnn.tensor(labels),
    }[target_form]
    out = nn.CrossEntropyLoss()(swiftnn.tensor(x), target)
    assert_close(out.numpy(), ce_indices_ref(x, labels))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_cross_entropy_probability_targets(reduction, label_smoothing, as_tensor, rng):
    x = randn(rng, 5, 4)
    probs = f32(rng.dirichlet(np.ones(4), 5))
    target = swiftnn.tensor(probs) if as_tensor else probs
    check_op(lambda t: nn.CrossEntropyLoss(reduction=reduction, label_smoothing=label_smoothing)(t, target),
             lambda a: ce_probs_ref(a, probs, reduction, label_smoothing), x, rng=rng)


def test_cross_entropy_accepts_numpy_logits(rng):
    x = rng.standard_normal((3, 4))
    out = nn.CrossEntropyLoss()(x, [0, 1, 3])
    assert_close(out.numpy(), ce_indices_ref(f32(x), np.array([0, 1, 3])))


def test_cross_entropy_errors(rng):
    x = swiftnn.tensor(randn(rng, 4, 3))
    with pytest.raises(IndexError):
        F.cross_entropy(x, [0, 1, 3, 0])
    with pytest.raises(IndexError):
        F.cross_entropy(x, [0, 1, -1, 0])
    with pytest.raises(ValueError, match=r"\[4\]"):
        F.cross_entropy(x, [0, 1, 2])
    with pytest.raises(ValueError):
        F.cross_entropy(x, np.array([0.5, 1, 2, 0]))
    with pytest.raises(ValueError):
        F.cross_entropy(x, np.array([np.nan, 1, 2, 0]))
    with pytest.raises(TypeError):
        F.cross_entropy(x, ["a", "b", "c", "d"])
    with pytest.raises(TypeError):
        F.cross_entropy(x, None)
    with pytest.raises(ValueError):
        F.cross_entropy(x, [0, 1, 2, 0], reduction="average")
    with pytest.raises(ValueError):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError):
        F.cross_entropy(x, [0, 1, 2, 0], label_smoothing=1.5)
    with pytest.raises(ValueError):
        F.cross_entropy(swiftnn.ones(3), [0])
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        F.cross_entropy(x, swiftnn.ones(4, 4))  # PyTorch's error: a float target is probabilities


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4, 3), (7,), (2, 3, 2), ()])
def test_mse_loss(reduction, shape, rng):
    x, y = randn(rng, *shape), randn(rng, *shape)
    check_op(lambda a, b: nn.MSELoss(reduction=reduction)(a, b), lambda a, b: mse_ref(a, b, reduction), x, y, rng=rng)
    check_op(lambda a, b: F.mse_loss(a, b, reduction=reduction), lambda a, b: mse_ref(a, b, reduction), x, y, rng=rng)


def test_mse_loss_numpy_target_and_shape_error(rng):
    x, y = randn(rng, 3, 2), randn(rng, 3, 2)
    assert_close(nn.MSELoss()(swiftnn.tensor(x), y).numpy(), mse_ref(x, y))
    with pytest.raises(ValueError):
        nn.MSELoss()(swiftnn.ones(3, 2), swiftnn.ones(2, 3))
    with pytest.raises(ValueError):
        nn.MSELoss(reduction="bad")


def test_loss_reprs():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss()) == "MSELoss()"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_spatial_probability_targets(reduction, rng):
    # PyTorch's mean divides by N·d1·... (every position), not by N.
    x = randn(rng, 2, 3, 4)
    probs = f32(np.moveaxis(rng.dirichlet(np.ones(3), (2, 4)), -1, 1))
    check_op(lambda t: F.cross_entropy(t, probs, reduction=reduction),
             lambda a: ce_probs_ref(a, probs, reduction), x, rng=rng)
