"""What a fuzz case calls, run inside the child (harness.child_main).

`TARGETS` maps a case's target name to a function of the case's arguments.
`execute` runs one case and classifies the result. Where a NumPy reference is
cheap (`REFERENCES`) a returned value is compared with it.
"""
import os
import signal
import warnings

import numpy as np

import swiftnn
import swiftnn.nn.functional as F
from swiftnn import nn, optim
from swiftnn.optim import lr_scheduler

# What the API documents that it raises on bad input (README "Guarantees").
# OverflowError: a Python int too large for the C long a size is passed as.
# MemoryError: a well-formed request larger than the memory the process may use.
DOCUMENTED = (ValueError, TypeError, LookupError, OSError, RuntimeError, OverflowError, MemoryError)


class T:
    """Marks an argument the child converts to a swiftnn.Tensor before the call."""

    def __init__(self, array, requires_grad=False):
        self.array, self.requires_grad = array, requires_grad

    def __repr__(self):
        return f"T({np.asarray(self.array).dtype}, shape={np.shape(self.array)})"


def _unwrap(value):
    if isinstance(value, T):
        return swiftnn.tensor(value.array, requires_grad=value.requires_grad)
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def _call_layer(name, ctor_args, ctor_kwargs, *inputs):
    layer = getattr(nn, name)(*ctor_args, **ctor_kwargs)
    out = layer(*inputs)
    if isinstance(out, swiftnn.Tensor) and out.requires_grad and out.numel() > 0:
        out.sum().backward()
    return out


def _train_step(name, kwargs, steps, scheduler=None, scheduler_kwargs=None):
    model = nn.Linear(3, 2)
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    sched = getattr(lr_scheduler, scheduler)(opt, **scheduler_kwargs) if scheduler else None
    x = swiftnn.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    for _ in range(steps):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        if sched is not None:
            sched.step()
    return model.weight


def _load_state_dict(model_name, state, strict):
    models = {"linear": lambda: nn.Linear(3, 2),
              "cnn": lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())}
    model = models[model_name]()
    return model.load_state_dict(state, strict=strict)


def _loader(dataset_arrays, loader_kwargs, transform, batches):
    from swiftnn import transforms
    from swiftnn.data import DataLoader, TensorDataset
    t = None
    if transform is not None:
        name, args, kwargs = transform
        t = getattr(transforms, name)(*args, **kwargs)
    dataset = TensorDataset(*dataset_arrays, transform=t)
    out = []
    for i, batch in enumerate(DataLoader(dataset, **loader_kwargs)):
        out.append(batch)
        if i + 1 >= batches:
            break
    return out


def _transform(name, args, kwargs, image):
    from swiftnn import transforms
    return getattr(transforms, name)(*args, **kwargs)(image)


def _method(name, tensor, *args, **kwargs):
    return getattr(tensor, name)(*args, **kwargs)


TARGETS = {
    "layer": _call_layer,
    "train": _train_step,
    "load_state_dict": _load_state_dict,
    "loader": _loader,
    "transform": _transform,
    "method": _method,
}
for _name in ["add", "sub", "mul", "div", "matmul", "neg", "relu", "sigmoid", "tanh", "exp", "log", "softmax",
              "log_softmax", "sum", "mean", "amax", "amin", "max", "argmax", "reshape", "flatten", "transpose",
              "permute", "unsqueeze", "squeeze", "cat", "stack", "split", "chunk", "tensor", "zeros", "ones", "full",
              "arange", "rand", "randn", "randint", "from_numpy", "zeros_like", "ones_like"]:
    TARGETS[_name] = getattr(swiftnn, _name)
for _name in ["linear", "relu", "softmax", "log_softmax", "dropout", "cross_entropy", "mse_loss", "batch_norm",
              "layer_norm", "local_response_norm", "leaky_relu", "gelu", "silu", "dropout2d", "pad", "conv2d",
              "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]:
    TARGETS["F." + _name] = getattr(F, _name)
TARGETS["clip_grad_norm_"] = nn.utils.clip_grad_norm_
import parsers  # noqa: E402  (after swiftnn)
for _name in ["safetensors", "cifar_bin", "cifar_py", "mnist", "model_config"]:
    TARGETS["parse." + _name] = getattr(parsers, _name)
# Lets the suite check that the harness notices a dying child.
TARGETS["os.kill_self"] = lambda: os.kill(os.getpid(), signal.SIGKILL)


# MARK: NumPy references

def _float_input(a):
    """The float32 array the engine sees for `a`, or None when no reference applies."""
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or a.size > 4096:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return a.astype(np.float32)


def _unary(fn):
    def check(args, kwargs):
        x = _float_input(args[0].array) if isinstance(args[0], T) else None
        return None if x is None or kwargs or len(args) != 1 else fn(x.astype(np.float64))
    return check


def _binary(fn):
    def check(args, kwargs):
        if len(args) != 2 or kwargs or not all(isinstance(a, T) for a in args):
            return None
        x, y = (_float_input(a.array) for a in args)
        if x is None or y is None:
            return None
        try:
            return fn(x.astype(np.float64), y.astype(np.float64))
        except ValueError:
            return None  # not broadcastable: the engine must raise, which `execute` accepts
    return check


REFERENCES = {
    "add": _binary(np.add), "sub": _binary(np.subtract), "mul": _binary(np.multiply),
    "neg": _unary(np.negative), "relu": _unary(lambda x: np.maximum(x, 0)),
    "sigmoid": _unary(lambda x: 1 / (1 + np.exp(-x))), "tanh": _unary(np.tanh), "exp": _unary(np.exp),
}


def _compare(result, expected):
    if not result.is_floating_point():
        # Integer and bool results wrap as PyTorch's (and C's) integer casts of the exact value do.
        with np.errstate(all="ignore"):
            expected = expected.astype(np.int64).astype(result.numpy().dtype).astype(np.float64)
    got = np.asarray(result.detach().numpy(), dtype=np.float64)
    if got.shape != expected.shape:
        return f"shape {got.shape} != NumPy's {expected.shape}"
    with np.errstate(all="ignore"):
        # float32 rounding of the inputs is already in `expected`; allow float32 arithmetic error.
        expected32 = expected.astype(np.float32).astype(np.float64)
        same = np.isclose(got, expected32, rtol=2e-6, atol=1e-6, equal_nan=True) | (got == expected32)
        # Overflow to inf in float32 where float64 stays finite is the engine's correct float32 answer.
        same |= np.isinf(got) & (np.abs(expected) > 3e38)
    if not same.all():
        i = np.flatnonzero(~same.ravel())[0]
        return f"value {got.ravel()[i]!r} != NumPy's {expected32.ravel()[i]!r} at flat index {i}"
    return None


def execute(case):
    """-> ("ok", summary) | ("raised", type name) | ("undocumented", exception) | ("bad", why)."""
    target, args, kwargs = case
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = TARGETS[target](*_unwrap(args), **_unwrap(kwargs))
    except DOCUMENTED as error:
        return ("raised", type(error).__name__)
    except SystemError as error:
        return ("bad", f"SystemError: {str(error)[:300]}")
    except Exception as error:  # noqa: BLE001 - classifying every escape is the point
        # A live interpreter and an ordinary exception, but not one the API documents
        # (e.g. AttributeError from Python code handed a wrong type): counted and listed.
        return ("undocumented", f"{type(error).__name__}: {str(error)[:300]}")
    except BaseException as error:  # noqa: BLE001
        return ("bad", f"{type(error).__name__}: {str(error)[:300]}")
    reference = REFERENCES.get(target)
    if reference is not None and isinstance(result, swiftnn.Tensor):
        with np.errstate(all="ignore"):
            expected = reference(args, kwargs)
        if expected is not None:
            mismatch = _compare(result, np.asarray(expected, dtype=np.float64))
            if mismatch:
                return ("bad", f"differs from NumPy: {mismatch}")
    return ("ok", type(result).__name__)
