"""swiftnn.models: the reference parameter counts, state-dict keys, a forward and backward
pass of every model at its native input size, the constructor signatures and aliases,
configuration errors, load_state_dict's error report and train/eval behaviour."""
import warnings

import numpy as np
import pytest

import swiftnn
from swiftnn import models

RESIDUAL_KERNELS = [32, 32, 64, 64, 64, 64, 128, 128, 128]


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


# ---- parameter counts (shared/reference/README.md) ----

@pytest.mark.parametrize("make, expected", [
    pytest.param(models.MLPnet, 402_250, id="MLPnet"),
    pytest.param(models.normal_CNN, 1_183_322, id="normal_CNN"),
    pytest.param(lambda: models.normal_CNN(input_size=(3, 32, 32), kernal_list=[16, 16, "p", 32, 32, "p", 64, 64, "p",
                                                                              128, 128, "p", 256, 256],
                                           num_classes=10, activation_func="relu", batch_normalization_use=True),
                 1_183_322, id="normal_CNN-explicit"),
    pytest.param(models.AlexNet, 62_378_344, id="AlexNet"),
    pytest.param(lambda: models.VGG16(cifar=True), 15_245_130, id="VGG16-cifar"),
    pytest.param(lambda: models.VGG11(cifar=True), 9_750_922, id="VGG11-cifar"),
    pytest.param(models.Resnet, 23_520_842, id="Resnet"),
    pytest.param(models.SE_Resnet, 26_035_786, id="SE_Resnet"),
    pytest.param(models.Densenet, 1_020_550, id="Densenet-121"),
    pytest.param(lambda: models.Densenet(layers=100), 769_162, id="Densenet-100"),
    pytest.param(models.GoogLeNet, 6_624_904, id="GoogLeNet"),
    # The CIFAR ResNet-18/34 of the same family (3x3 stem, projection shortcuts).
    pytest.param(models.ResNet18, 11_173_962, id="ResNet18"),
    pytest.param(models.ResNet34, 21_282_122, id="ResNet34"),
])
def test_reference_parameter_counts(make, expected):
    model = make()
    assert parameter_count(model) == expected
    assert all(p.requires_grad for p in model.parameters())


def test_vgg16_imagenet_count_keys_and_training_step():
    """The largest model: 138,357,544 parameters, the ImageNet head's keys, and one forward and
    backward pass at 224x224 (one model for all three: building it takes seconds)."""
    model = models.VGG16()
    assert parameter_count(model) == 138_357_544
    state = model.state_dict()
    conv_weights = [k for k in state if k.startswith("features") and k.endswith("weight")]
    assert conv_weights[0] == "features.0.weight" and conv_weights[-1] == "features.28.weight" and len(conv_weights) == 13
    assert [k for k in state if k.startswith("classifier") and k.endswith("weight")] == [
        "classifier.0.weight", "classifier.3.weight", "classifier.6.weight"]
    assert state["classifier.0.weight"].shape == (4096, 512 * 7 * 7)
    forward_backward(model, (3, 224, 224), 1000)


# ---- state-dict keys ----

def test_mlpnet_keys():
    assert list(models.MLPnet().state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"]


def test_normal_mlp_and_cnn_keys():
    mlp = models.normal_MLP().state_dict()
    assert [k for k in mlp if k.endswith("weight")] == ["layers.0.weight", "layers.2.weight", "layers.4.weight", "layers.6.weight"]
    assert mlp["layers.6.weight"].shape == (128, 128)
    mlp_bn = models.normal_MLP(neural_list=[8, 4], batch_normalization_use=True).state_dict()
    assert list(mlp_bn) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.running_mean",
                            "layers.1.running_var", "layers.1.num_batches_tracked", "layers.3.weight", "layers.3.bias"]
    cnn = list(models.normal_CNN().state_dict())
    assert cnn[:7] == ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                       "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"]
    assert cnn[-2:] == ["classifier.weight", "classifier.bias"]
    assert "features.7.weight" in cnn  # conv, bn, relu, conv, bn, relu, pool, conv: the pool holds index 6


def test_residual_cnn_and_mixer_keys():
    small = models.residual_CNN(kernal_list=RESIDUAL_KERNELS).state_dict()
    assert "layers.2.shortcut.0.weight" in small and "layers.2.shortcut.1.running_var" in small
    assert "layers.1.shortcut.0.weight" not in small  # same width: identity shortcut
    assert small["layers.2.conv1.weight"].shape == (64, 32, 3, 3) and small["fc.weight"].shape == (10, 128)
    big = models.residual_CNN(kernal_list=RESIDUAL_KERNELS, Residual_Block_size="big").state_dict()
    assert big["layers.0.conv3.weight"].shape == (32, 8, 1, 1)
    mixer = models.MLP_Mixer().state_dict()
    assert mixer["patch_embedding.weight"].shape == (128, 3, 4, 4)
    assert mixer["mixer_layers.5.token_mixing.0.weight"].shape == (64, 64)  # 64 patches -> C/2
    assert mixer["mixer_layers.5.channel_mixing.0.weight"].shape == (512, 128)  # C -> 4C
    assert {"mixer_layers.0.norm1.weight", "mixer_layers.0.norm2.bias", "norm.weight", "classifier.bias"} <= set(mixer)


def test_alexnet_and_vgg_keys():
    alex = models.AlexNet().state_dict()
    assert [k for k in alex if k.endswith("weight")] == [
        "net.0.weight", "net.4.weight", "net.8.weight", "net.10.weight", "net.12.weight",
        "classifier.1.weight", "classifier.4.weight", "classifier.6.weight"]
    assert alex["classifier.1.weight"].shape == (4096, 256 * 6 * 6)
    # The paper's biases: 1 for conv 2, 4 and 5, 0 for conv 1 and 3.
    assert np.all(alex["net.4.bias"] == 1) and np.all(alex["net.10.bias"] == 1) and np.all(alex["net.0.bias"] == 0)
    vgg = models.VGG11(cifar=True, batch_norm=True).state_dict()
    assert list(vgg)[:7] == ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                             "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked"]
    assert [k for k in vgg if k.startswith("classifier") and k.endswith("weight")] == [
        "classifier.1.weight", "classifier.4.weight", "classifier.6.weight"]


def test_resnet_keys():
    state = models.SE_Resnet().state_dict()
    for key in ["conv1.weight", "bn1.running_var", "layer1.0.conv3.weight", "layer1.0.shortcut.0.weight",
                "layer1.0.shortcut.1.num_batches_tracked", "layer4.2.bn3.bias", "fc.weight", "fc.bias"]:
        assert key in state
    assert "layer1.1.shortcut.0.weight" not in state
    assert state["layer1.0.se.fc.0.weight"].shape == (16, 256) and state["layer1.0.se.fc.2.weight"].shape == (256, 16)
    assert state["layer4.0.shortcut.0.weight"].shape == (2048, 1024, 1, 1) and state["fc.weight"].shape == (10, 2048)
    plain = models.Resnet().state_dict()
    assert set(plain) == {k for k in state if ".se." not in k}
    assert models.ResNet18().state_dict()["layer2.0.shortcut.0.weight"].shape == (128, 64, 1, 1)


def test_densenet_and_googlenet_keys():
    dense = models.Densenet().state_dict()  # 19 bottlenecks per block at layers=121
    for key in ["conv1.weight", "block1.layer.0.bn1.weight", "block1.layer.18.conv2.weight", "trans1.bn1.running_mean",
                "trans2.conv1.weight", "block3.layer.18.bn2.bias", "bn1.weight", "fc.bias"]:
        assert key in dense
    assert "block1.layer.19.bn1.weight" not in dense and "trans3.conv1.weight" not in dense
    # 24 + 19·12 = 252 -> 126; 126 + 228 = 354 -> 177; 177 + 228 = 405.
    assert dense["trans1.conv1.weight"].shape == (126, 252, 1, 1) and dense["fc.weight"].shape == (10, 405)
    google = models.GoogLeNet().state_dict()
    for key in ["conv1.conv.weight", "conv1.bn.running_var", "inception3a.branch1.conv.weight",
                "inception3a.branch2.1.bn.weight", "inception5b.branch4.1.conv.weight", "fc.weight"]:
        assert key in google
    assert google["conv1.conv.weight"].shape == (64, 3, 7, 7) and google["fc.weight"].shape == (1000, 1024)
    assert models.GoogLeNet(small_inputs=True).state_dict()["conv1.conv.weight"].shape == (64, 3, 3, 3)


# ---- forward and backward at the native input size, batch 2 ----

def forward_backward(model, input_size, classes):
    rng = np.random.default_rng(3)
    out = model(rng.standard_normal((2,) + input_size).astype(np.float32))
    assert tuple(out.shape) == (2, classes)
    # A random weighting, so even a softmax output (rows summing to 1) passes a gradient back.
    weights = swiftnn.tensor(rng.standard_normal((2, classes)).astype(np.float32))
    (out * weights).sum().backward()
    total = 0.0
    for name, param in model.named_parameters():
        assert param.grad is not None, f"{name} got no gradient"
        grad = param.grad.numpy()
        assert grad.shape == tuple(param.shape) and np.all(np.isfinite(grad)), name
        total += float(np.abs(grad).sum())
    assert total > 0


@pytest.mark.parametrize("make, input_size, classes", [
    pytest.param(models.MLPnet, (3, 32, 32), 10, id="MLPnet"),
    pytest.param(models.normal_MLP, (64,), 128, id="normal_MLP"),
    pytest.param(lambda: models.normal_MLP(input_size=48, neural_list=[32, 16, 5], mid_activation_func="leaky_relu",
                                           last_activateion_func="softmax", batch_normalization_use=True),
                 (3, 4, 4), 5, id="normal_MLP-bn-softmax"),
    pytest.param(models.normal_CNN, (3, 32, 32), 10, id="normal_CNN"),
    pytest.param(lambda: models.residual_CNN(kernal_list=RESIDUAL_KERNELS), (3, 32, 32), 10, id="residual_CNN-small"),
    pytest.param(lambda: models.residual_CNN(kernal_list=RESIDUAL_KERNELS, Residual_Block_size="big"), (3, 32, 32), 10,
                 id="residual_CNN-big"),
    pytest.param(models.MLP_Mixer, (3, 32, 32), 10, id="MLP_Mixer"),
    pytest.param(lambda: models.MLP_Mixer(input_size=(3, 32, 32), patch_size=2, C=32, N=2, classes_num=7), (3, 32, 32), 7,
                 id="MLP_Mixer-patch2"),
    pytest.param(models.AlexNet, (3, 227, 227), 1000, id="AlexNet"),
    *[pytest.param(lambda name=name, bn=bn: getattr(models, name)(cifar=True, batch_norm=bn), (3, 32, 32), 10,
                   id=f"{name}-cifar{'-bn' if bn else ''}")
      for name in ("VGG11", "VGG13", "VGG16", "VGG19") for bn in (False, True)],
    pytest.param(models.Resnet, (3, 32, 32), 10, id="Resnet"),
    pytest.param(models.ResNet18, (3, 32, 32), 10, id="ResNet18"),
    pytest.param(models.ResNet34, (3, 32, 32), 10, id="ResNet34"),
    pytest.param(models.SE_Resnet, (3, 32, 32), 10, id="SE_Resnet"),
    pytest.param(models.Densenet, (3, 32, 32), 10, id="Densenet"),
    pytest.param(lambda: models.Densenet(layers=16, growth_rate=4, drop_rate=0.0, num_classes=3), (3, 32, 32), 3,
                 id="Densenet-small-nodropout"),
    pytest.param(models.GoogLeNet, (3, 224, 224), 1000, id="GoogLeNet"),
    pytest.param(lambda: models.GoogLeNet(num_classes=10, small_inputs=True), (3, 32, 32), 10, id="GoogLeNet-small_inputs"),
])
def test_forward_backward_at_native_size(make, input_size, classes):
    forward_backward(make(), input_size, classes)


# ---- names, signatures and aliases ----

def test_snake_case_aliases_are_the_classes():
    pairs = {"mlpnet": "MLPnet", "normal_mlp": "normal_MLP", "normal_cnn": "normal_CNN", "residual_cnn": "residual_CNN",
             "mlp_mixer": "MLP_Mixer", "alexnet": "AlexNet", "vgg11": "VGG11", "vgg13": "VGG13", "vgg16": "VGG16",
             "vgg19": "VGG19", "resnet50": "Resnet", "resnet18": "ResNet18", "resnet34": "ResNet34",
             "se_resnet50": "SE_Resnet", "densenet": "Densenet", "googlenet": "GoogLeNet"}
    for alias, name in pairs.items():
        assert getattr(models, alias) is getattr(models, name), alias
    assert sorted(models.available_models()) == sorted(pairs.values())
    assert parameter_count(models.mlpnet()) == 402_250
    assert isinstance(models.se_resnet50(), swiftnn.nn.Module)


def test_correctly_spelt_aliases_build_the_same_model():
    def keys_and_shapes(model):
        return [(k, v.shape) for k, v in model.state_dict().items()]

    assert keys_and_shapes(models.normal_CNN(kernel_list=[8, "p", 16])) == \
        keys_and_shapes(models.normal_CNN(kernal_list=[8, "p", 16]))
    assert keys_and_shapes(models.residual_CNN(kernel_list=[8, 16], residual_block_size="big")) == \
        keys_and_shapes(models.residual_CNN(kernal_list=[8, 16], Residual_Block_size="big"))
    x = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    for model in (models.normal_MLP(last_activation_func="softmax"), models.normal_MLP(last_activateion_func="softmax")):
        assert np.allclose(model(x).numpy().sum(axis=1), 1, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda: models.normal_CNN(kernal_list=[8], kernel_list=[8]),
    lambda: models.residual_CNN(kernal_list=[8], kernel_list=[8]),
    lambda: models.residual_CNN(Residual_Block_size="big", residual_block_size="big"),
    lambda: models.normal_MLP(last_activateion_func="softmax", last_activation_func="softmax"),
], ids=["kernel_list", "residual-kernel_list", "residual_block_size", "last_activation_func"])
def test_both_spellings_is_a_type_error(call):
    with pytest.raises(TypeError, match="alias"):
        call()


def test_reference_signatures_take_positional_arguments():
    # As in the reference usage: normal_CNN(input_size, kernal_list, num_classes, activation_func, batch_normalization_use, device).
    model = models.normal_CNN((1, 28, 28), [8, "p", 8], 4, "leaky_relu", False, "cpu")
    assert model(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 4)
    assert "features.1.weight" not in model.state_dict()  # no batch norm: features.1 is the activation
    mixer = models.MLP_Mixer((3, 16, 16), 4, 8, 1, 3)
    assert mixer(np.zeros((2, 3, 16, 16), np.float32)).shape == (2, 3)
    assert parameter_count(models.Densenet(100, 10, 12, 0.5, 0.0)) == 769_162


@pytest.mark.parametrize("call, error, text", [
    (lambda: models.normal_CNN(kernal_list=[16, "q"]), ValueError, "'p'"),
    (lambda: models.normal_CNN(activation_func="swoosh"), ValueError, "activation"),
    (lambda: models.normal_CNN(num_classes=0), ValueError, "positive"),
    (lambda: models.normal_MLP(neural_list=[]), ValueError, "neural_list"),
    (lambda: models.normal_MLP(neural_list=[8, -1]), ValueError, "positive"),
    (lambda: models.residual_CNN(Residual_Block_size="huge"), ValueError, "Residual_Block_size"),
    (lambda: models.residual_CNN(kernal_list=[]), ValueError, "empty"),
    (lambda: models.MLP_Mixer(patch_size=5), ValueError, "divisible"),
    (lambda: models.MLP_Mixer(input_size=(32, 32)), ValueError, "input_size"),
    (lambda: models.Densenet(layers=5), ValueError, "layers"),
    # Sizes that would exhaust the machine or overflow while building: errors, found by fuzzing.
    (lambda: models.Densenet(layers=2**32), ValueError, "between 10 and 1000"),
    (lambda: models.Densenet(growth_rate=2**40), ValueError, "growth_rate"),
    (lambda: models.MLP_Mixer(N=2**32), ValueError, "N must be between"),
    (lambda: models.MLP_Mixer(C=2**40), ValueError, "C must be between"),
    (lambda: models.MLP_Mixer(input_size=(3, 2**40, 2**40), patch_size=1), ValueError, "input_size"),
    (lambda: models.Densenet(compression_factor=1.5), ValueError, "compression"),
    (lambda: models.SE_Resnet(reduction=0), ValueError, "reduction"),
    (lambda: models.GoogLeNet(aux_logits=True), ValueError, "aux_logits"),
    (lambda: models.AlexNet(num_classes=2.5), ValueError, "integer"),
    (lambda: models.VGG16(cifar="yes"), ValueError, "true or false"),
    (lambda: models.normal_CNN(kernal_list=[object()]), TypeError, "arguments"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_bad_configurations_raise(call, error, text):
    with pytest.raises(error, match=text):
        call()


def test_cuda_device_warns_once_and_cpu_does_not():
    from swiftnn import _device
    _device._reset_warning()
    with pytest.warns(UserWarning, match="CPU"):
        models.normal_CNN(kernal_list=[4], device="cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process
        models.normal_CNN(kernal_list=[4], device="cuda")
    _device._reset_warning()
    with pytest.warns(UserWarning, match="cuda:0"):
        models.MLP_Mixer(C=8, N=1, device="cuda:0")
    _device._reset_warning()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        models.residual_CNN(kernal_list=[4], device="cpu")


# ---- load_state_dict ----

def test_load_state_dict_reports_missing_unexpected_and_mismatched_together():
    model = models.MLPnet()
    before = model.state_dict()
    state = {k: v * 2 for k, v in before.items()}
    del state["fc3.bias"]
    state["fc4.weight"] = np.zeros((2, 2), np.float32)
    state["fc2.weight"] = np.zeros((3, 3), np.float32)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "Missing key(s)" in message and '"fc3.bias"' in message
    assert "Unexpected key(s)" in message and '"fc4.weight"' in message
    assert "size mismatch for fc2.weight" in message and "[3, 3]" in message and "[64, 128]" in message
    after = model.state_dict()
    assert all(np.array_equal(after[k], before[k]) for k in before), "a failed load must change nothing"
    # strict=False ignores missing and unexpected keys but not shape mismatches.
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(state, strict=False)


def test_load_state_dict_accepts_numpy_arrays_of_any_float_dtype():
    model = models.normal_CNN(kernal_list=[4, "p", 4])
    rng = np.random.default_rng(1)
    state = {k: rng.standard_normal(v.shape).astype(np.float64) for k, v in model.state_dict().items()}
    state["features.1.num_batches_tracked"] = np.array(5)
    state["features.5.num_batches_tracked"] = np.array(7)
    result = model.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    loaded = model.state_dict()
    for key, value in state.items():
        np.testing.assert_array_equal(loaded[key], value.astype(np.float32))
    # As in PyTorch, the counters come back as int64, inside a zoo model as in a lone BatchNorm2d.
    assert loaded["features.5.num_batches_tracked"].dtype == np.int64
    partial = {"classifier.bias": np.ones(10, np.float32), "unknown": np.zeros(1, np.float32)}
    result = models.normal_CNN(kernal_list=[4, "p", 4]).load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["unknown"] and "classifier.weight" in result.missing_keys


def test_zoo_model_inside_a_python_module():
    """The zoo model's keys nest under its attribute name, in PyTorch's order, and load back."""
    class Wrapper(swiftnn.nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone = models.normal_MLP(input_size=6, neural_list=[4, 3], batch_normalization_use=True)
            self.head = swiftnn.nn.Linear(3, 2)

        def forward(self, x):
            return self.head(self.backbone(x))

    model = Wrapper()
    state = model.state_dict()
    assert list(state) == [
        "backbone.layers.0.weight", "backbone.layers.0.bias", "backbone.layers.1.weight", "backbone.layers.1.bias",
        "backbone.layers.1.running_mean", "backbone.layers.1.running_var", "backbone.layers.1.num_batches_tracked",
        "backbone.layers.3.weight", "backbone.layers.3.bias", "head.weight", "head.bias"]
    other = Wrapper()
    other.load_state_dict(state)
    x = np.random.default_rng(4).standard_normal((2, 6)).astype(np.float32)
    model.eval(), other.eval()
    np.testing.assert_array_equal(model(x).numpy(), other(x).numpy())
    forward_backward(model.train(), (6,), 2)


# ---- train / eval ----

def test_dropout_is_active_only_in_training_mode():
    model = models.MLPnet()
    x = np.random.default_rng(2).standard_normal((4, 3, 32, 32)).astype(np.float32)
    assert model.training
    first, second = model(x).numpy(), model(x).numpy()
    assert not np.allclose(first, second)
    model.eval()
    assert not model.training
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())
    model.train()
    assert not np.allclose(model(x).numpy(), model(x).numpy())


def test_batch_norm_uses_batch_statistics_in_training_and_running_ones_in_eval():
    model = models.normal_CNN(kernal_list=[4, "p", 4])
    x = np.random.default_rng(3).standard_normal((4, 3, 8, 8)).astype(np.float32)
    running = model.state_dict()["features.1.running_mean"]
    full = model(x).numpy()
    # Training mode: each sample's output depends on the rest of the batch, and running stats move.
    assert not np.allclose(model(x[:2]).numpy(), full[:2], atol=1e-5)
    moved = model.state_dict()
    assert not np.allclose(moved["features.1.running_mean"], running)
    assert moved["features.1.num_batches_tracked"] == 2
    model.eval()
    full = model(x).numpy()
    np.testing.assert_allclose(model(x[:2]).numpy(), full[:2], rtol=1e-5, atol=1e-6)
    frozen = model.state_dict()
    assert np.array_equal(frozen["features.1.running_mean"], moved["features.1.running_mean"])
    assert frozen["features.1.num_batches_tracked"] == 2
