"""One converter per traced engine op: each appends the ONNX nodes computing that op.

A converter gets the GraphBuilder, the traced node (its attrs), the ONNX names of its
inputs (None for an absent optional input) and the name its output must carry.
Opset 17 or newer (LayerNormalization); GELU becomes the Gelu op from opset 20 on
and its erf/tanh formula before."""
import math

import numpy as np


class UnsupportedOperatorError(RuntimeError):
    """The model runs an op the ONNX exporter does not convert (named in the message)."""


def _unsupported(node, why=""):
    raise UnsupportedOperatorError(f"ONNX export does not support the op '{node['op']}'" + (f": {why}" if why else ""))


def _same(onnx_op):
    def convert(g, node, inputs, output):
        g.node(onnx_op, [i for i in inputs if i is not None], output)
    return convert


def _conv2d(g, node, inputs, output):
    a = node["attrs"]
    x, w, b = inputs
    kernel = list(g.shape_of(node["inputs"][1])[2:])
    # The trace gives the rows/columns the output reaches past the image (less than the
    # start padding when a stride leaves the last ones unused); ONNX wants the padding.
    top, left, bottom, right = a["pads"]
    g.node("Conv", [x, w] + ([b] if b else []), output, kernel_shape=kernel, strides=a["stride"],
           pads=[top, left, max(top, bottom), max(left, right)], dilations=a["dilation"], group=a["groups"])


def _linear(g, node, inputs, output):
    x, w = inputs[0], inputs[1]
    b = inputs[2] if len(inputs) > 2 else None
    if len(g.shape_of(node["inputs"][0])) == 2:
        g.node("Gemm", [x, w] + ([b] if b else []), output, transB=1)
        return
    wt = g.node("Transpose", [w], g.fresh("weight_t"), perm=[1, 0])
    if b is None:
        g.node("MatMul", [x, wt], output)
    else:
        g.node("Add", [g.node("MatMul", [x, wt], g.fresh("matmul")), b], output)


def _reshape(g, node, inputs, output):
    before, after = g.shape_of(node["inputs"][0]), g.shape_of(node["output"])
    target = list(after)
    if before and after and before[0] == after[0]:
        target[0] = 0   # copy the (possibly dynamic) batch dimension from the input
    g.node("Reshape", [inputs[0], g.constant(np.array(target, dtype=np.int64), "shape")], output)


def _silu(g, node, inputs, output):
    g.node("Mul", [inputs[0], g.node("Sigmoid", [inputs[0]], g.fresh("sigmoid"))], output)


def _gelu(g, node, inputs, output):
    approximate = node["attrs"]["approximate"]
    x = inputs[0]
    if g.opset >= 20:
        g.node("Gelu", [x], output, approximate=approximate)
        return
    half = g.constant(np.float32(0.5), "half")
    one = g.constant(np.float32(1.0), "one")
    if approximate == "tanh":
        cube = g.node("Mul", [x, g.node("Mul", [x, x], g.fresh("sq"))], g.fresh("cube"))
        inner = g.node("Add", [x, g.node("Mul", [cube, g.constant(np.float32(0.044715), "c")], g.fresh("t"))],
                       g.fresh("inner"))
        scaled = g.node("Mul", [inner, g.constant(np.float32(math.sqrt(2 / math.pi)), "k")], g.fresh("scaled"))
        phi = g.node("Tanh", [scaled], g.fresh("tanh"))
    else:
        phi = g.node("Erf", [g.node("Div", [x, g.constant(np.float32(math.sqrt(2)), "sqrt2")], g.fresh("z"))],
                     g.fresh("erf"))
    g.node("Mul", [g.node("Mul", [x, half], g.fresh("halfx")), g.node("Add", [phi, one], g.fresh("onep"))], output)


def _batch_norm_inputs(g, node, x_value, stats):
    """(mean, var, scale, bias) names for BatchNormalization; absent affine parameters become constants."""
    if node["attrs"]["training"]:
        _unsupported(node, "batch statistics (training mode); call model.eval()")
    mean, var, weight, bias = stats
    if mean is None or var is None:
        _unsupported(node, "batch norm without running statistics (track_running_stats=False)")
    channels = g.shape_of(x_value)[1] if x_value is not None else None
    weight = weight or g.constant(np.ones(channels, np.float32), "bn_scale")
    bias = bias or g.constant(np.zeros(channels, np.float32), "bn_bias")
    return weight, bias, mean, var


def _batch_norm(g, node, inputs, output):
    weight, bias, mean, var = _batch_norm_inputs(g, node, node["inputs"][0], inputs[1:5])
    g.node("BatchNormalization", [inputs[0], weight, bias, mean, var], output, epsilon=float(node["attrs"]["eps"]))


def _batch_norm_relu(g, node, inputs, output):
    count = node["attrs"]["pieces"]
    pieces, (residual, *stats) = inputs[:count], inputs[count:]
    x = pieces[0] if count == 1 else g.node("Concat", pieces, g.fresh("concat"), axis=1)
    weight, bias, mean, var = _batch_norm_inputs(g, node, node["output"], stats)
    y = g.node("BatchNormalization", [x, weight, bias, mean, var], g.fresh("bn"), epsilon=float(node["attrs"]["eps"]))
    if residual is not None:
        y = g.node("Add", [y, residual], g.fresh("residual"))
    g.node("Relu", [y], output)


def _layer_norm(g, node, inputs, output):
    a = node["attrs"]
    x, weight, bias = inputs
    if g.opset < 17:
        _unsupported(node, "LayerNormalization needs opset_version >= 17")
    normalized = g.shape_of(node["inputs"][0])[-a["axes"]:]
    weight = weight or g.constant(np.ones(normalized, np.float32), "ln_scale")
    g.node("LayerNormalization", [x, weight] + ([bias] if bias else []), output, axis=-a["axes"], epsilon=float(a["eps"]))


def _local_response_norm(g, node, inputs, output):
    a = node["attrs"]
    if a["size"] % 2 == 0:
        _unsupported(node, "an even size (PyTorch and ONNX centre the window differently)")
    g.node("LRN", [inputs[0]], output, size=a["size"], alpha=float(a["alpha"]), beta=float(a["beta"]),
           bias=float(a["k"]))


def _pool_pads(padding):
    return [padding[0], padding[1], padding[0], padding[1]]


def _max_pool2d(g, node, inputs, output):
    a = node["attrs"]
    g.node("MaxPool", [inputs[0]], output, kernel_shape=a["kernel"], strides=a["stride"],
           pads=_pool_pads(a["padding"]), dilations=a["dilation"], ceil_mode=int(a["ceil_mode"]))


def _avg_pool2d(g, node, inputs, output):
    a = node["attrs"]
    if a["divisor_override"]:
        _unsupported(node, "divisor_override")
    g.node("AveragePool", [inputs[0]], output, kernel_shape=a["kernel"], strides=a["stride"],
           pads=_pool_pads(a["padding"]), ceil_mode=int(a["ceil_mode"]),
           count_include_pad=int(a["count_include_pad"]))


def _adaptive(onnx_global, onnx_pool):
    def convert(g, node, inputs, output):
        size_in = g.shape_of(node["inputs"][0])[-2:]
        size_out = g.shape_of(node["output"])[-2:]
        if tuple(size_out) == (1, 1) and len(g.shape_of(node["inputs"][0])) == 4:
            g.node(onnx_global, [inputs[0]], output)
        elif all(o > 0 and i % o == 0 for i, o in zip(size_in, size_out)):
            kernel = [i // o for i, o in zip(size_in, size_out)]
            g.node(onnx_pool, [inputs[0]], output, kernel_shape=kernel, strides=kernel)
        else:
            _unsupported(node, f"output size {list(size_out)} does not divide input size {list(size_in)}")
    return convert


def _reduce(onnx_op):
    def convert(g, node, inputs, output):
        a = node["attrs"]
        axes = np.array(a["dims"], dtype=np.int64)
        if onnx_op == "ReduceSum" or g.opset >= 18:
            g.node(onnx_op, [inputs[0], g.constant(axes, "axes")], output, keepdims=int(a["keepdim"]))
        else:
            g.node(onnx_op, [inputs[0]], output, axes=a["dims"], keepdims=int(a["keepdim"]))
    return convert


def _softmax(onnx_op):
    def convert(g, node, inputs, output):
        g.node(onnx_op, [inputs[0]], output, axis=node["attrs"]["dim"])
    return convert


CONVERTERS = {
    "conv2d": _conv2d,
    "Linear": _linear,
    "Mm": _same("MatMul"),
    "Add": _same("Add"), "Sub": _same("Sub"), "Mul": _same("Mul"), "Div": _same("Div"),
    "Neg": _same("Neg"), "Exp": _same("Exp"), "Log": _same("Log"),
    "Relu": _same("Relu"), "Sigmoid": _same("Sigmoid"), "Tanh": _same("Tanh"),
    "Silu": _silu,
    "gelu": _gelu,
    "leaky_relu": lambda g, node, inputs, output: g.node("LeakyRelu", inputs, output,
                                                         alpha=float(node["attrs"]["negative_slope"])),
    "View": _reshape,
    "permute": lambda g, node, inputs, output: g.node("Transpose", inputs, output, perm=node["attrs"]["dims"]),
    "cat": lambda g, node, inputs, output: g.node("Concat", inputs, output, axis=node["attrs"]["dim"]),
    "batch_norm": _batch_norm,
    "batch_norm_relu": _batch_norm_relu,
    "layer_norm": _layer_norm,
    "local_response_norm": _local_response_norm,
    "max_pool2d": _max_pool2d,
    "avg_pool2d": _avg_pool2d,
    "adaptive_avg_pool2d": _adaptive("GlobalAveragePool", "AveragePool"),
    "adaptive_max_pool2d": _adaptive("GlobalMaxPool", "MaxPool"),
    "mean": _reduce("ReduceMean"),
    "sum": _reduce("ReduceSum"),
    "softmax": _softmax("Softmax"),
    "log_softmax": _softmax("LogSoftmax"),
}


def convert(g, node, inputs, output):
    converter = CONVERTERS.get(node["op"])
    if converter is None:
        _unsupported(node)
    converter(g, node, inputs, output)
