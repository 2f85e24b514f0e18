"""swiftnn.onnx.export: every zoo model and Python-composed Modules, checked by
onnx.checker and strict shape inference, run in onnxruntime against the engine's
eval-mode logits (to 1e-4), with a dynamic batch axis.

Sizes (to keep the suite fast): batch 2 (and 3 for the dynamic axis), CIFAR-sized
3x32x32 inputs and 10 classes for every image model except AlexNet (3x227x227, its
fixed classifier input), VGG/GoogLeNet in their CIFAR variants, DenseNet with 40 layers,
MLP-Mixer with 2 blocks. BatchNorm statistics and affine parameters are randomised so
that the normalisation is not the identity."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
import swiftnn.onnx
from swiftnn import models

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

CIFAR = (3, 32, 32)
ZOO = {
    "MLPnet": (lambda: models.MLPnet(), CIFAR),
    "normal_MLP": (lambda: models.normal_MLP(input_size=64, batch_normalization_use=True), (64,)),
    "normal_CNN": (lambda: models.normal_CNN(), CIFAR),
    "residual_CNN": (lambda: models.residual_CNN(), CIFAR),
    "MLP_Mixer": (lambda: models.MLP_Mixer(input_size=CIFAR, N=2), CIFAR),
    "AlexNet": (lambda: models.AlexNet(num_classes=10), (3, 227, 227)),
    "Resnet": (lambda: models.Resnet(), CIFAR),
    "ResNet18": (lambda: models.ResNet18(), CIFAR),
    "ResNet34": (lambda: models.ResNet34(), CIFAR),
    "SE_Resnet": (lambda: models.SE_Resnet(), CIFAR),
    "Densenet": (lambda: models.Densenet(layers=40), CIFAR),
    "GoogLeNet": (lambda: models.GoogLeNet(num_classes=10, small_inputs=True), CIFAR),
}
for depth in (11, 13, 16, 19):
    for bn in (False, True):
        ZOO[f"VGG{depth}{'_bn' if bn else ''}"] = (
            lambda depth=depth, bn=bn: getattr(models, f"VGG{depth}")(cifar=True, batch_norm=bn), CIFAR)

DYNAMIC = {"input": {0: "batch"}, "output": {0: "batch"}}


def _randomise_batch_norm(model, rng):
    state = model.state_dict()
    for key, value in state.items():
        if key.endswith("running_mean") or key.endswith("bias") and key[:-4] + "running_mean" in state:
            state[key] = rng.normal(0, 0.1, value.shape).astype(np.float32)
        elif key.endswith("running_var") or key.endswith("weight") and key[:-6] + "running_var" in state:
            state[key] = rng.uniform(0.5, 1.5, value.shape).astype(np.float32)
    model.load_state_dict(state)


def _engine_eval(model, x):
    model.eval()
    with swiftnn.no_grad():
        return model(swiftnn.tensor(x)).numpy()


def _assert_matches(got, expected):
    scale = np.abs(expected).max()
    assert scale > 0 and np.isfinite(scale)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert np.abs(got - expected).max() <= 1e-4 * scale   # also relative to the logits' size


def _export_and_run(model, input_shape, tmp_path, rng, **kwargs):
    x = rng.standard_normal((2, *input_shape)).astype(np.float32)
    path = tmp_path / "model.onnx"
    model.train()
    swiftnn.onnx.export(model, x, path, dynamic_axes=DYNAMIC, **kwargs)
    assert model.training   # export runs in eval mode and restores the mode
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    output_dims = inferred.graph.output[0].type.tensor_type.shape.dim
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    expected = _engine_eval(model, x)
    assert [d.dim_param or d.dim_value for d in output_dims] == ["batch", *expected.shape[1:]]
    _assert_matches(session.run(None, {"input": x})[0], expected)
    x3 = rng.standard_normal((3, *input_shape)).astype(np.float32)
    _assert_matches(session.run(None, {"input": x3})[0], _engine_eval(model, x3))
    return proto


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_model_matches_onnxruntime(name, tmp_path, rng):
    make, input_shape = ZOO[name]
    model = make()
    _randomise_batch_norm(model, rng)
    proto = _export_and_run(model, input_shape, tmp_path, rng)
    initializers = {i.name for i in proto.graph.initializer}
    assert {k for k in model.state_dict() if not k.endswith("num_batches_tracked")} <= initializers


class _Mixed(nn.Module):
    """Python forward over library layers: residual add, scalar constant, cat, permute, LayerNorm, mean."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        y = self.conv(x)
        y = F.relu(self.bn(y)) + y
        z = swiftnn.cat([y, y * 0.5], dim=1)           # [N, 8, H, W]
        z = self.norm(z.permute(0, 2, 3, 1))             # [N, H, W, 8]
        return F.log_softmax(self.head(z.mean(dim=(1, 2))), dim=1)


def test_python_composed_modules(tmp_path, rng):
    sequential = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(0.2),
        nn.Conv2d(8, 8, 3, padding="same", groups=2, bias=False), nn.SiLU(), nn.LocalResponseNorm(3),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), nn.AvgPool2d(2, padding=1, count_include_pad=False),
        nn.Dropout(0.3), nn.AdaptiveAvgPool2d((2, 2)), nn.Flatten(), nn.Linear(32, 16), nn.GELU(),
        nn.Linear(16, 12), nn.GELU(approximate="tanh"), nn.Sigmoid(), nn.Linear(12, 4), nn.Tanh(), nn.Softmax(dim=1))
    _randomise_batch_norm(sequential, rng)
    _export_and_run(sequential, (3, 20, 21), tmp_path, rng)
    mixed = _Mixed()
    _randomise_batch_norm(mixed, rng)
    _export_and_run(mixed, (3, 6, 7), tmp_path, rng)


def test_gelu_op_from_opset_20(tmp_path, rng):
    model = nn.Sequential(nn.Linear(6, 6), nn.GELU(), nn.Linear(6, 3), nn.GELU(approximate="tanh"))
    proto = _export_and_run(model, (6,), tmp_path, rng, opset_version=20)
    assert "Gelu" in {n.op_type for n in proto.graph.node}


class _Amax(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x).amax(dim=1)


def test_unsupported_op_is_named(tmp_path):
    with pytest.raises(swiftnn.onnx.UnsupportedOperatorError, match="'Amax'"):
        swiftnn.onnx.export(_Amax(), np.ones((2, 4), np.float32), tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()
    with pytest.raises(swiftnn.onnx.UnsupportedOperatorError, match="local_response_norm.*even"):
        swiftnn.onnx.export(nn.Sequential(nn.Conv2d(4, 4, 1), nn.LocalResponseNorm(2)),
                            np.ones((1, 4, 3, 3), np.float32), tmp_path / "x.onnx")


def test_bad_arguments(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(ValueError, match="opset_version"):
        swiftnn.onnx.export(model, np.ones((1, 3), np.float32), tmp_path / "x.onnx", opset_version=11)
    with pytest.raises(ValueError, match="does not depend"):
        swiftnn.onnx.export(nn.Sequential(nn.Identity()), np.ones((1, 3), np.float32), tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="one input"):
        swiftnn.onnx.export(model, (np.ones((1, 3)), np.ones((1, 3))), tmp_path / "x.onnx")
    # The trace is stopped and dropped even when the forward fails.
    with pytest.raises(ValueError):
        swiftnn.onnx.export(model, np.ones((1, 4), np.float32), tmp_path / "x.onnx")
    swiftnn.onnx.export(model, np.ones((1, 3), np.float32), tmp_path / "ok.onnx")
    assert (tmp_path / "ok.onnx").is_file()


def test_command_line_exports_a_zoo_model_with_weights(tmp_path, rng):
    import subprocess
    import sys
    model = models.normal_CNN(kernal_list=[8, "p", 16], num_classes=4)
    _randomise_batch_norm(model, rng)
    swiftnn.save(model.state_dict(), tmp_path / "w.pth")
    done = subprocess.run([sys.executable, "-m", "swiftnn.onnx", "--model", "normal_CNN", "--config",
                           '{"kernal_list": [8, "p", 16], "num_classes": 4}', "--weights", str(tmp_path / "w.pth"),
                           "--onnx", str(tmp_path / "cnn.onnx")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    x = rng.standard_normal((3, 3, 32, 32)).astype(np.float32)
    session = ort.InferenceSession(str(tmp_path / "cnn.onnx"), providers=["CPUExecutionProvider"])
    _assert_matches(session.run(None, {"input": x})[0], _engine_eval(model, x))
