"""Neural-network building blocks with torch.nn's names and semantics."""
from . import functional
from .container import Sequential
from .conv import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, Conv2d, MaxPool2d
from .layers import Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .loss import CrossEntropyLoss, MSELoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "Conv2d", "MaxPool2d", "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "Linear", "LogSoftmax", "MSELoss", "Module",
    "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "functional",
]

from . import init  # noqa: E402
from .activation import GELU, Dropout2d, LeakyReLU, SiLU  # noqa: E402
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, LocalResponseNorm  # noqa: E402

__all__ += ["BatchNorm1d", "BatchNorm2d", "Dropout2d", "GELU", "LayerNorm", "LeakyReLU", "LocalResponseNorm", "SiLU",
            "init"]

# torch.nn.utils (gradient clipping)
from . import utils  # noqa: E402

__all__ += ["utils"]

# torch.nn.DataParallel (a pass-through on the CPU), torch.nn.SyncBatchNorm and
# torch.nn.parallel (DistributedDataParallel over MPI)
from . import parallel  # noqa: E402
from .parallel import DataParallel  # noqa: E402
from .sync_batchnorm import SyncBatchNorm  # noqa: E402

__all__ += ["DataParallel", "SyncBatchNorm", "parallel"]
