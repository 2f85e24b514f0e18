"""`swiftnn.summary(model, input_size)`: torchsummary's table of a model.

One row per leaf module call (type-index, output shape, own parameters), then the
parameter totals and torchsummary's memory estimate. The rows of engine modules
(zoo models and built-in layers) come from the engine, which traces the forward
itself; a Python-defined model is traced through the engine modules inside it.
The forward runs once on a random batch of 2, in eval mode and without gradients
(so batch-norm running statistics are left alone); the mode is restored afterwards.
"""
import json
from collections import namedtuple

import numpy as np

from . import _C, _device
from .grad_mode import no_grad
from .nn.layers import _EngineModule
from .tensor import Tensor, _as_tensor

__all__ = ["summary", "summary_string", "trace"]

# name: dotted path in the model; output_shape includes the traced batch of 2.
LayerRow = namedtuple("LayerRow", ["name", "type", "output_shape", "params"])

_LINE, _RULE = "-" * 64, "=" * 64


def _engine_call(module, input, prefix):
    """module(input) in the engine, with its leaf rows named under `prefix`."""
    handle, text = _C.module_trace(module._handle, _as_tensor(input)._h)
    rows = [LayerRow(".".join(p for p in (prefix, row["name"]) if p), row["type"], tuple(row["shape"]), row["params"])
            for row in json.loads(text)]
    return Tensor._wrap(handle), rows


def _traced_forward(model, inputs):
    """Runs the model, collecting the rows of every engine module it calls, in call order."""
    if isinstance(model, _EngineModule):
        if len(inputs) != 1:
            raise TypeError(f"{model._get_name()} takes one input, got {len(inputs)} input sizes")
        return _engine_call(model, inputs[0], "")[1]
    rows = []
    names = {id(module): name for name, module in model.named_modules()}
    engine_modules = [module for module in model.modules() if isinstance(module, _EngineModule)]

    def traced(module):
        def forward(input):
            output, found = _engine_call(module, input, names[id(module)])
            rows.extend(found)
            return output
        return forward

    for module in engine_modules:  # an instance attribute shadows the class's forward
        object.__setattr__(module, "forward", traced(module))
    try:
        model(*inputs)
    finally:
        for module in engine_modules:
            module.__dict__.pop("forward", None)
    return rows


def _input_sizes(input_size):
    """One shape or a list of shapes (one per forward argument), as tuples of ints."""
    if isinstance(input_size, (list, tuple)) and input_size and all(isinstance(s, (list, tuple)) for s in input_size):
        sizes = [tuple(s) for s in input_size]
    elif isinstance(input_size, (list, tuple)):
        sizes = [tuple(input_size)]
    else:
        raise TypeError(f"input_size must be a shape tuple or a list of them, got {type(input_size).__name__}")
    for size in sizes:
        if not all(isinstance(d, (int, np.integer)) and d > 0 for d in size):
            raise ValueError(f"input_size entries must be positive ints, got {size}")
    return [tuple(int(d) for d in size) for size in sizes]


def trace(model, input_size):
    """The LayerRows of one forward of `model` on a random batch of 2 of `input_size` (without the batch)."""
    sizes = _input_sizes(input_size)
    rng = np.random.default_rng(0)
    inputs = [Tensor(rng.random((2,) + size, dtype=np.float32)) for size in sizes]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            return _traced_forward(model, inputs)
    finally:
        model.train(was_training)


def summary_string(model, input_size, batch_size=-1, device=None, dtypes=None):
    """The table as a string and (total_params, trainable_params), as torchsummary's function of that name."""
    if device is not None:
        _device.request(device)  # a CUDA device warns once per process
    sizes = _input_sizes(input_size)
    rows = trace(model, sizes)
    lines = [_LINE, "{:>20}  {:>25} {:>15}".format("Layer (type)", "Output Shape", "Param #"), _RULE]
    for index, row in enumerate(rows, start=1):
        shape = [batch_size] + list(row.output_shape[1:])
        lines.append("{:>20}  {:>25} {:>15}".format(f"{row.type}-{index}", str(shape), f"{row.params:,}"))
    params = list(model.parameters())
    total = sum(int(np.prod(p.shape)) for p in params)
    trainable = sum(int(np.prod(p.shape)) for p in params if p.requires_grad)
    # torchsummary's estimate: float32 input, outputs twice (forward and backward), parameters.
    batch = abs(batch_size)
    megabytes = 4.0 / 1024 ** 2
    input_mb = sum(int(np.prod(size)) for size in sizes) * batch * megabytes
    output_mb = 2 * sum(int(np.prod(row.output_shape[1:])) for row in rows) * batch * megabytes
    params_mb = total * megabytes
    lines += [
        _RULE,
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        _LINE,
        f"Input size (MB): {input_mb:0.2f}",
        f"Forward/backward pass size (MB): {output_mb:0.2f}",
        f"Params size (MB): {params_mb:0.2f}",
        f"Estimated Total Size (MB): {input_mb + output_mb + params_mb:0.2f}",
        _LINE,
    ]
    return "\n".join(lines) + "\n", (total, trainable)


def summary(model, input_size, batch_size=-1, device=None, dtypes=None):
    """Prints torchsummary's table for `model` on inputs of `input_size` (without the batch
    dimension; a list of sizes for several inputs) and returns (total_params, trainable_params).
    `batch_size` is the batch shown in the output shapes and used in the memory estimate."""
    text, params_info = summary_string(model, input_size, batch_size, device, dtypes)
    print(text, end="")
    return params_info
