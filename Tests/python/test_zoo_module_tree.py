"""Zoo models are module trees over the engine's own layers: attribute access, indexing,
traversal and isinstance as in PyTorch, and re-initialising a layer found this way
changes the model's forward and state dict."""
import math

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from swiftnn import models
from swiftnn.nn.engine_tree import EngineBlock


def small_input(channels=3, size=8, batch=2, seed=0):
    return swiftnn.tensor(np.random.default_rng(seed).standard_normal((batch, channels, size, size)).astype(np.float32))


def forward_eval(model, x):
    model.eval()
    with swiftnn.no_grad():
        return model(x).numpy()


def test_named_modules_follow_the_state_dict_keys():
    model = models.normal_CNN(kernal_list=[4, "p", 8])
    names = [name for name, _ in model.named_modules()]
    assert names == ["", "features", "features.0", "features.1", "features.2", "features.3", "features.4",
                     "features.5", "features.6", "classifier"]
    # Every state-dict key is a module path plus the tensor's own name.
    modules = dict(model.named_modules())
    for key in model.state_dict():
        owner, _, leaf = key.rpartition(".")
        assert owner in modules, key
        assert leaf in modules[owner]._parameters or leaf in modules[owner]._buffers, key


def test_children_are_instances_of_the_torch_nn_classes():
    model = models.normal_CNN(kernal_list=[4, "p", 8])
    assert [type(m) for m in model.features] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, nn.Conv2d,
                                                 nn.BatchNorm2d, nn.ReLU]
    assert isinstance(model.features, nn.Sequential)
    assert isinstance(model.classifier, nn.Linear)
    assert [name for name, _ in model.named_children()] == ["features", "classifier"]
    assert list(model.children()) == [model.features, model.classifier]
    assert len(model.features) == 7
    assert model.features[-1] is model.features[6]
    assert model.features[0].out_channels == 4 and model.features[0].kernel_size == (3, 3)
    assert model.classifier.in_features == 8


@pytest.mark.parametrize("factory, paths", [
    (models.MLPnet, {"fc1": nn.Linear, "fc2": nn.Linear, "dropout": nn.Dropout, "fc3": nn.Linear}),
    (lambda: models.VGG11(cifar=True), {"features.0": nn.Conv2d, "features.1": nn.ReLU, "features.2": nn.MaxPool2d,
                                        "classifier.0": nn.Dropout, "classifier.6": nn.Linear}),
    (lambda: models.AlexNet(num_classes=10), {"net.0": nn.Conv2d, "net.2": nn.LocalResponseNorm,
                                              "classifier.1": nn.Linear}),
    (models.Resnet, {"conv1": nn.Conv2d, "bn1": nn.BatchNorm2d, "layer1.0.conv3": nn.Conv2d,
                     "layer1.0.shortcut.0": nn.Conv2d, "layer1.1.shortcut": nn.Sequential,
                     "avgpool": nn.AdaptiveAvgPool2d, "fc": nn.Linear}),
    (models.SE_Resnet, {"layer2.0.se.fc.0": nn.Linear, "layer2.0.se.fc.3": nn.Sigmoid,
                        "layer2.0.se.avg_pool": nn.AdaptiveAvgPool2d}),
    (lambda: models.Densenet(layers=40), {"block1.layer.0.bn1": nn.BatchNorm2d, "block1.layer.0.conv2": nn.Conv2d,
                                          "trans1.avg_pooling": nn.AvgPool2d, "fc": nn.Linear}),
    (lambda: models.MLP_Mixer(patch_size=8, C=16, N=2), {"patch_embedding": nn.Conv2d,
                                                         "mixer_layers.1.norm2": nn.LayerNorm,
                                                         "mixer_layers.0.token_mixing.1": nn.GELU}),
    (lambda: models.GoogLeNet(num_classes=10), {"conv1.conv": nn.Conv2d, "inception3a.branch4.0": nn.MaxPool2d}),
])
def test_every_zoo_model_exposes_its_layers_under_the_reference_names(factory, paths):
    model = factory()
    modules = dict(model.named_modules())
    for path, cls in paths.items():
        assert isinstance(modules[path], cls), path
    # Attribute access and indexing reach the same objects as named_modules.
    for path in paths:
        node = model
        for part in path.split("."):
            node = node[int(part)] if part.isdigit() else getattr(node, part)
        assert node is modules[path]


def test_blocks_without_a_torch_nn_class_carry_the_reference_class_names():
    assert type(models.Resnet().layer1[0]).__name__ == "Bottleneck"
    assert type(models.SE_Resnet().layer1[0]).__name__ == "SE_Bottleneck"
    dense = models.Densenet(layers=40)
    assert [type(dense.block1).__name__, type(dense.block1.layer[0]).__name__, type(dense.trans1).__name__] == \
        ["DenseBlock", "BottleneckBlock", "TransitionBlock"]
    assert isinstance(dense.block1, EngineBlock) and isinstance(dense.block1, nn.Module)
    assert not isinstance(dense.block1, nn.Conv2d)


def test_child_parameters_are_the_models_own_tensors():
    model = models.ResNet18()
    root = dict(model.named_parameters())
    assert list(root) == [name for name, _ in model.state_dict().items() if name in root]
    assert model.layer1[0].conv1.weight is root["layer1.0.conv1.weight"]
    assert model.fc.bias is root["fc.bias"]
    assert model.bn1.running_mean is dict(model.named_buffers())["bn1.running_mean"]
    # No tensor is counted twice and nothing is missing.
    assert sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for m in model.modules() for p in m.parameters(recurse=False))


def test_layers_built_without_bias_report_none_as_in_pytorch():
    model = models.Resnet()
    assert model.conv1.bias is None
    assert model.fc.bias is not None
    assert [name for name, _ in model.conv1.named_parameters()] == ["weight"]


def test_init_loop_over_modules_changes_forward_and_state_dict():
    swiftnn.manual_seed(0)
    model = models.normal_CNN(kernal_list=[4, "p", 8])
    x = small_input()
    before_out, before_state = forward_eval(model, x), model.state_dict()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.constant_(m.bias, 0)
    after_out, after_state = forward_eval(model, x), model.state_dict()
    assert not np.allclose(before_out, after_out)
    assert np.all(after_state["features.0.bias"] == 0) and np.all(after_state["classifier.bias"] == 0)
    assert not np.array_equal(before_state["features.0.weight"], after_state["features.0.weight"])
    # kaiming_normal_(fan_out, relu): std = sqrt(2 / (out_channels * 3 * 3)).
    w = after_state["features.4.weight"]
    assert abs(w.std() - math.sqrt(2 / (8 * 9))) < 0.25 * math.sqrt(2 / (8 * 9))
    assert abs(after_state["classifier.weight"].std() - 0.01) < 0.005


def test_data_escape_hatch_reinitialises_a_densenet_as_the_case_study_does():
    model = models.Densenet(layers=40, drop_rate=0.0)
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, math.sqrt(2.0 / n))
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.bias.data.fill_(0.5)
    state = model.state_dict()
    assert np.all(state["fc.bias"] == 0.5)
    assert np.all(state["block2.layer.1.bn1.weight"] == 1)
    # The engine's forward sees the new bias: logits of a zeroed fc weight are the bias.
    model.fc.weight.data.zero_()
    np.testing.assert_array_equal(forward_eval(model, small_input(size=32, batch=1)), np.full((1, 10), 0.5, np.float32))


def test_a_child_changed_directly_changes_the_root_forward():
    model = models.MLPnet()
    x = swiftnn.tensor(np.ones((2, 3, 32, 32), np.float32))
    before = forward_eval(model, x)
    nn.init.xavier_uniform_(model.fc3.weight)
    with swiftnn.no_grad():
        model.fc3.bias.fill_(3.0)
    after = forward_eval(model, x)
    assert not np.allclose(before, after)
    # fc3 alone, applied to what reaches it, gives the root's output.
    hidden = model.dropout(model.fc2(model.fc1(x.flatten(1)).relu()).relu())
    np.testing.assert_allclose(model.fc3(hidden).detach().numpy(), after, rtol=1e-5, atol=1e-5)


def test_apply_visits_every_module_once_children_first():
    model = models.ResNet18()
    seen = []
    assert model.apply(seen.append) is model
    assert seen[-1] is model
    assert len(seen) == len(list(model.modules())) == len({id(m) for m in seen})
    zeroed = model.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
    assert np.all(zeroed.state_dict()["fc.bias"] == 0)


def test_children_and_root_agree_on_training_mode():
    model = models.Densenet(layers=40)
    model.eval()
    assert not any(m.training for m in model.modules())
    model.block1.train()
    assert model.block1.layer[0].bn1.training and not model.trans1.training
    # The engine follows: the sub-block's BN uses batch statistics, so its running stats move.
    bn = model.block1.layer[0].bn1
    before = bn.running_mean.numpy().copy()
    model(small_input(size=32))
    assert not np.array_equal(before, bn.running_mean.numpy())
    assert np.array_equal(model.bn1.running_mean.numpy(), np.zeros_like(model.bn1.running_mean.numpy()))


def test_sub_sequentials_run_as_their_engine_counterparts():
    model = models.normal_CNN(kernal_list=[4, "p", 8])
    model.eval()
    x = small_input()
    with swiftnn.no_grad():
        whole = model.features(x).numpy()
        stepwise = x
        for layer in model.features:
            stepwise = layer(stepwise)
        head = model.features[:3](x).numpy()
    np.testing.assert_allclose(stepwise.numpy(), whole, rtol=1e-5, atol=1e-6)
    assert type(model.features[:3]) is nn.Sequential and model.features[:3][0] is model.features[0]
    assert head.shape == (2, 4, 8, 8)


def test_replacing_an_engine_layer_raises_instead_of_being_ignored():
    model = models.normal_CNN(kernal_list=[4])
    with pytest.raises(RuntimeError, match="engine"):
        model.classifier = nn.Linear(4, 3)
    with pytest.raises(RuntimeError, match="engine"):
        model.features[0] = nn.Conv2d(3, 4, 3, padding=1)
    with pytest.raises(RuntimeError, match="engine"):
        del model.features[1]
    with pytest.raises(RuntimeError, match="engine"):
        model.features.append(nn.ReLU())
    with pytest.raises(RuntimeError, match="engine"):
        del model.classifier
    # Weights themselves can still be replaced, as on a lone layer.
    model.classifier.weight = nn.Parameter(swiftnn.zeros(10, 4))
    assert np.all(model.state_dict()["classifier.weight"] == 0)


def test_optimizer_steps_on_child_parameters_reach_the_root():
    model = models.MLPnet()
    optimizer = swiftnn.optim.SGD(model.fc3.parameters(), lr=0.5)
    x = swiftnn.tensor(np.random.default_rng(2).standard_normal((4, 3, 32, 32)).astype(np.float32))
    before = model.state_dict()
    loss = nn.CrossEntropyLoss()(model(x), np.array([0, 1, 2, 3]))
    loss.backward()
    optimizer.step()
    after = model.state_dict()
    assert not np.array_equal(before["fc3.weight"], after["fc3.weight"])
    assert np.array_equal(before["fc1.weight"], after["fc1.weight"])
