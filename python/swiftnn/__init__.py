"""swiftnn: a deep-learning engine written in Swift, driven from Python with
PyTorch's names and semantics. Tensors are float32 on the CPU."""
from . import _C
from .tensor import Size, Tensor, float32
# After .tensor: the function `tensor` then replaces the submodule attribute of the same name.
from .creation import (arange, from_numpy, full, manual_seed, ones, ones_like, rand, randint, randn, tensor,
                       zeros, zeros_like)
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, add, amax, argmax, clamp, div, exp, flatten, log, log_softmax, matmul, max, mean, mul, neg,
                  permute, pow, relu, reshape, sigmoid, softmax, sqrt, squeeze, sub, sum, tanh, transpose, unsqueeze)
from . import nn, optim
from .ops import get_num_threads, set_num_threads
from .profiler import profile
from . import data, datasets, transforms, utils
from . import models
from .serialization import load, save
from . import onnx  # noqa: E402  (swiftnn.onnx.export; the onnx package is imported on use)
from . import train  # noqa: E402  (after models: it builds zoo models)
from . import distributed  # noqa: E402

__version__ = _C.version()

__all__ = [
    "Size", "Tensor", "add", "amax", "arange", "argmax", "div", "enable_grad", "exp", "flatten", "float32",
    "from_numpy", "full", "get_num_threads", "is_grad_enabled", "log", "log_softmax", "manual_seed", "matmul", "max", "mean", "mul",
    "neg", "nn", "no_grad", "ones", "ones_like", "optim", "permute", "profile", "rand", "randint", "randn", "relu", "reshape",
    "set_grad_enabled", "set_num_threads", "sigmoid", "softmax", "squeeze", "sub", "sum", "tanh", "tensor", "transpose", "unsqueeze",
    "zeros", "zeros_like",
    "data", "datasets", "distributed", "models", "train", "transforms", "utils",
    "load", "save",
]

from .ops import amin, cat, chunk, concat, concatenate, split, stack  # noqa: E402

__all__ += ["amin", "cat", "chunk", "concat", "concatenate", "split", "stack", "abs", "clamp", "pow", "sqrt"]

# After the submodule import, the name `summary` is the function (torchsummary's).
from .summary import summary, summary_string  # noqa: E402

__all__ += ["summary", "summary_string"]

# Devices (everything runs on the CPU), torch.cuda, seeds and Generator.
from . import cuda  # noqa: E402
from ._device import device  # noqa: E402
from .random import Generator, initial_seed, seed  # noqa: E402

__all__ += ["Generator", "cuda", "device", "initial_seed", "seed"]

from .runtime_config import config, set_kernel_isa  # noqa: E402

__all__ += ["config", "set_kernel_isa"]

from ._indexing import gather, index_select, masked_fill, where  # noqa: E402
from .ops import clamp_, clone, relu_  # noqa: E402

__all__ += ["clamp_", "clone", "gather", "index_select", "masked_fill", "relu_", "where"]

# Integer and bool tensors, dtypes and PyTorch's promotion; comparisons and int64-index selections.
from .dtypes import (bool, can_cast, dtype, float, get_default_dtype, int, int8, int16, int32, int64, long,  # noqa: E402,A004
                     promote_types, result_type, short, uint8)
from .creation import as_tensor, empty, full_like, randperm  # noqa: E402
from .integer_tensor import IntegerTensor  # noqa: E402
from .typed_functions import *  # noqa: E402,F401,F403
from .typed_functions import __all__ as _typed_functions  # noqa: E402

__all__ += ["IntegerTensor", "as_tensor", "bool", "can_cast", "dtype", "empty", "float", "full_like",
            "get_default_dtype", "int", "int8", "int16", "int32", "int64", "long", "promote_types", "randperm",
            "result_type", "short", "uint8"] + _typed_functions
# Reductions with Python-level argument forms, clone, and PyTorch's print options.
from .ops import std, var  # noqa: E402
from ._tensor_str import set_printoptions  # noqa: E402

__all__ += ["set_printoptions", "std", "var"]
