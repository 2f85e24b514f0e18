"""Hypothesis strategies for fuzz cases `(target, args, kwargs)` over the public
Python API: int64 extremes, zero/negative/huge sizes, empty tensors, NaN/inf,
every NumPy dtype, non-contiguous and negative-stride arrays, wrong types and
nested lists. Arrays stay small (the engine's work is bounded by the argument
values, which are where the extremes go)."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import swiftnn
from calls import T

INT64_EXTREMES = [0, 1, -1, 2, 3, 7, -2, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32, 2**62, 2**63 - 1, -2**63,
                  2**63, 2**64, -2**64 - 1, 10**30]
FLOAT_EXTREMES = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-45, 1e38, 3.5e38, 1e308, float("inf"), float("-inf"), float("nan")]

ints = st.one_of(st.sampled_from(INT64_EXTREMES), st.integers(-3, 9), st.integers())
small_ints = st.integers(-2, 6)
floats = st.one_of(st.sampled_from(FLOAT_EXTREMES), st.floats(-10, 10), st.floats(allow_nan=True))
junk = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.just(b"\x00"), st.just(object),
                 st.lists(st.integers(-2, 3), max_size=3), st.just([[1], [2, 3]]), st.just({}), st.complex_numbers())

DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
          np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.dtype("M8[s]"),
          np.dtype("U2"), np.dtype("O"), np.dtype("V4")]
NUMERIC = [d for d in DTYPES if np.dtype(d).kind in "biuf"]


@st.composite
def arrays(draw, max_dims=4, max_side=5, dtypes=None):
    """Small arrays of any dtype, NaN/inf included, sometimes non-contiguous,
    reversed (negative strides), Fortran-ordered or zero-size."""
    dtype = draw(st.sampled_from(dtypes or (NUMERIC * 3 + DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side))
    if np.dtype(dtype).kind in "biufc":
        a = draw(hnp.arrays(dtype, shape))
    else:
        a = np.zeros(shape, dtype=dtype)
    layout = draw(st.sampled_from(["c", "c", "reversed", "strided", "fortran"]))
    if layout == "reversed" and a.ndim:
        a = a[..., ::-1]
    elif layout == "strided" and a.ndim:
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    elif layout == "fortran":
        a = np.asfortranarray(a)
    return a


def float_arrays(min_dims=0, max_dims=4, max_side=5):
    return arrays(max_dims=max_dims, max_side=max_side, dtypes=[np.float32, np.float64, np.float32, np.int64,
                                                                  np.uint8, np.bool_])


tensors = st.one_of(float_arrays().map(T), arrays().map(T), arrays(), junk,
                    st.lists(st.one_of(st.integers(-3, 3), st.floats(), st.lists(st.floats(), max_size=3)),
                             max_size=4))
images = float_arrays(max_dims=4, max_side=7).map(T)
sizes = st.one_of(ints, st.tuples(ints, ints), st.lists(ints, max_size=3), junk, floats)
dims = st.one_of(small_ints, ints, st.tuples(small_ints, small_ints), st.none(), junk)


def call(target, *args, **kwargs):
    """A case whose positional and keyword arguments are each drawn from a strategy."""
    return st.tuples(st.just(target), st.tuples(*args), st.fixed_dictionaries(kwargs))


ops = st.one_of(
    *[call(n, tensors) for n in ["neg", "relu", "sigmoid", "tanh", "exp", "log"]],
    *[call(n, float_arrays().map(T)) for n in ["neg", "relu", "sigmoid", "tanh", "exp"]],
    *[call(n, float_arrays(max_dims=3).map(T), float_arrays(max_dims=3).map(T)) for n in ["add", "sub", "mul"]],
    *[call(n, tensors, st.one_of(tensors, floats, ints)) for n in ["add", "sub", "mul", "div", "matmul"]],
    *[call(n, tensors, dims) for n in ["softmax", "log_softmax", "transpose", "unsqueeze", "squeeze",
                                       "sum", "mean", "amax", "amin", "max", "argmax"]],
    call("transpose", tensors, dims, dims), call("permute", tensors, sizes), call("reshape", tensors, sizes),
    call("flatten", tensors, dims, dims),
    *[call(n, st.lists(tensors, max_size=3), dims) for n in ["cat", "stack"]],
    call("split", tensors, sizes, dims), call("chunk", tensors, ints, dims),
    *[call(n, sizes) for n in ["zeros", "ones", "rand", "randn"]],
    *[call(n, ints, ints) for n in ["zeros", "ones", "randn"]],
    call("full", sizes, floats), call("arange", st.one_of(ints, floats), st.one_of(ints, floats), st.one_of(ints, floats)),
    call("randint", ints, ints, sizes), call("tensor", st.one_of(arrays(), junk, st.lists(st.lists(floats, max_size=3), max_size=3))),
    call("from_numpy", arrays()), call("zeros_like", tensors),
    # Tensor methods PyTorch users call; only those swiftnn.Tensor has (a missing one is not a robustness finding).
    call("method", st.sampled_from([m for m in ["view", "reshape", "expand", "repeat", "permute", "__getitem__", "item",
                                                "tolist", "numpy", "backward", "__len__", "size", "fill_", "clamp"]
                                    if hasattr(swiftnn.Tensor, m)]),
         st.one_of(float_arrays().map(T), arrays().map(T)), sizes),
)

windows = dict(kernel_size=sizes, stride=sizes, padding=st.one_of(sizes, st.sampled_from(["same", "valid", "full"])),
               dilation=sizes)
functional = st.one_of(
    call("F.conv2d", images, images, st.one_of(st.none(), images), sizes, windows["padding"], sizes, ints),
    call("F.conv2d", images, st.just(T(np.ones((2, 1, 3, 3), np.float32))), st.none(), sizes, windows["padding"],
         sizes, st.one_of(st.just(1), ints)),
    call("F.max_pool2d", images, sizes, st.one_of(st.none(), sizes), sizes, sizes, st.booleans(), st.booleans()),
    call("F.avg_pool2d", images, sizes, st.one_of(st.none(), sizes), sizes, st.booleans(), st.booleans(),
         st.one_of(st.none(), ints)),
    call("F.adaptive_avg_pool2d", images, st.one_of(sizes, st.tuples(st.none(), ints))),
    call("F.adaptive_max_pool2d", images, st.one_of(sizes, st.tuples(st.none(), ints))),
    call("F.linear", tensors, tensors, st.one_of(st.none(), tensors)),
    call("F.dropout", tensors, floats, st.booleans()), call("F.dropout2d", tensors, floats, st.booleans()),
    call("F.cross_entropy", tensors, st.one_of(tensors, arrays()), label_smoothing=floats, ignore_index=ints,
         reduction=st.sampled_from(["mean", "sum", "none", "bogus"])),
    call("F.mse_loss", tensors, tensors), call("F.softmax", tensors, dims),
    call("F.batch_norm", images, tensors, tensors, st.one_of(st.none(), tensors), st.one_of(st.none(), tensors),
         st.booleans(), floats, floats),
    call("F.layer_norm", tensors, sizes, st.one_of(st.none(), tensors), st.one_of(st.none(), tensors), floats),
    call("F.local_response_norm", images, ints, floats, floats, floats),
    call("F.leaky_relu", tensors, floats), call("F.gelu", tensors, st.sampled_from(["none", "tanh", "x"])),
    call("F.silu", tensors), call("F.pad", tensors, st.one_of(sizes, st.lists(ints, max_size=6)), st.just("constant"),
                                  st.one_of(st.none(), floats)),
)


def layer(name, *ctor, inputs=None, **ctor_kwargs):
    return st.tuples(st.just("layer"), st.tuples(st.just(name), st.tuples(*ctor), st.fixed_dictionaries(ctor_kwargs),
                                                 *(inputs or (images,))), st.just({}))


channels = st.one_of(st.integers(1, 3), ints)
layers = st.one_of(
    layer("Conv2d", channels, channels, sizes, sizes, windows["padding"], sizes, st.one_of(st.just(1), ints),
          st.booleans()),
    layer("Conv2d", st.just(1), st.integers(1, 3), sizes, stride=sizes, padding=windows["padding"], dilation=sizes),
    layer("MaxPool2d", sizes, st.one_of(st.none(), sizes), sizes, sizes, st.booleans(), st.booleans()),
    layer("AvgPool2d", sizes, st.one_of(st.none(), sizes), sizes, st.booleans(), st.booleans()),
    layer("AdaptiveAvgPool2d", st.one_of(sizes, st.tuples(st.none(), ints))),
    layer("AdaptiveMaxPool2d", st.one_of(sizes, st.tuples(st.none(), ints))),
    layer("Linear", channels, channels, st.booleans(), inputs=(tensors,)),
    layer("BatchNorm2d", channels, floats, floats), layer("BatchNorm1d", channels, inputs=(tensors,)),
    layer("LayerNorm", sizes, floats, inputs=(tensors,)), layer("LocalResponseNorm", ints, floats, floats, floats),
    layer("Dropout", floats, inputs=(tensors,)), layer("Dropout2d", floats),
    layer("Flatten", dims, dims, inputs=(tensors,)), layer("Softmax", dims, inputs=(tensors,)),
    layer("LeakyReLU", floats, inputs=(tensors,)), layer("GELU", inputs=(tensors,)),
    layer("CrossEntropyLoss", label_smoothing=floats, ignore_index=ints, inputs=(tensors, st.one_of(tensors, arrays()))),
    layer("MSELoss", inputs=(tensors, tensors)),
)

optimizer_kwargs = {
    "SGD": dict(lr=floats, momentum=floats, dampening=floats, weight_decay=floats, nesterov=st.booleans()),
    "Adam": dict(lr=floats, betas=st.one_of(st.tuples(floats, floats), junk), eps=floats, weight_decay=floats,
                 amsgrad=st.booleans()),
    "AdamW": dict(lr=floats, betas=st.tuples(floats, floats), eps=floats, weight_decay=floats),
    "RMSprop": dict(lr=floats, alpha=floats, eps=floats, momentum=floats, centered=st.booleans()),
    "Adagrad": dict(lr=floats, lr_decay=floats, eps=floats, initial_accumulator_value=floats),
}
scheduler_kwargs = {
    "StepLR": dict(step_size=ints, gamma=floats), "MultiStepLR": dict(milestones=st.lists(ints, max_size=3), gamma=floats),
    "ExponentialLR": dict(gamma=floats), "CosineAnnealingLR": dict(T_max=ints, eta_min=floats),
    "OneCycleLR": dict(max_lr=floats, total_steps=st.one_of(st.none(), ints), pct_start=floats),
}


def _subset(kwargs):
    return st.fixed_dictionaries({}, optional=kwargs)


optimizers = st.one_of(
    *[call("train", st.just(name), _subset(kw), st.integers(0, 3)) for name, kw in optimizer_kwargs.items()],
    *[call("train", st.just("SGD"), st.just({"lr": 0.1}), st.integers(0, 3), st.just(name), _subset(kw))
      for name, kw in scheduler_kwargs.items()],
    call("clip_grad_norm_", st.lists(tensors, max_size=2), floats, floats),
)

state_dicts = call(
    "load_state_dict", st.sampled_from(["linear", "cnn"]),
    st.one_of(st.dictionaries(st.sampled_from(["weight", "bias", "0.weight", "0.bias", "1.running_mean",
                                               "1.num_batches_tracked", "x", ""]),
                              st.one_of(arrays(), tensors, junk), max_size=4),
              st.just({"weight": np.zeros((2, 3), np.float32), "bias": np.zeros(2, np.float32)}), junk),
    st.booleans())

transform_specs = st.one_of(
    st.none(),
    st.tuples(st.just("Normalize"), st.tuples(st.lists(floats, max_size=4), st.lists(floats, max_size=4)), st.just({})),
    st.tuples(st.just("RandomCrop"), st.tuples(sizes), _subset(dict(padding=st.one_of(st.none(), sizes),
                                                                    pad_if_needed=st.booleans()))),
    st.tuples(st.just("CenterCrop"), st.tuples(sizes), st.just({})),
    st.tuples(st.just("RandomHorizontalFlip"), st.tuples(floats), st.just({})),
    st.tuples(st.just("Resize"), st.tuples(sizes), st.just({})),
)
data = st.one_of(
    call("loader", st.tuples(arrays(max_side=4), st.one_of(arrays(max_dims=1), junk)),
         _subset(dict(batch_size=ints, shuffle=st.booleans(), drop_last=st.booleans(), seed=ints, prefetch=ints,
                      num_workers=ints, numpy=st.booleans())),
         transform_specs, st.integers(1, 3)),
    call("transform", st.sampled_from(["Normalize", "RandomCrop", "CenterCrop", "RandomHorizontalFlip", "Resize",
                                       "ToTensor"]),
         st.lists(st.one_of(sizes, st.lists(floats, max_size=3)), max_size=2), st.just({}),
         st.one_of(arrays(max_dims=3, max_side=6), tensors)),
)

cases = st.one_of(ops, functional, layers, optimizers, state_dicts, data)


# MARK: damaged files

@st.composite
def mutated(draw, data):
    """`data` with a few random edits: bit flips, overwritten words (int64
    extremes where lengths and offsets live), truncation, insertion, appended junk."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "word", "truncate", "insert", "append", "shrink_header"]))
        if kind == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "word" and len(data) >= 8:
            i = draw(st.integers(0, len(data) - 8))
            value = draw(st.sampled_from(INT64_EXTREMES[:16] + [len(data), len(data) - 8, 1 << 40]))
            data[i:i + 8] = (value % (1 << 64)).to_bytes(8, "little" if draw(st.booleans()) else "big")
        elif kind == "truncate":
            data = data[:draw(st.integers(0, len(data)))]
        elif kind == "insert":
            i = draw(st.integers(0, len(data)))
            data[i:i] = draw(st.binary(max_size=16))
        elif kind == "append":
            data += draw(st.binary(max_size=64))
        elif kind == "shrink_header" and data:
            data = data[:8] + data[8 + draw(st.integers(0, 40)):]
    return bytes(data)


def file_cases(seeds):
    from parsers import ZOO_NAMES
    json_values = st.recursive(st.one_of(st.none(), st.booleans(), ints, floats, st.text(max_size=4)),
                               lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=3)),
                               max_leaves=8)
    config_keys = st.sampled_from(["num_classes", "in_channels", "hidden", "layers", "depth", "growth_rate",
                                   "image_size", "patch_size", "dropout", "width", "x"])
    configs = st.one_of(
        st.dictionaries(config_keys, st.one_of(st.integers(-3, 40), ints, floats, json_values), max_size=3).map(
            lambda d: __import__("json").dumps(d, allow_nan=True)),
        mutated(seeds["model_config"].encode()).map(lambda b: b.decode("utf-8", "replace")),
        st.text(max_size=30))
    return st.one_of(
        call("parse.safetensors", st.one_of(mutated(seeds["safetensors"]), st.binary(max_size=64))),
        call("parse.cifar_bin", st.one_of(mutated(seeds["cifar_bin"]), st.binary(max_size=64))),
        call("parse.cifar_py", st.one_of(mutated(seeds["cifar_py"]), st.binary(max_size=64))),
        call("parse.mnist", mutated(seeds["mnist"][0]), mutated(seeds["mnist"][1]), st.just(False)),
        call("parse.mnist", mutated(seeds["mnist_gz"][0]), st.just(seeds["mnist_gz"][1]), st.just(True)),
        call("parse.mnist", st.just(seeds["mnist"][0]), mutated(seeds["mnist"][1]), st.just(False)),
        call("parse.model_config", st.sampled_from(ZOO_NAMES), configs),
    )
