"""The golden MLP in Tests/fixtures/mlp_reference.json (shared with the Swift suite):
Linear(6, 5) -> ReLU -> Linear(5, 3) with CrossEntropyLoss(mean), loaded through
load_state_dict into a Python Module subclass."""
import json
from pathlib import Path

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
from conftest import assert_close

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mlp_reference.json"


def unpack(entry):
    return np.asarray(entry["data"], dtype=np.float64).reshape(entry["shape"])


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 5)
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


@pytest.fixture(scope="module")
def reference():
    with FIXTURE.open() as f:
        return json.load(f)


def test_mlp_matches_the_golden_values(reference):
    model = MLP()
    params = {name: unpack(entry) for name, entry in reference["params"].items()}
    assert sorted(params) == sorted(model.state_dict())
    result = model.load_state_dict(params)
    assert result.missing_keys == [] and result.unexpected_keys == []

    logits = model(unpack(reference["x"]))
    assert_close(logits.numpy(), unpack(reference["logits"]))
    loss = nn.CrossEntropyLoss()(logits, np.asarray(reference["targets"], dtype=np.int64))
    assert_close(loss.item(), reference["loss"])

    loss.backward()
    grads = dict(model.named_parameters())
    for name, entry in reference["grads"].items():
        assert_close(grads[name].grad.numpy(), unpack(entry))
