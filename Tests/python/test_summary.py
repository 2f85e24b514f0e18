"""swiftnn.summary: torchsummary's table, with the rows traced by the engine for zoo
models and through the engine layers inside a Python-defined model."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from swiftnn import models
from swiftnn.summary import trace

MB = 4 / 1024 ** 2


def table(capsys, model, input_size, **kwargs):
    """Prints the summary; returns (rows as (layer, shape text, params), footer lines, return value)."""
    result = swiftnn.summary(model, input_size, **kwargs)
    lines = capsys.readouterr().out.splitlines()
    rules = [i for i, line in enumerate(lines) if line == "=" * 64]
    assert len(rules) == 2 and lines[0] == lines[rules[1] + 4] == lines[-1] == "-" * 64
    assert lines[1].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    rows = []
    for line in lines[rules[0] + 1:rules[1]]:
        layer, rest = line.split(None, 1)
        shape, params = rest.rsplit(None, 1)
        rows.append((layer, shape.strip(), int(params.replace(",", ""))))
    footer = dict(line.split(": ") for line in lines[rules[1] + 1:] if ": " in line)
    return rows, footer, result


def test_normal_cnn_table(capsys):
    model = models.normal_CNN()
    rows, footer, result = table(capsys, model, (3, 32, 32))
    # 10 convolutions with BN and ReLU, 4 pools, the classifier.
    assert len(rows) == 35
    assert rows[0] == ("Conv2d-1", "[-1, 16, 32, 32]", 448)
    assert rows[1] == ("BatchNorm2d-2", "[-1, 16, 32, 32]", 32)
    assert rows[6] == ("MaxPool2d-7", "[-1, 16, 16, 16]", 0)
    assert rows[27] == ("MaxPool2d-28", "[-1, 128, 2, 2]", 0)
    assert rows[31] == ("Conv2d-32", "[-1, 256, 2, 2]", 590_080)
    assert rows[-1] == ("Linear-35", "[-1, 10]", 2_570)
    assert sum(r[2] for r in rows) == 1_183_322
    assert footer["Total params"] == footer["Trainable params"] == "1,183,322"
    assert footer["Non-trainable params"] == "0"
    assert result == (1_183_322, 1_183_322)
    # torchsummary's estimate: the input, every row's output twice, the parameters (float32, in MB).
    outputs = (6 * 16 * 32 * 32 + 16 * 16 * 16 + 6 * 32 * 16 * 16 + 32 * 8 * 8 + 6 * 64 * 8 * 8 + 64 * 4 * 4
               + 6 * 128 * 4 * 4 + 128 * 2 * 2 + 6 * 256 * 2 * 2 + 10)
    sizes = (3 * 32 * 32 * MB, 2 * outputs * MB, 1_183_322 * MB)
    assert footer["Input size (MB)"] == f"{sizes[0]:.2f}"
    assert footer["Forward/backward pass size (MB)"] == f"{sizes[1]:.2f}" == "1.51"
    assert footer["Params size (MB)"] == f"{sizes[2]:.2f}" == "4.51"
    assert footer["Estimated Total Size (MB)"] == f"{sum(sizes):.2f}"


def test_mlpnet_table_and_batch_size(capsys):
    rows, footer, _ = table(capsys, models.MLPnet(), (3, 32, 32))
    assert rows == [("Linear-1", "[-1, 128]", 393_344), ("Linear-2", "[-1, 64]", 8_256), ("Dropout-3", "[-1, 64]", 0),
                    ("Linear-4", "[-1, 10]", 650)]
    assert footer["Total params"] == "402,250"
    rows, footer, _ = table(capsys, models.MLPnet(), (3, 32, 32), batch_size=64)
    assert rows[0][1] == "[64, 128]"
    assert footer["Input size (MB)"] == f"{64 * 3 * 32 * 32 * MB:.2f}"
    assert footer["Forward/backward pass size (MB)"] == f"{2 * 64 * (128 + 64 + 64 + 10) * MB:.2f}"


def test_engine_trace_names_rows_by_their_paths():
    rows = trace(models.SE_Resnet(), (3, 32, 32))
    by_name = {row.name: row for row in rows}
    assert rows[0] == ("conv1", "Conv2d", (2, 64, 32, 32), 1_728)
    assert by_name["layer1.0.shortcut.0"] == ("layer1.0.shortcut.0", "Conv2d", (2, 256, 32, 32), 64 * 256)
    assert by_name["layer2.0.se.fc.3"].type == "Sigmoid" and by_name["layer2.0.se.fc.3"].output_shape == (2, 512)
    assert by_name["layer4.2.bn3"].output_shape == (2, 2048, 4, 4)
    assert rows[-1] == ("fc", "Linear", (2, 10), 20_490)
    assert "layer1.1.shortcut" not in by_name  # identity shortcuts (empty Sequentials) are containers, not rows
    assert sum(row.params for row in rows) == 26_035_786


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.backbone = models.normal_CNN(input_size=(8, 8, 8), kernal_list=[4, "p", 6], num_classes=5)
        self.head = nn.Linear(5, 3)

    def forward(self, x):
        return self.head(F.relu(self.backbone(self.features(x))))


def test_python_defined_model(capsys):
    model = SmallNet()
    rows, footer, result = table(capsys, model, (3, 16, 16))
    assert [r[0] for r in rows] == [
        "Conv2d-1", "BatchNorm2d-2", "ReLU-3", "MaxPool2d-4",  # features
        "Conv2d-5", "BatchNorm2d-6", "ReLU-7", "MaxPool2d-8", "Conv2d-9", "BatchNorm2d-10", "ReLU-11", "Linear-12",
        "Linear-13"]
    assert rows[3][1] == "[-1, 8, 8, 8]" and rows[8][1] == "[-1, 6, 4, 4]" and rows[12] == ("Linear-13", "[-1, 3]", 18)
    total = sum(p.numel() for p in model.parameters())
    assert sum(r[2] for r in rows) == total and result == (total, total)
    names = [row.name for row in trace(model, (3, 16, 16))]
    assert names[:5] == ["features.0", "features.1", "features.2", "features.3", "backbone.features.0"]
    assert names[-2:] == ["backbone.classifier", "head"]
    # The traced forwards are gone afterwards: the layers run as before.
    assert "forward" not in model.features[0].__dict__
    assert model(np.zeros((2, 3, 16, 16), np.float32)).shape == (2, 3)


def test_frozen_parameters_are_non_trainable(capsys):
    model = SmallNet()
    model.features.requires_grad_(False)
    _, footer, result = table(capsys, model, (3, 16, 16))
    frozen = 3 * 8 * 9 + 8 + 8 + 8
    total = sum(p.numel() for p in model.parameters())
    assert footer["Non-trainable params"] == f"{frozen:,}"
    assert result == (total, total - frozen)


def test_summary_leaves_mode_and_running_statistics_alone(capsys):
    model = models.normal_CNN(kernal_list=[4, "p", 4])
    before = model.state_dict()
    swiftnn.summary(model, (3, 8, 8))
    assert model.training
    after = model.state_dict()
    assert all(np.array_equal(after[k], before[k]) for k in before)
    model.eval()
    swiftnn.summary(model, (3, 8, 8))
    assert not model.training
    capsys.readouterr()


def test_summary_string_and_errors(capsys):
    text, info = swiftnn.summary_string(models.MLPnet(), (3, 32, 32))
    assert text.splitlines()[3].split() == ["Linear-1", "[-1,", "128]", "393,344"] and info == (402_250, 402_250)
    swiftnn._device._reset_warning()
    with pytest.warns(UserWarning, match="CPU"):
        swiftnn.summary(models.MLPnet(), (3, 32, 32), device="cuda")
    with pytest.raises(ValueError, match="positive"):
        swiftnn.summary(models.MLPnet(), (3, 0, 32))
    with pytest.raises(TypeError):
        swiftnn.summary(models.MLPnet(), 3072)
    with pytest.raises(ValueError):
        swiftnn.summary(models.MLPnet(), (3, 16, 16))  # the wrong input size fails in the engine
    capsys.readouterr()
