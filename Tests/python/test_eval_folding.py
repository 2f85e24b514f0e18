"""Eval-mode BatchNorm folded into the preceding convolution (with the residual add and
ReLU as its epilogue, also after a convolution without BatchNorm): on every zoo model
with BatchNorm and on VGG11, the fused inference path
(eval, no_grad) must give the outputs of the unfused eval path (eval with autograd
recording, which runs the layers one by one), and its cached folded weights must
follow every change of weights, buffers, eps and mode."""
import numpy as np
import pytest

import swiftnn
import swiftnn.models as models
import swiftnn.nn as nn

FUSED = ("Conv2d+BatchNorm2d+ReLU", "Conv2d+BatchNorm2d", "Conv2d+ReLU")

MODELS = {
    "normal_CNN": lambda: models.normal_CNN(),
    "VGG11_bn": lambda: models.VGG11(cifar=True, batch_norm=True),
    "VGG11": lambda: models.VGG11(cifar=True),  # conv → ReLU, no BatchNorm
    "Resnet": lambda: models.Resnet(),
    "ResNet18": lambda: models.ResNet18(),
    "SE_Resnet": lambda: models.SE_Resnet(),
    "Densenet": lambda: models.Densenet(layers=40, growth_rate=12),
    "GoogLeNet": lambda: models.GoogLeNet(num_classes=10, small_inputs=True),
    "residual_CNN_big": lambda: models.residual_CNN(kernal_list=[16, 32, 64], Residual_Block_size="big"),
}


def randomize_batch_norms(model, seed):
    """Running statistics and affine parameters far from their defaults, so a fold that
    ignored one of them would show."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, value in model.state_dict().items():
        value = np.asarray(value)
        if key.endswith("running_mean"):
            value = rng.normal(0, 0.2, value.shape)
        elif key.endswith("running_var"):
            value = rng.uniform(0.5, 2.0, value.shape)
        elif key.endswith(".weight") and value.ndim == 1:
            value = rng.uniform(0.5, 1.5, value.shape)
        elif key.endswith(".bias") and value.ndim == 1:
            value = rng.normal(0, 0.2, value.shape)
        state[key] = value.astype(np.float32) if value.dtype.kind == "f" else value
    model.load_state_dict(state)


def fused_and_reference(model, x):
    """(eval + no_grad output, the fused layers it ran), (eval output with autograd on)."""
    model.eval()
    with swiftnn.no_grad(), swiftnn.profile() as prof:
        fused = model(x).numpy()
    reference = model(x).detach().numpy()
    return fused, {e["name"] for e in prof.entries if e["name"] in FUSED}, reference


def assert_same(fused, reference):
    scale = np.abs(reference).max()
    np.testing.assert_allclose(fused, reference, rtol=1e-4, atol=1e-5 * max(scale, 1.0))


@pytest.mark.parametrize("name", list(MODELS))
def test_fused_inference_matches_the_layers(name):
    swiftnn.manual_seed(3)
    model = MODELS[name]()
    randomize_batch_norms(model, seed=4)
    x = swiftnn.tensor(np.random.default_rng(5).standard_normal((2, 3, 32, 32), dtype=np.float32))
    fused, ran, reference = fused_and_reference(model, x)
    assert ran, f"{name}: no convolution ran with its BatchNorm folded in"
    assert_same(fused, reference)
    # Batch 1 takes other kernel paths (threads split one image).
    one = swiftnn.tensor(x.numpy()[:1])
    fused, _, reference = fused_and_reference(model, one)
    assert_same(fused, reference)


def test_training_mode_and_autograd_take_the_separate_layers():
    model = models.normal_CNN()
    x = swiftnn.tensor(np.ones((2, 3, 32, 32), np.float32))
    with swiftnn.profile() as prof:
        model(x)  # training
        model.eval()
        model(x)  # eval, recording autograd
    assert not {e["name"] for e in prof.entries} & set(FUSED)


def small_cnn():
    swiftnn.manual_seed(11)
    model = models.normal_CNN(kernal_list=[8, "p", 16])
    randomize_batch_norms(model, seed=12)
    return model


X = np.random.default_rng(13).standard_normal((3, 3, 16, 16), dtype=np.float32)


def changes():
    """Ways to change what a folded convolution depends on, each applied to a model."""
    def load_state(model):
        state = {k: np.asarray(v) * 1.25 if k.endswith(("weight", "running_var")) else v
                 for k, v in model.state_dict().items()}
        model.load_state_dict(state)

    def in_place_weight(model):
        with swiftnn.no_grad():
            model.features[0].weight.mul_(0.5)

    def running_var(model):
        model.features[1].running_var.fill_(3.0)

    def running_mean(model):
        model.features[1].running_mean.copy_(swiftnn.tensor(np.full(8, 0.7, np.float32)))

    def bn_affine(model):
        with swiftnn.no_grad():
            model.features[1].bias.add_(1.0)

    def eps(model):
        model.features[1].eps = 0.5

    def optimizer_step(model):
        optimizer = swiftnn.optim.SGD(model.parameters(), lr=0.5)
        model(swiftnn.tensor(X)).sum().backward()
        optimizer.step()

    def training_forward(model):
        model.train()
        model(swiftnn.tensor(X * 3 + 1))  # updates the running statistics
        model.eval()

    def new_parameter(model):
        layer = nn.Conv2d(3, 8, 3, padding=1)
        model.features[0].weight = nn.Parameter(np.asarray(layer.weight.detach().numpy()) * 2)

    return [load_state, in_place_weight, running_var, running_mean, bn_affine, eps, optimizer_step,
            training_forward, new_parameter]


@pytest.mark.parametrize("change", changes(), ids=lambda f: f.__name__)
def test_the_folded_weights_follow_every_change(change):
    model = small_cnn()
    x = swiftnn.tensor(X)
    before, ran, reference = fused_and_reference(model, x)
    assert ran
    assert_same(before, reference)
    change(model)
    after, ran, reference = fused_and_reference(model, x)
    assert ran
    assert not np.allclose(reference, before), "the change should change the outputs"
    assert_same(after, reference)


def python_sequential():
    swiftnn.manual_seed(21)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 1), nn.BatchNorm2d(16),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 10))
    randomize_batch_norms(model, seed=22)
    return model


def test_python_sequential_runs_its_engine_layers_fused():
    model = python_sequential()
    x = swiftnn.tensor(X)
    fused, ran, reference = fused_and_reference(model, x)
    assert ran == set(FUSED)
    assert_same(fused, reference)
    model.train()
    trained = model(x)  # training mode: the layers one by one, with gradients
    trained.sum().backward()
    assert model[0].weight.grad is not None


def test_python_sequential_keeps_python_layers_in_between():
    class Double(nn.Module):
        def forward(self, x):
            return x * 2

    model = python_sequential()
    model[5] = Double()  # in place of a ReLU: splits the engine layers into two runs
    x = swiftnn.tensor(X)
    fused, ran, reference = fused_and_reference(model, x)
    assert ran
    assert_same(fused, reference)
    layers = [model[i] for i in range(len(model))]
    model.eval()
    with swiftnn.no_grad():
        one_by_one = x
        for layer in layers:
            one_by_one = layer(one_by_one)
    assert_same(fused, one_by_one.numpy())
