"""A forward with in-place ops (`out += shortcut`, ReLU(inplace=True)) exports to
ONNX with the in-place results in the graph, and onnxruntime agrees with the engine."""
import pytest

import swiftnn.nn as nn
from test_inplace_bottleneck import Bottleneck

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
from test_onnx_export import _export_and_run, _randomise_batch_norm  # noqa: E402


@pytest.mark.parametrize("stride, in_planes", [(1, 8), (2, 3)])
def test_inplace_bottleneck_exports(tmp_path, rng, stride, in_planes):
    model = nn.Sequential(Bottleneck(in_planes, 2, stride=stride, inplace=True), nn.ReLU(inplace=True))
    _randomise_batch_norm(model, rng)
    _export_and_run(model, (in_planes, 6, 6), tmp_path, rng)
