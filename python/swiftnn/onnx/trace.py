"""Runs one eval-mode forward with the engine's op trace recording (swiftnn_op_trace_*)
and returns the graph: nodes in execution order, value shapes, which value is the
input and the output, and names for the leaves (state-dict keys for parameters and
buffers, NumPy arrays for constants)."""
import json
from dataclasses import dataclass, field

import numpy as np

from .. import _C
from ..grad_mode import no_grad
from ..tensor import Tensor


@dataclass
class TracedGraph:
    nodes: list                 # [{"op", "inputs", "output", "attrs"}] the output depends on, in order
    shapes: dict                # value id -> shape as traced
    input_id: int
    output_id: int
    output: np.ndarray          # the engine's forward result
    parameters: dict = field(default_factory=dict)   # value id -> (state-dict key, array)
    constants: dict = field(default_factory=dict)    # value id -> array


def _as_input(example):
    if isinstance(example, (tuple, list)):
        if len(example) != 1:
            raise ValueError(f"export supports models with one input tensor, got {len(example)} inputs")
        example = example[0]
    if isinstance(example, Tensor):
        return example
    return Tensor._wrap(_C.from_array(np.asarray(example, dtype=np.float32)))


def _live_nodes(nodes, output_id):
    """The nodes `output_id` depends on (an op built from other ops recorded those too)."""
    producer = {node["output"]: node for node in nodes}
    needed, stack = set(), [output_id]
    while stack:
        value = stack.pop()
        node = producer.get(value)
        if node is None or id(node) in needed:
            continue
        needed.add(id(node))
        stack.extend(i for i in node["inputs"] if i is not None)
    return [node for node in nodes if id(node) in needed]


def trace(model, example_input):
    """Traces `model(example_input)` in eval mode (the model's mode is restored after)."""
    x = _as_input(example_input)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            _C.op_trace_begin()
            try:
                out = model(x)
            finally:
                graph = json.loads(_C.op_trace_end())
        if not isinstance(out, Tensor):
            raise TypeError(f"export needs a forward that returns one Tensor, got {type(out).__name__}")
        return _collect(model, x, out, graph)
    finally:
        _C.op_trace_clear()
        model.train(was_training)


def _collect(model, x, out, graph):
    input_id, output_id = _C.op_trace_id(x._h), _C.op_trace_id(out._h)
    if output_id < 0 or output_id == input_id:
        raise ValueError("the model's output does not depend on any traced op (an identity model cannot be exported)")
    nodes = _live_nodes(graph["nodes"], output_id)
    shapes = {v["id"]: tuple(v["shape"]) for v in graph["values"]}
    traced = TracedGraph(nodes, shapes, input_id, output_id, out.numpy())
    names = {}
    for key, tensor in model.state_dict(keep_vars=True).items():
        if isinstance(tensor, Tensor):
            value = _C.op_trace_id(tensor._h)
            if value >= 0:
                names.setdefault(value, key)
    used = {i for node in nodes for i in node["inputs"] if i is not None}
    leaves = {v["id"] for v in graph["values"] if v["leaf"]}
    if input_id not in used:
        raise ValueError("the model's output does not depend on its input")
    for value in sorted((used & leaves) - {input_id}):
        array = Tensor._wrap(_C.op_trace_value(value)).numpy()
        if value in names:
            traced.parameters[value] = (names[value], array)
        else:
            traced.constants[value] = array
    return traced
