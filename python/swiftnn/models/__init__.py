"""The reference model zoo, built in the engine: `swiftnn.models.normal_CNN(...)` and
friends take the reference documents' own argument names (typos included:
`kernal_list`, `last_activateion_func`, `Residual_Block_size`) and the correctly
spelt ones, and return Modules whose state_dict keys are the reference code's."""
import json

from .. import _C, _device
from ..nn.layers import _EngineModule

__all__ = [
    "MLPnet", "normal_MLP", "normal_CNN", "residual_CNN", "MLP_Mixer", "AlexNet", "VGG11", "VGG13", "VGG16", "VGG19",
    "Resnet", "ResNet18", "ResNet34", "SE_Resnet", "Densenet", "GoogLeNet", "available_models",
    "mlpnet", "normal_mlp", "normal_cnn", "residual_cnn", "mlp_mixer", "alexnet", "vgg11", "vgg13", "vgg16", "vgg19",
    "resnet50", "resnet18", "resnet34", "se_resnet50", "densenet", "googlenet",
]


def available_models():
    """The engine's model names."""
    return ["MLPnet", "normal_MLP", "normal_CNN", "residual_CNN", "MLP_Mixer", "AlexNet", "VGG11", "VGG13", "VGG16",
            "VGG19", "Resnet", "ResNet18", "ResNet34", "SE_Resnet", "Densenet", "GoogLeNet"]


def _check_device(device):
    if device is not None:
        _device.request(device)  # a CUDA device warns once per process: the model stays on the CPU


def _pick(name, value, alias_name, alias):
    """The reference spelling and its correct alias must not both be given."""
    if alias is not None:
        if value is not None:
            raise TypeError(f"got both {name!r} and its alias {alias_name!r}")
        return alias
    return value


class _ZooModel(_EngineModule):
    """A whole network living in the engine; forward, train/eval and state run there.
    Its layers are Python modules over the engine's own (`model.features[0]`,
    `model.modules()`; see nn/engine_tree.py). Arguments left at None take the engine's
    defaults (listed in the README), which live only there."""
    _engine_name = None

    def __init__(self, **config):
        config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items() if v is not None}
        try:
            text = json.dumps(config)
        except TypeError as error:
            raise TypeError(f"{self._engine_name}: arguments must be numbers, strings, booleans or lists ({error})") from None
        super().__init__(_C.model_new(self._engine_name, text))

    def __repr__(self):
        return _C.module_repr(self._handle)


class MLPnet(_ZooModel):
    """The tutorial's MLP: 3·32·32 → 128 → 64 → 10 with dropout 0.5 (402,250 parameters)."""
    _engine_name = "MLPnet"

    def __init__(self, input_size=None, num_classes=None):
        super().__init__(input_size=input_size, num_classes=num_classes)


class normal_MLP(_ZooModel):
    """Linear layers input_size → neural_list[0] → … with the mid activation (after BatchNorm1d when
    batch_normalization_use) between them and the last activation at the end."""
    _engine_name = "normal_MLP"

    def __init__(self, input_size=None, neural_list=None, mid_activation_func=None,
                 last_activateion_func=None, batch_normalization_use=None, device=None, *,
                 last_activation_func=None):
        _check_device(device)
        last = _pick("last_activateion_func", last_activateion_func, "last_activation_func", last_activation_func)
        super().__init__(input_size=input_size, neural_list=neural_list, mid_activation_func=mid_activation_func,
                         last_activateion_func=last, batch_normalization_use=batch_normalization_use)


class normal_CNN(_ZooModel):
    """3×3 conv (+BN) + activation per entry of kernal_list, 2×2 max-pool per 'p', global average
    pooling and a Linear head. The reference list gives 1,183,322 parameters."""
    _engine_name = "normal_CNN"

    def __init__(self, input_size=None, kernal_list=None, num_classes=None, activation_func=None,
                 batch_normalization_use=None, device=None, *, kernel_list=None):
        _check_device(device)
        super().__init__(input_size=input_size, kernal_list=_pick("kernal_list", kernal_list, "kernel_list", kernel_list),
                         num_classes=num_classes, activation_func=activation_func,
                         batch_normalization_use=batch_normalization_use)


class residual_CNN(_ZooModel):
    """One residual block per kernal_list entry ('small': two 3×3 convs, 'big': 1×1-3×3-1×1), stride 2 and
    a projection shortcut where the width changes, global average pooling and a Linear head."""
    _engine_name = "residual_CNN"

    def __init__(self, input_size=None, kernal_list=None, num_classes=None, Residual_Block_size=None,
                 device=None, *, kernel_list=None, residual_block_size=None):
        _check_device(device)
        super().__init__(input_size=input_size, kernal_list=_pick("kernal_list", kernal_list, "kernel_list", kernel_list),
                         num_classes=num_classes,
                         Residual_Block_size=_pick("Residual_Block_size", Residual_Block_size, "residual_block_size",
                                                   residual_block_size))


class MLP_Mixer(_ZooModel):
    """MLP-Mixer: patch embedding, N mixer blocks of width C, LayerNorm, average pooling, Linear head.
    Hidden sizes default to the paper's ratios (tokens C/2, channels 4C)."""
    _engine_name = "MLP_Mixer"

    def __init__(self, input_size=None, patch_size=None, C=None, N=None, classes_num=None, token_hidden=None,
                 channel_hidden=None, device=None):
        _check_device(device)
        super().__init__(input_size=input_size, patch_size=patch_size, C=C, N=N, classes_num=classes_num,
                         token_hidden=token_hidden, channel_hidden=channel_hidden)


class AlexNet(_ZooModel):
    """AlexNet for 227×227 inputs with LocalResponseNorm and the paper's initialisation."""
    _engine_name = "AlexNet"

    def __init__(self, num_classes=None):
        super().__init__(num_classes=num_classes)


class _VGG(_ZooModel):
    def __init__(self, cifar=None, num_classes=None, batch_norm=None):
        super().__init__(cifar=cifar, num_classes=num_classes, batch_norm=batch_norm)


class VGG11(_VGG):
    """VGG-11 ('A'); cifar=True gives the 512 → 512 → 512 → 10 head."""
    _engine_name = "VGG11"


class VGG13(_VGG):
    _engine_name = "VGG13"


class VGG16(_VGG):
    _engine_name = "VGG16"


class VGG19(_VGG):
    _engine_name = "VGG19"


class Resnet(_ZooModel):
    """The case study's bottleneck ResNet-50 for 32×32 inputs (3×3 stem, no max-pool)."""
    _engine_name = "Resnet"

    def __init__(self, num_classes=None):
        super().__init__(num_classes=num_classes)


class ResNet18(_ZooModel):
    """Basic-block ResNet-18 for 32×32 inputs."""
    _engine_name = "ResNet18"

    def __init__(self, num_classes=None):
        super().__init__(num_classes=num_classes)


class ResNet34(ResNet18):
    _engine_name = "ResNet34"


class SE_Resnet(_ZooModel):
    """ResNet-50 with squeeze-and-excitation (reduction 16) in every bottleneck."""
    _engine_name = "SE_Resnet"

    def __init__(self, num_classes=None, reduction=None):
        super().__init__(num_classes=num_classes, reduction=reduction)


class Densenet(_ZooModel):
    """DenseNet-BC for 32×32 inputs: three dense blocks, compression between them."""
    _engine_name = "Densenet"

    def __init__(self, layers=None, num_classes=None, growth_rate=None, compression_factor=None, drop_rate=None):
        super().__init__(layers=layers, num_classes=num_classes, growth_rate=growth_rate,
                         compression_factor=compression_factor, drop_rate=drop_rate)


class GoogLeNet(_ZooModel):
    """Inception v1 with batch norm (torchvision's layout); small_inputs=True uses a 3×3 stem for 32×32 images."""
    _engine_name = "GoogLeNet"

    def __init__(self, num_classes=None, aux_logits=None, small_inputs=None, dropout=None):
        super().__init__(num_classes=num_classes, aux_logits=aux_logits, small_inputs=small_inputs, dropout=dropout)


# snake_case aliases
mlpnet, normal_mlp, normal_cnn, residual_cnn, mlp_mixer = MLPnet, normal_MLP, normal_CNN, residual_CNN, MLP_Mixer
alexnet, vgg11, vgg13, vgg16, vgg19 = AlexNet, VGG11, VGG13, VGG16, VGG19
resnet50, resnet18, resnet34, se_resnet50, densenet, googlenet = Resnet, ResNet18, ResNet34, SE_Resnet, Densenet, GoogLeNet
