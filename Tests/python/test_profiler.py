"""swiftnn.profile(): engine op timings per layer type and autograd node."""
import numpy as np

import swiftnn
import swiftnn.nn as nn


def test_profile_records_forward_layers_and_backward_nodes():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 2))
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    with swiftnn.profile() as prof:
        model(x).sum().backward()
    by_key = {(e["name"], e["phase"]): e for e in prof.entries}
    for name in ("Conv2d", "ReLU", "MaxPool2d", "Linear"):
        assert by_key[(name, "forward")]["calls"] == 1
    for node in ("ConvolutionBackward", "MaxPool2DBackward", "LinearBackward"):
        assert by_key[(node, "backward")]["calls"] == 1
    assert all(e["seconds"] >= 0 for e in prof.entries)
    assert prof.total_seconds() >= prof.total_seconds("forward") > 0
    table = prof.table()
    assert table.splitlines()[0].split() == ["op", "phase", "calls", "total", "ms", "%"]
    assert "ConvolutionBackward" in table


def test_profile_is_off_outside_the_context():
    with swiftnn.profile():
        pass
    nn.Linear(2, 2)(np.ones((1, 2), np.float32))
    with swiftnn.profile() as prof:
        pass
    assert prof.entries == []
