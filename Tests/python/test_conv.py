"""Conv2d and the pooling layers against NumPy references written here (forward
and gradients by central differences), including groups, dilation, 'same'
padding, odd sizes and batch 1; and the errors bad arguments raise."""
import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, check_op, randn


def np_conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups=1):
    """padding = (top, bottom, left, right); float64 direct sum over the window."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[1]), (padding[2], padding[3])))
    oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dilation[0]:i * dilation[0] + stride[0] * (oh - 1) + 1:stride[0],
                           j * dilation[1]:j * dilation[1] + stride[1] * (ow - 1) + 1:stride[1]]
                out[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


CONV_CASES = [
    # (x shape, w shape, stride, padding arg, dilation, groups)
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 0, 1, 1),
    ((2, 3, 7, 6), (4, 3, 3, 3), 2, 1, 1, 1),
    ((1, 4, 9, 9), (6, 2, 3, 3), 1, 2, 2, 2),           # groups and dilation
    ((2, 3, 5, 5), (3, 1, 3, 3), 1, 1, 1, 3),           # depthwise
    ((1, 2, 6, 5), (3, 2, 4, 2), 1, "same", 1, 1),      # even kernel: extra padding at the end
    ((2, 2, 5, 5), (3, 2, 3, 3), 1, "valid", 1, 1),
    ((3, 5, 4, 3), (7, 5, 1, 1), 1, 0, 1, 1),           # pointwise fast path
    ((1, 1, 1, 1), (1, 1, 1, 1), 1, 0, 1, 1),
    ((1, 2, 17, 7), (2, 2, 3, 2), (2, 3), (1, 0), (1, 2), 1),
    ((9, 3, 3, 3), (5, 3, 3, 3), 1, 1, 1, 1),           # batch split over threads, small images folded
]


def _np_padding(padding, w_shape, dilation):
    kh, kw = w_shape[2:]
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        th, tw = d[0] * (kh - 1), d[1] * (kw - 1)
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    p = padding if isinstance(padding, tuple) else (padding, padding)
    return (p[0], p[0], p[1], p[1])


@pytest.mark.parametrize("x_shape,w_shape,stride,padding,dilation,groups", CONV_CASES)
def test_conv2d_matches_numpy(x_shape, w_shape, stride, padding, dilation, groups, rng):
    x, w, b = randn(rng, *x_shape), randn(rng, *w_shape), randn(rng, w_shape[0])
    s = stride if isinstance(stride, tuple) else (stride, stride)
    d = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    pads = _np_padding(padding, w_shape, dilation)

    def reference(x, w, b):
        return np_conv2d(x, w, b, s, pads, d, groups)

    check_op(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups),
             reference, x, w, b, rng=rng, rtol=1e-4, atol=1e-5)


def test_conv2d_layer_uses_its_parameters_and_keys(rng):
    conv = nn.Conv2d(4, 6, kernel_size=(3, 2), stride=2, padding=1, groups=2)
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    x = randn(rng, 2, 4, 7, 7)
    out = conv(x.astype(np.float32))
    expected = np_conv2d(x, conv.weight.numpy().astype(np.float64), conv.bias.numpy().astype(np.float64),
                         (2, 2), (1, 1, 1, 1), (1, 1), 2)
    assert_close(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    out.sum().backward()
    assert conv.weight.grad.shape == (6, 2, 3, 2)
    assert_close(conv.bias.grad.numpy(), np.full(6, 2 * 4 * 4.0))  # every output position contributes 1
    assert repr(conv) == "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)"
    bound = 1 / np.sqrt(2 * 3 * 2)
    assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.bias.numpy()).max() <= bound


def test_conv2d_without_bias_and_unbatched(rng):
    conv = nn.Conv2d(3, 2, 3, padding="same", bias=False)
    assert conv.bias is None and list(conv.state_dict()) == ["weight"]
    x = randn(rng, 3, 5, 5)
    out = conv(x)
    assert out.shape == (2, 5, 5)
    expected = np_conv2d(x[None], conv.weight.numpy().astype(np.float64), None, padding=(1, 1, 1, 1))[0]
    assert_close(out.numpy(), expected, rtol=1e-4, atol=1e-5)


def np_windows(size, k, s, p, d, ceil):
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return [o * s - p for o in range(out)]


def np_max_pool(x, k, s, p, d, ceil):
    rows = np_windows(x.shape[-2], k[0], s[0], p[0], d[0], ceil)
    cols = np_windows(x.shape[-1], k[1], s[1], p[1], d[1], ceil)
    out = np.full(x.shape[:-2] + (len(rows), len(cols)), -np.inf)
    for a, r in enumerate(rows):
        for b_, c in enumerate(cols):
            for i in range(k[0]):
                for j in range(k[1]):
                    y, z = r + i * d[0], c + j * d[1]
                    if 0 <= y < x.shape[-2] and 0 <= z < x.shape[-1]:
                        out[..., a, b_] = np.maximum(out[..., a, b_], x[..., y, z])
    return out


def np_avg_pool(x, k, s, p, ceil, include_pad, divisor=None):
    h, w = x.shape[-2:]
    rows = np_windows(h, k[0], s[0], p[0], 1, ceil)
    cols = np_windows(w, k[1], s[1], p[1], 1, ceil)
    out = np.zeros(x.shape[:-2] + (len(rows), len(cols)))
    for a, r in enumerate(rows):
        for b_, c in enumerate(cols):
            r_end, c_end = min(r + k[0], h + p[0]), min(c + k[1], w + p[1])
            window = x[..., max(r, 0):min(r_end, h), max(c, 0):min(c_end, w)]
            n = divisor or ((r_end - r) * (c_end - c) if include_pad else window.shape[-1] * window.shape[-2])
            out[..., a, b_] = window.sum(axis=(-1, -2)) / n
    return out


def distinct(rng, *shape):
    """Values 0.05 apart at least, so no window has a tie within the finite-difference step."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.05 - n * 0.025).astype(np.float32).astype(np.float64)


POOL_CASES = [
    # (shape, kernel, stride, padding, dilation, ceil_mode)
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((1, 2, 7, 7), 3, 2, 1, 1, False),
    ((1, 2, 7, 7), 3, 2, 1, 1, True),
    ((2, 1, 17, 9), (3, 2), (2, 3), 1, (2, 1), True),
    ((3, 5, 5), 2, 1, 1, 1, False),
    ((1, 1, 1, 1), 1, 1, 0, 1, False),
]


@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil", POOL_CASES)
def test_max_pool2d_matches_numpy(shape, kernel, stride, padding, dilation, ceil, rng):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    k, p, d = pair(kernel), pair(padding), pair(dilation)
    s = k if stride is None else pair(stride)
    x = distinct(rng, *shape)
    check_op(lambda t: F.max_pool2d(t, kernel, stride, padding, dilation, ceil_mode=ceil),
             lambda a: np_max_pool(a, k, s, p, d, ceil), x, rng=rng)
    layer = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil)
    assert_close(layer(x).numpy(), np_max_pool(x, k, s, p, d, ceil))


def test_max_pool2d_return_indices():
    x = np.array([[[[1, 9, 2], [8, 3, 7]]]], np.float32)
    values, indices = F.max_pool2d(x, 2, stride=1, return_indices=True)
    assert values.numpy().tolist() == [[[[9.0, 9.0]]]]
    assert indices.dtype == np.int64 and indices.tolist() == [[[[1, 1]]]]


AVG_CASES = [
    # (shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((1, 2, 7, 7), 3, 2, 1, False, True, None),
    ((1, 2, 7, 7), 3, 2, 1, False, False, None),
    ((1, 2, 7, 6), 3, 2, 1, True, True, None),
    ((1, 2, 7, 6), 3, 2, 1, True, False, None),
    ((2, 1, 17, 9), (4, 2), (3, 2), (2, 1), True, True, None),
    ((1, 3, 5, 5), 2, 2, 1, False, True, 3),
]


@pytest.mark.parametrize("shape,kernel,stride,padding,ceil,include,divisor", AVG_CASES)
def test_avg_pool2d_matches_numpy(shape, kernel, stride, padding, ceil, include, divisor, rng):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)
    k, p = pair(kernel), pair(padding)
    s = k if stride is None else pair(stride)
    x = randn(rng, *shape)
    check_op(lambda t: F.avg_pool2d(t, kernel, stride, padding, ceil, include, divisor),
             lambda a: np_avg_pool(a, k, s, p, ceil, include, divisor), x, rng=rng)
    layer = nn.AvgPool2d(kernel, stride, padding, ceil, include, divisor)
    assert_close(layer(x).numpy(), np_avg_pool(x, k, s, p, ceil, include, divisor))


def np_adaptive(x, out_hw, reduce):
    h, w = x.shape[-2:]
    oh, ow = out_hw
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, r1 = (i * h) // oh, -(-((i + 1) * h) // oh)
            c0, c1 = (j * w) // ow, -(-((j + 1) * w) // ow)
            out[..., i, j] = reduce(x[..., r0:r1, c0:c1], axis=(-1, -2))
    return out


@pytest.mark.parametrize("shape,size", [((2, 2, 7, 5), (3, 2)), ((1, 3, 4, 4), 1), ((1, 1, 2, 3), (5, 4)),
                                        ((2, 7, 7), (None, 3))])
def test_adaptive_pools_match_numpy(shape, size, rng):
    x = distinct(rng, *shape)
    hw = size if isinstance(size, tuple) else (size, size)
    hw = tuple(shape[-2 + i] if v is None else v for i, v in enumerate(hw))
    check_op(lambda t: F.adaptive_avg_pool2d(t, size), lambda a: np_adaptive(a, hw, np.mean), x, rng=rng)
    check_op(lambda t: F.adaptive_max_pool2d(t, size), lambda a: np_adaptive(a, hw, np.max), x, rng=rng)
    assert_close(nn.AdaptiveAvgPool2d(size)(x).numpy(), np_adaptive(x, hw, np.mean))
    assert_close(nn.AdaptiveMaxPool2d(size)(x).numpy(), np_adaptive(x, hw, np.max))


def test_conv_errors_name_the_shapes():
    x = np.zeros((1, 3, 4, 4), np.float32)
    with pytest.raises(ValueError, match="Kernel size can't be greater"):
        F.conv2d(x, np.zeros((2, 3, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"\[1, 3, 4, 4\]"):
        nn.Conv2d(4, 2, 3)(x)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match=r"\[3, 4\]"):
        nn.Conv2d(3, 2, 1)(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding string"):
        nn.Conv2d(3, 2, 3, padding="full")
    with pytest.raises(TypeError):
        nn.Conv2d(3, 2, kernel_size="3")
    with pytest.raises(ValueError):
        nn.Conv2d(3, 2, kernel_size=0)
    with pytest.raises(ValueError):
        nn.Conv2d(3, 2, kernel_size=3, groups=0)
    with pytest.raises(ValueError):
        nn.Conv2d(-1, 2, 3)


def test_pool_errors_never_crash():
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError, match="half of kernel size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="too small"):
        F.max_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"\[4, 4\]"):
        F.avg_pool2d(np.zeros((4, 4), np.float32), 2)
    with pytest.raises(ValueError):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(ValueError):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError):
        F.max_pool2d(np.zeros((2,), np.float32), 2, return_indices=True)
    # NaN flows through max pooling as in PyTorch.
    y = F.max_pool2d(np.array([[[[1.0, np.nan], [0.0, 2.0]]]], np.float32), 2).numpy()
    assert np.isnan(y).all()


def test_thread_count_round_trip():
    before = swiftnn.get_num_threads()
    try:
        swiftnn.set_num_threads(1)
        assert swiftnn.get_num_threads() == 1
        with pytest.raises(ValueError):
            swiftnn.set_num_threads(0)
        with pytest.raises(TypeError):
            swiftnn.set_num_threads(1.5)
    finally:
        swiftnn.set_num_threads(before)
    assert swiftnn.get_num_threads() == before


@pytest.mark.parametrize("shape,padding", [((2, 32, 6, 5), 1), ((1, 40, 7, 7), 0), ((3, 32, 4, 4), "same")])
def test_winograd_sized_conv_forward_and_input_gradient(shape, padding, rng):
    """3x3 stride-1 convolutions with >= 32 channels run through the engine's Winograd path.
    The input gradient is checked against its closed form: the output gradient, padded by
    2 - padding, correlated with the filters rotated by 180 degrees and transposed."""
    x, w = randn(rng, *shape), randn(rng, 36, shape[1], 3, 3) * 0.2
    p = 1 if padding == "same" else padding
    t = swiftnn.tensor(x, requires_grad=True)
    out = F.conv2d(t, w, padding=padding)
    assert_close(out.numpy(), np_conv2d(x, w, padding=(p, p, p, p)), rtol=1e-4, atol=1e-4)
    gy = randn(rng, *out.shape)
    out.backward(swiftnn.tensor(gy))
    rotated = np.ascontiguousarray(np.transpose(w[:, :, ::-1, ::-1], (1, 0, 2, 3)))
    expected = np_conv2d(gy, rotated, padding=(2 - p,) * 4)
    assert_close(t.grad.numpy(), expected, rtol=1e-4, atol=1e-4)
    # The weight gradient: dW[o, c, i, j] = sum over n, y, x of gy[n, o, y, x] * x_padded[n, c, y + i, x + j].
    tw = swiftnn.tensor(w, requires_grad=True)
    F.conv2d(x, tw, padding=padding).backward(swiftnn.tensor(gy))
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = gy.shape[2:]
    dw = np.stack([np.stack([np.einsum("nohw,nchw->oc", gy, xp[:, :, i:i + oh, j:j + ow]) for j in range(3)], -1)
                   for i in range(3)], -2)
    assert_close(tw.grad.numpy(), dw, rtol=1e-4, atol=1e-3)
