"""`swiftnn.onnx.export`: a model's eval-mode forward as an ONNX file.

The graph comes from the engine: one forward runs with the op trace recording
(swiftnn_op_trace_* in the C ABI), so zoo models whose forward is Swift (residual
adds, DenseNet's fused BN+ReLU over feature lists, Inception concatenations) and
Python-composed Modules export the same way. Each traced op becomes ONNX nodes
(converters.py), built and checked with the `onnx` package (`pip install onnx`);
parameters and buffers become initializers under their state-dict keys.
"""
import os

import numpy as np

from .._atomic import atomic_file
from .converters import UnsupportedOperatorError, convert
from .trace import trace

__all__ = ["export", "UnsupportedOperatorError"]

MIN_OPSET, MAX_OPSET = 17, 21


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("swiftnn.onnx.export needs the onnx package: pip install onnx") from None
    return onnx


class GraphBuilder:
    """Accumulates ONNX nodes and initializers with unique names."""

    def __init__(self, onnx, opset, shapes):
        self.onnx, self.opset, self.shapes = onnx, opset, shapes
        self.nodes, self.initializers, self._counter = [], [], 0

    def fresh(self, hint):
        self._counter += 1
        return f"/{hint}_{self._counter}"

    def shape_of(self, value_id):
        return self.shapes[value_id]

    def node(self, op_type, inputs, output, **attributes):
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [output], name=f"{op_type}_{len(self.nodes)}",
                                                     **attributes))
        return output

    def initializer(self, name, array):
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def constant(self, array, hint):
        return self.initializer(self.fresh(hint), np.asarray(array))


def _value_info(onnx, name, shape, dynamic):
    dims = [dynamic.get(axis, size) if isinstance(dynamic, dict) else size for axis, size in enumerate(shape)]
    return onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims)


def _dynamic_axes(dynamic_axes, name):
    """{axis: dim_name} for one graph input/output (PyTorch also accepts a list of axes)."""
    axes = (dynamic_axes or {}).get(name)
    if axes is None:
        return {}
    if isinstance(axes, dict):
        return {int(k): str(v) for k, v in axes.items()}
    return {int(axis): f"{name}_dynamic_axes_{i + 1}" for i, axis in enumerate(axes)}


def build_model(model, args, input_names=None, output_names=None, dynamic_axes=None, opset_version=17):
    """The ONNX ModelProto of `model(args)` and the engine's output for `args` (NumPy)."""
    onnx = _onnx()
    if not MIN_OPSET <= int(opset_version) <= MAX_OPSET:
        raise ValueError(f"opset_version must be between {MIN_OPSET} and {MAX_OPSET}, got {opset_version}")
    traced = trace(model, args)
    input_name = (input_names or ["input"])[0]
    output_name = (output_names or ["output"])[0]
    g = GraphBuilder(onnx, int(opset_version), traced.shapes)
    names = {traced.input_id: input_name}
    for value, (key, array) in traced.parameters.items():
        names[value] = g.initializer(key, array.astype(np.float32))
    for value, array in traced.constants.items():
        names[value] = g.constant(array.astype(np.float32), "constant")
    for node in traced.nodes:
        inputs = [None if i is None else names[i] for i in node["inputs"]]
        out = output_name if node["output"] == traced.output_id else f"/{node['op']}_{node['output']}"
        convert(g, node, inputs, out)
        names[node["output"]] = out
    graph = onnx.helper.make_graph(
        g.nodes, type(model).__name__,
        [_value_info(onnx, input_name, traced.shapes[traced.input_id], _dynamic_axes(dynamic_axes, input_name))],
        [_value_info(onnx, output_name, traced.shapes[traced.output_id], _dynamic_axes(dynamic_axes, output_name))],
        g.initializers)
    proto = onnx.helper.make_model(graph, producer_name="swiftnn",
                                   opset_imports=[onnx.helper.make_opsetid("", int(opset_version))])
    proto.ir_version = min(proto.ir_version, 8 if opset_version <= 18 else 9)
    onnx.checker.check_model(proto, full_check=True)
    return proto, traced.output


def export(model, args, f, export_params=True, verbose=False, input_names=None, output_names=None,
           opset_version=17, dynamic_axes=None, do_constant_folding=True):
    """Writes `model`'s eval-mode forward on the example input `args` (a Tensor, NumPy
    array or a 1-tuple of one) to the path `f` as ONNX, checked by `onnx.checker` with
    shape inference. `dynamic_axes` as torch.onnx's ({"input": {0: "batch"}, ...}).
    The file is written atomically. Raises UnsupportedOperatorError naming an op the
    exporter cannot convert. Returns None, as torch.onnx.export."""
    if not export_params:
        raise ValueError("export_params=False is not supported: the weights are always stored")
    proto, _ = build_model(model, args, input_names, output_names, dynamic_axes, opset_version)
    with atomic_file(os.fspath(f)) as out:
        out.write(proto.SerializeToString())
    if verbose:
        print(_onnx().helper.printable_graph(proto.graph))
