"""Every zoo model against an independent NumPy forward pass.

Each reference network below is written from the reference documents' architecture
and reads nothing but the model's own `state_dict()`, under the keys the reference
PyTorch code gives (`features.3.weight`, `layer2.0.shortcut.1.running_var`, ...). It
computes in float64. Before the comparison every batch-norm layer gets random running
statistics and affine parameters, LayerNorms random affine parameters and every bias
random values (loaded through `load_state_dict`), so eval-mode batch norm and the bias
paths are really exercised; the model then runs in eval mode.

Fixed architectures run at full size and their native input (AlexNet 227, GoogLeNet
224, the CIFAR ResNets and DenseNet-121 at 32, VGG's cifar head at 32 and its ImageNet
head at 224 for VGG11 with batch norm: building an ImageNet-head VGG takes seconds) with
batch 1 or 2; the configurable ones also run at small widths.
"""
import math
from functools import reduce

import numpy as np
import pytest

import swiftnn
from swiftnn import models

# ---------------------------------------------------------------------------
# A small NumPy layer library: NCHW, float64, PyTorch's definitions.
# ---------------------------------------------------------------------------


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation as one (out, in) x (in, N·H·W) product per kernel offset."""
    weight = np.asarray(weight, dtype=np.float64)
    out_channels, _, kh, kw = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (x.shape[2] - kh) // stride + 1
    ow = (x.shape[3] - kw) // stride + 1
    out = np.zeros((out_channels, x.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            window = x[:, :, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]
            out += np.tensordot(weight[:, :, i, j], window, axes=([1], [1]))
    out = out.transpose(1, 0, 2, 3)
    return out if bias is None else out + np.asarray(bias, np.float64)[None, :, None, None]


def linear(x, weight, bias=None):
    """x·Wᵀ + b, converting W to float64 a block of rows at a time (VGG's 25088x4096 layer)."""
    out = np.empty(x.shape[:-1] + (weight.shape[0],))
    for start in range(0, weight.shape[0], 1024):
        out[..., start:start + 1024] = x @ np.asarray(weight[start:start + 1024], np.float64).T
    return out if bias is None else out + bias


def batch_norm(x, mean, var, weight, bias, eps=1e-5):
    """Eval mode: normalises with the running statistics over dim 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var, weight, bias = (np.asarray(v, np.float64).reshape(shape) for v in (mean, var, weight, bias))
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def layer_norm(x, weight, bias, eps=1e-5):
    """Over the last dimension, biased variance."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _pool_windows(x, kernel, stride, padding=0, ceil_mode=False, fill=0.0):
    """The kernel·kernel strided views of a pooling, padded with `fill`; PyTorch's output
    size, including ceil mode's rule that the last window must start inside the input or left padding."""
    def size(length):
        span = length + 2 * padding - kernel
        out = (-(-span // stride) if ceil_mode else span // stride) + 1
        if ceil_mode and (out - 1) * stride >= length + padding:
            out -= 1
        return out

    n, c, h, w = x.shape
    oh, ow = size(h), size(w)
    padded = np.full((n, c, max(h + 2 * padding, (oh - 1) * stride + kernel),
                      max(w + 2 * padding, (ow - 1) * stride + kernel)), fill)
    padded[:, :, padding:padding + h, padding:padding + w] = x
    return [padded[:, :, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]
            for i in range(kernel) for j in range(kernel)]


def max_pool2d(x, kernel, stride, padding=0, ceil_mode=False):
    return reduce(np.maximum, _pool_windows(x, kernel, stride, padding, ceil_mode, -np.inf))


def avg_pool2d(x, kernel, stride):
    windows = _pool_windows(x, kernel, stride)
    return sum(windows) / len(windows)


def adaptive_avg_pool2d(x, size):
    """Cell i covers [floor(i·H/out), ceil((i+1)·H/out)); cells may overlap or repeat when out > H."""
    (oh, ow), (h, w) = size, x.shape[2:]
    out = np.empty(x.shape[:2] + (oh, ow))
    for i in range(oh):
        h0, h1 = i * h // oh, -(-(i + 1) * h // oh)
        for j in range(ow):
            w0, w1 = j * w // ow, -(-(j + 1) * w // ow)
            out[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


def local_response_norm(x, size, alpha, beta, k):
    """PyTorch's LRN: x / (k + alpha/size · Σ x² over `size` channels, zero-padded
    size//2 before and (size-1)//2 after) ** beta."""
    squares = np.pad(x ** 2, ((0, 0), (size // 2, (size - 1) // 2), (0, 0), (0, 0)))
    window = sum(squares[:, i:i + x.shape[1]] for i in range(size))
    return x / (k + alpha * window / size) ** beta


_erf = np.vectorize(math.erf)


def gelu(x):
    """The exact GELU, x·Φ(x)."""
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def relu(x):
    return np.maximum(x, 0)


def leaky_relu(x, slope=0.01):
    return np.where(x >= 0, x, slope * x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {"relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": np.tanh, "softmax": softmax,
               "identity": lambda x: x}

# State-dict readers: a layer by its key prefix.


def conv(sd, key, x, stride=1, padding=0):
    return conv2d(x, sd[key + ".weight"], sd.get(key + ".bias"), stride, padding)


def fc(sd, key, x):
    return linear(x, sd[key + ".weight"], sd.get(key + ".bias"))


def bn(sd, key, x, eps=1e-5):
    return batch_norm(x, sd[key + ".running_mean"], sd[key + ".running_var"], sd[key + ".weight"],
                      sd[key + ".bias"], eps)


def ln(sd, key, x):
    return layer_norm(x, sd[key + ".weight"], sd[key + ".bias"])


def flat(x):
    return x.reshape(len(x), -1)


def global_avg(x):
    """AdaptiveAvgPool2d(1) and flatten."""
    return x.mean(axis=(2, 3))


# ---------------------------------------------------------------------------
# The reference networks.
# ---------------------------------------------------------------------------


def ref_mlpnet(sd, x):
    """mlp-basics: fc1-relu-fc2-relu-dropout-fc3 (dropout is the identity in eval)."""
    x = relu(fc(sd, "fc1", flat(x)))
    x = relu(fc(sd, "fc2", x))
    return fc(sd, "fc3", x)


def ref_normal_mlp(sd, x, neural_list, mid, last, batch_norm_use):
    """Sequential `layers`: Linear, [BatchNorm1d], mid activation ... Linear, last activation."""
    x, i = flat(x), 0
    for position in range(len(neural_list)):
        x, i = fc(sd, f"layers.{i}", x), i + 1
        if position == len(neural_list) - 1:
            return ACTIVATIONS[last](x)
        if batch_norm_use:
            x, i = bn(sd, f"layers.{i}", x), i + 1
        x, i = ACTIVATIONS[mid](x), i + 1


def ref_normal_cnn(sd, x, kernels, activation, batch_norm_use):
    """`features`: per number conv3x3(p1, bias), [BN], activation; per 'p' maxpool 2; then global
    average pooling and the Linear `classifier`."""
    i = 0
    for entry in kernels:
        if entry == "p":
            x, i = max_pool2d(x, 2, 2), i + 1
            continue
        x, i = conv(sd, f"features.{i}", x, padding=1), i + 1
        if batch_norm_use:
            x, i = bn(sd, f"features.{i}", x), i + 1
        x, i = ACTIVATIONS[activation](x), i + 1
    return fc(sd, "classifier", global_avg(x))


def shortcut(sd, key, x, stride):
    """The identity, or the 1x1 projection + BN where the block has one."""
    if f"{key}.shortcut.0.weight" not in sd:
        return x
    return bn(sd, f"{key}.shortcut.1", conv(sd, f"{key}.shortcut.0", x, stride))


def basic_block(sd, key, x, stride):
    out = relu(bn(sd, f"{key}.bn1", conv(sd, f"{key}.conv1", x, stride, 1)))
    out = bn(sd, f"{key}.bn2", conv(sd, f"{key}.conv2", out, 1, 1))
    return relu(out + shortcut(sd, key, x, stride))


def se_layer(sd, key, x):
    """Squeeze (global average), excite (Linear-ReLU-Linear-Sigmoid, no biases), rescale channels."""
    y = relu(linear(global_avg(x), sd[f"{key}.fc.0.weight"]))
    y = sigmoid(linear(y, sd[f"{key}.fc.2.weight"]))
    return x * y[:, :, None, None]


def bottleneck(sd, key, x, stride, se=False):
    """1x1 - 3x3 (stride) - 1x1 with BN, [SE before the sum], + shortcut, ReLU."""
    out = relu(bn(sd, f"{key}.bn1", conv(sd, f"{key}.conv1", x)))
    out = relu(bn(sd, f"{key}.bn2", conv(sd, f"{key}.conv2", out, stride, 1)))
    out = bn(sd, f"{key}.bn3", conv(sd, f"{key}.conv3", out))
    if se:
        out = se_layer(sd, f"{key}.se", out)
    return relu(out + shortcut(sd, key, x, stride))


def ref_resnet(sd, x, stage_blocks, block):
    """The case study's CIFAR ResNet: 3x3 stem + BN + ReLU (no max-pool), `layer1..4` with
    stride 2 at the start of stages 2-4, global average pooling, `fc`."""
    x = relu(bn(sd, "bn1", conv(sd, "conv1", x, 1, 1)))
    for stage, count in enumerate(stage_blocks):
        for i in range(count):
            x = block(sd, f"layer{stage + 1}.{i}", x, 2 if i == 0 and stage > 0 else 1)
    return fc(sd, "fc", global_avg(x))


def se_bottleneck(sd, key, x, stride):
    return bottleneck(sd, key, x, stride, se=True)


def ref_residual_cnn(sd, x, kernels, big):
    """Stem conv3x3 + BN + ReLU, one block per kernel-list entry (stride 2 where the width
    changes), global average pooling, `fc`."""
    x = relu(bn(sd, "bn1", conv(sd, "conv1", x, 1, 1)))
    width = kernels[0]
    for i, planes in enumerate(kernels):
        x = (bottleneck if big else basic_block)(sd, f"layers.{i}", x, 1 if planes == width else 2)
        width = planes
    return fc(sd, "fc", global_avg(x))


def ref_densenet(sd, x, layers):
    """DenseNet-BC as in the case study: n = ((layers - 4) / 3) // 2 bottlenecks per block
    (BN-ReLU-conv1x1-BN-ReLU-conv3x3, concatenated to the input), transitions
    BN-ReLU-conv1x1-avgpool2, final BN-ReLU, global average pooling, `fc`."""
    n = int(((layers - 3 - 1) / 3) // 2)
    x = conv(sd, "conv1", x, 1, 1)
    for block in (1, 2, 3):
        for i in range(n):
            key = f"block{block}.layer.{i}"
            out = conv(sd, f"{key}.conv1", relu(bn(sd, f"{key}.bn1", x)))
            out = conv(sd, f"{key}.conv2", relu(bn(sd, f"{key}.bn2", out)), 1, 1)
            x = np.concatenate([x, out], axis=1)
        if block < 3:
            key = f"trans{block}"
            x = avg_pool2d(conv(sd, f"{key}.conv1", relu(bn(sd, f"{key}.bn1", x))), 2, 2)
    return fc(sd, "fc", global_avg(relu(bn(sd, "bn1", x))))


def ref_alexnet(sd, x):
    """cnn-architectures: `net` (conv11/4, ReLU, LRN(5, 1e-4, 0.75, 2), maxpool 3/2, conv5 p2, ReLU,
    LRN, maxpool, 3x conv3 p1 with ReLU, maxpool) and `classifier` (dropout, 9216→4096, ReLU,
    dropout, 4096→4096, ReLU, 4096→classes)."""
    def lrn(v):
        return local_response_norm(v, 5, 1e-4, 0.75, 2.0)

    x = max_pool2d(lrn(relu(conv(sd, "net.0", x, 4))), 3, 2)
    x = max_pool2d(lrn(relu(conv(sd, "net.4", x, 1, 2))), 3, 2)
    x = relu(conv(sd, "net.8", x, 1, 1))
    x = relu(conv(sd, "net.10", x, 1, 1))
    x = max_pool2d(relu(conv(sd, "net.12", x, 1, 1)), 3, 2)
    x = relu(fc(sd, "classifier.1", flat(x)))
    x = relu(fc(sd, "classifier.4", x))
    return fc(sd, "classifier.6", x)


VGG_CFG = {
    "VGG11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "VGG13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "VGG16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "VGG19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def ref_vgg(sd, x, name, cifar, batch_norm_use):
    """`features` from the cfg list (conv3x3 p1, [BN], ReLU; 'M' maxpool 2); the cifar head
    (dropout, 512→512, ReLU, dropout, 512→512, ReLU, 512→classes) on the flattened features, or
    the ImageNet head (adaptive average pool to 7x7, 25088→4096, ReLU, dropout, 4096→4096, ReLU,
    dropout, 4096→classes)."""
    i = 0
    for value in VGG_CFG[name]:
        if value == "M":
            x, i = max_pool2d(x, 2, 2), i + 1
            continue
        x, i = conv(sd, f"features.{i}", x, 1, 1), i + 1
        if batch_norm_use:
            x, i = bn(sd, f"features.{i}", x), i + 1
        x, i = relu(x), i + 1
    if cifar:
        x = relu(fc(sd, "classifier.1", flat(x)))
        x = relu(fc(sd, "classifier.4", x))
    else:
        x = relu(fc(sd, "classifier.0", flat(adaptive_avg_pool2d(x, (7, 7)))))
        x = relu(fc(sd, "classifier.3", x))
    return fc(sd, "classifier.6", x)


def basic_conv(sd, key, x, stride=1, padding=0):
    """GoogLeNet's BasicConv2d: conv (no bias), BN with eps 1e-3, ReLU."""
    return relu(bn(sd, f"{key}.bn", conv(sd, f"{key}.conv", x, stride, padding), eps=1e-3))


def inception(sd, key, x):
    """Four branches concatenated: 1x1; 1x1-3x3; 1x1-3x3 (torchvision's 3x3 in place of 5x5);
    maxpool 3/1 p1 (ceil) - 1x1."""
    b1 = basic_conv(sd, f"{key}.branch1", x)
    b2 = basic_conv(sd, f"{key}.branch2.1", basic_conv(sd, f"{key}.branch2.0", x), padding=1)
    b3 = basic_conv(sd, f"{key}.branch3.1", basic_conv(sd, f"{key}.branch3.0", x), padding=1)
    b4 = basic_conv(sd, f"{key}.branch4.1", max_pool2d(x, 3, 1, 1, ceil_mode=True))
    return np.concatenate([b1, b2, b3, b4], axis=1)


def ref_googlenet(sd, x, small_inputs=False):
    """Inception v1 with BN (torchvision's layout, no auxiliary heads); `small_inputs` replaces
    the 7x7/2 stem and the first two max-pools with a 3x3/1 stem."""
    def pool(v):
        return max_pool2d(v, 3, 2, ceil_mode=True)

    if small_inputs:
        x = basic_conv(sd, "conv1", x, 1, 1)
    else:
        x = pool(basic_conv(sd, "conv1", x, 2, 3))
    x = basic_conv(sd, "conv3", basic_conv(sd, "conv2", x), 1, 1)
    if not small_inputs:
        x = pool(x)
    x = pool(inception(sd, "inception3b", inception(sd, "inception3a", x)))
    for name in ("4a", "4b", "4c", "4d", "4e"):
        x = inception(sd, f"inception{name}", x)
    x = max_pool2d(x, 2, 2, ceil_mode=True)
    x = inception(sd, "inception5b", inception(sd, "inception5a", x))
    return fc(sd, "fc", global_avg(x))


def ref_mlp_mixer(sd, x, patch_size, blocks):
    """Tolstikhin et al.: patch embedding (conv k=s=patch), N blocks of
    x += token_mixing(LN(x)ᵀ)ᵀ and x += channel_mixing(LN(x)) (Linear-GELU-Linear),
    LayerNorm, mean over patches, Linear `classifier`."""
    x = conv(sd, "patch_embedding", x, patch_size)
    x = x.reshape(x.shape[0], x.shape[1], -1).transpose(0, 2, 1)  # [N, patches, C]
    for i in range(blocks):
        key = f"mixer_layers.{i}"
        tokens = ln(sd, f"{key}.norm1", x).transpose(0, 2, 1)
        tokens = fc(sd, f"{key}.token_mixing.2", gelu(fc(sd, f"{key}.token_mixing.0", tokens)))
        x = x + tokens.transpose(0, 2, 1)
        channels = fc(sd, f"{key}.channel_mixing.0", ln(sd, f"{key}.norm2", x))
        x = x + fc(sd, f"{key}.channel_mixing.2", gelu(channels))
    return fc(sd, "classifier", ln(sd, "norm", x).mean(axis=1))


# ---------------------------------------------------------------------------
# The cases: (id, constructor, input shape, reference(sd, x)).
# ---------------------------------------------------------------------------

REFERENCE_KERNELS = [16, 16, "p", 32, 32, "p", 64, 64, "p", 128, 128, "p", 256, 256]
SMALL_KERNELS = [8, "p", 12, 12, "p", 16]
RESIDUAL_KERNELS = [32, 32, 64, 64, 64, 64, 128, 128, 128]
MIXER = dict(input_size=(3, 16, 16), patch_size=4, C=16, N=2, classes_num=5, token_hidden=8, channel_hidden=24)


def case(make, shape, reference, scale=1.0, *, id):
    """A model constructor, the input shape, the reference and the input's scale."""
    return pytest.param(make, shape, reference, scale, id=id)


def vgg_case(name, cifar, batch_norm_use, size, batch):
    suffix = ("cifar" if cifar else "imagenet") + ("-bn" if batch_norm_use else "") + f"-{size}"
    return case(lambda: getattr(models, name)(cifar=cifar, batch_norm=batch_norm_use), (batch, 3, size, size),
                lambda sd, x: ref_vgg(sd, x, name, cifar, batch_norm_use), id=f"{name}-{suffix}")


CASES = [
    case(models.MLPnet, (2, 3, 32, 32), ref_mlpnet, id="MLPnet"),
    case(lambda: models.normal_MLP(), (2, 64), lambda sd, x: ref_normal_mlp(sd, x, [64, 64, 128, 128], "relu", "identity", False),
                 id="normal_MLP-default"),
    case(lambda: models.normal_MLP(input_size=48, neural_list=[32, 16, 8], mid_activation_func="leaky_relu",
                                           last_activateion_func="softmax", batch_normalization_use=True),
                 (2, 48), lambda sd, x: ref_normal_mlp(sd, x, [32, 16, 8], "leaky_relu", "softmax", True),
                 id="normal_MLP-bn-leaky-softmax"),
    case(lambda: models.normal_MLP(input_size=12, neural_list=[10, 6], mid_activation_func="sigmoid"),
                 (2, 3, 2, 2), lambda sd, x: ref_normal_mlp(sd, x, [10, 6], "sigmoid", "identity", False),
                 id="normal_MLP-sigmoid"),
    case(lambda: models.normal_CNN(kernal_list=REFERENCE_KERNELS), (2, 3, 32, 32),
                 lambda sd, x: ref_normal_cnn(sd, x, REFERENCE_KERNELS, "relu", True), id="normal_CNN-full"),
    case(lambda: models.normal_CNN(input_size=(1, 12, 12), kernal_list=SMALL_KERNELS, num_classes=4,
                                           activation_func="leaky_relu", batch_normalization_use=False),
                 (2, 1, 12, 12), lambda sd, x: ref_normal_cnn(sd, x, SMALL_KERNELS, "leaky_relu", False),
                 id="normal_CNN-small-nobn"),
    case(lambda: models.residual_CNN(kernal_list=RESIDUAL_KERNELS), (2, 3, 32, 32),
                 lambda sd, x: ref_residual_cnn(sd, x, RESIDUAL_KERNELS, big=False), id="residual_CNN-small-full"),
    case(lambda: models.residual_CNN(kernal_list=RESIDUAL_KERNELS, Residual_Block_size="big"), (2, 3, 32, 32),
                 lambda sd, x: ref_residual_cnn(sd, x, RESIDUAL_KERNELS, big=True), id="residual_CNN-big-full"),
    case(lambda: models.residual_CNN(kernal_list=[8, 16, 16, 24], num_classes=3, Residual_Block_size="big"),
                 (2, 3, 16, 16), lambda sd, x: ref_residual_cnn(sd, x, [8, 16, 16, 24], big=True), id="residual_CNN-big-small"),
    case(lambda: models.MLP_Mixer(**MIXER), (2, 3, 16, 16), lambda sd, x: ref_mlp_mixer(sd, x, 4, 2),
                 id="MLP_Mixer-small"),
    case(lambda: models.MLP_Mixer(), (2, 3, 32, 32), lambda sd, x: ref_mlp_mixer(sd, x, 4, 6),
                 id="MLP_Mixer-S4-full"),
    # Inputs ~100 make the LRN denominators differ from k (AlexNet's conv weights are N(0, 0.01)).
    case(models.AlexNet, (1, 3, 227, 227), ref_alexnet, 100.0, id="AlexNet-full"),
    *[vgg_case(name, True, bn_use, 32, 2) for name in VGG_CFG for bn_use in (False, True)],
    # The ImageNet head at 224 (its construction alone takes seconds; VGG16's is checked in test_zoo.py).
    vgg_case("VGG11", False, True, 224, 1),
    case(models.Resnet, (1, 3, 32, 32), lambda sd, x: ref_resnet(sd, x, [3, 4, 6, 3], bottleneck),
                 id="Resnet-full"),
    case(models.ResNet18, (2, 3, 32, 32), lambda sd, x: ref_resnet(sd, x, [2, 2, 2, 2], basic_block),
                 id="ResNet18-full"),
    case(models.ResNet34, (1, 3, 32, 32), lambda sd, x: ref_resnet(sd, x, [3, 4, 6, 3], basic_block),
                 id="ResNet34-full"),
    case(models.SE_Resnet, (1, 3, 32, 32), lambda sd, x: ref_resnet(sd, x, [3, 4, 6, 3], se_bottleneck),
                 id="SE_Resnet-full"),
    case(lambda: models.Densenet(layers=16, growth_rate=4, num_classes=5), (2, 3, 32, 32),
                 lambda sd, x: ref_densenet(sd, x, 16), id="Densenet-small"),
    case(lambda: models.Densenet(layers=23, growth_rate=6, compression_factor=0.7, num_classes=4), (2, 3, 32, 32),
                 lambda sd, x: ref_densenet(sd, x, 23), id="Densenet-uneven"),
    case(models.Densenet, (1, 3, 32, 32), lambda sd, x: ref_densenet(sd, x, 121), id="Densenet-121-full"),
    case(models.GoogLeNet, (1, 3, 224, 224), ref_googlenet, id="GoogLeNet-full"),
    case(lambda: models.GoogLeNet(num_classes=10, small_inputs=True), (2, 3, 32, 32),
                 lambda sd, x: ref_googlenet(sd, x, small_inputs=True), id="GoogLeNet-small_inputs"),
]


def randomize_state(model, rng):
    """Random BN running statistics, BN/LayerNorm affine parameters (the 1-D weights) and biases,
    loaded through load_state_dict; returns the model's state_dict afterwards."""
    state = model.state_dict()
    for key, value in state.items():
        name = key.rsplit(".", 1)[-1]
        if name == "running_mean" or name == "bias":
            state[key] = rng.normal(0, 0.2, value.shape).astype(np.float32)
        elif name == "running_var":
            state[key] = rng.uniform(0.1, 2.0, value.shape).astype(np.float32)
        elif name == "weight" and value.ndim == 1:
            state[key] = rng.uniform(0.5, 1.5, value.shape).astype(np.float32)
    model.load_state_dict(state)
    return model.state_dict()


@pytest.mark.parametrize("make, shape, reference, scale", CASES)
def test_eval_logits_match_numpy_reference(make, shape, reference, scale):
    rng = np.random.default_rng(7)
    model = make()
    before = model.state_dict()
    sd = randomize_state(model, rng)
    # The randomisation really reached the engine: BN running statistics moved off (0, 1).
    moved = [k for k in sd if k.endswith("running_var") and not np.array_equal(sd[k], before[k])]
    assert moved or not any(k.endswith("running_var") for k in sd)
    x = (scale * rng.standard_normal(shape)).astype(np.float32)
    model.eval()
    with swiftnn.no_grad():
        out = model(x).numpy()
    expected = reference(sd, x.astype(np.float64))
    assert out.shape == expected.shape
    assert np.all(np.isfinite(expected)) and np.abs(expected).max() > 0
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())
