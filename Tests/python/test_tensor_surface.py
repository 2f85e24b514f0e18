"""The float32 tensor surface PyTorch code leans on: repr in PyTorch's format (expected
strings written from PyTorch 2's output for the same values), swiftnn.Size, var/std with
every argument form (NumPy references, finite-difference gradients), min, clone,
permute(dims=), view_as/reshape_as, numel/dim/size(d)."""
import numpy as np
import pytest

import swiftnn
import swiftnn as torch
from conftest import assert_close, check_op, f32, randn


@pytest.fixture(autouse=True)
def _default_print_options():
    yield
    torch.set_printoptions(profile="default")


# ---- repr -----------------------------------------------------------------------------

@pytest.mark.parametrize("make, expected", [
    (lambda: torch.tensor([[0.1, 0.2]], requires_grad=True), "tensor([[0.1000, 0.2000]], requires_grad=True)"),
    (lambda: torch.tensor([[0.1, 0.2]], requires_grad=True) + 1, "tensor([[1.1000, 1.2000]], grad_fn=<AddBackward0>)"),
    (lambda: torch.tensor(1.5), "tensor(1.5000)"),
    (lambda: torch.tensor(-0.0), "tensor(-0.)"),
    (lambda: torch.tensor([0.0, -0.0]), "tensor([0., -0.])"),
    (lambda: torch.tensor([1.0, 2.0, 3.0]), "tensor([1., 2., 3.])"),
    (lambda: torch.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: torch.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    (lambda: torch.tensor([123456.7, 0.5]), "tensor([1.2346e+05, 5.0000e-01])"),
    (lambda: torch.tensor([float("nan"), float("inf"), 1.5]), "tensor([   nan,    inf, 1.5000])"),
    (lambda: torch.tensor([float("nan"), 2.0]), "tensor([nan, 2.])"),
    (lambda: torch.tensor([[1e-5]]).sum(), "tensor(1.0000e-05)"),
    (lambda: torch.zeros(0, 3), "tensor([], size=(0, 3))"),
    (lambda: torch.tensor([]), "tensor([])"),
    (lambda: torch.nn.Parameter(torch.ones(2)), "Parameter containing:\ntensor([1., 1.], requires_grad=True)"),
    (lambda: torch.arange(30.0) / 3,
     "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
     "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
     "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
     "        9.0000, 9.3333, 9.6667])"),
    (lambda: (torch.arange(30.0) / 3).reshape(2, 3, 5),
     "tensor([[[0.0000, 0.3333, 0.6667, 1.0000, 1.3333],\n"
     "         [1.6667, 2.0000, 2.3333, 2.6667, 3.0000],\n"
     "         [3.3333, 3.6667, 4.0000, 4.3333, 4.6667]],\n"
     "\n"
     "        [[5.0000, 5.3333, 5.6667, 6.0000, 6.3333],\n"
     "         [6.6667, 7.0000, 7.3333, 7.6667, 8.0000],\n"
     "         [8.3333, 8.6667, 9.0000, 9.3333, 9.6667]]])"),
])
def test_repr_matches_pytorch(make, expected):
    assert repr(make()) == expected
    assert str(make()) == expected


def test_large_tensors_are_summarised_as_pytorch_does():
    # 5000 > threshold 1000: the edge items decide the format (here scientific: 4999 / 1 > 1000).
    assert repr(torch.arange(5000.0)) == (
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.9970e+03, 4.9980e+03,\n"
        "        4.9990e+03])")
    assert repr(torch.ones(3, 1000)) == (
        "tensor([[1., 1., 1.,  ..., 1., 1., 1.],\n"
        "        [1., 1., 1.,  ..., 1., 1., 1.],\n"
        "        [1., 1., 1.,  ..., 1., 1., 1.]])")
    assert repr(torch.arange(2000.0).reshape(40, 50) / 7) == (
        "tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 6.7143e+00, 6.8571e+00,\n"
        "         7.0000e+00],\n"
        "        [7.1429e+00, 7.2857e+00, 7.4286e+00,  ..., 1.3857e+01, 1.4000e+01,\n"
        "         1.4143e+01],\n"
        "        [1.4286e+01, 1.4429e+01, 1.4571e+01,  ..., 2.1000e+01, 2.1143e+01,\n"
        "         2.1286e+01],\n"
        "        ...,\n"
        "        [2.6429e+02, 2.6443e+02, 2.6457e+02,  ..., 2.7100e+02, 2.7114e+02,\n"
        "         2.7129e+02],\n"
        "        [2.7143e+02, 2.7157e+02, 2.7171e+02,  ..., 2.7814e+02, 2.7829e+02,\n"
        "         2.7843e+02],\n"
        "        [2.7857e+02, 2.7871e+02, 2.7886e+02,  ..., 2.8529e+02, 2.8543e+02,\n"
        "         2.8557e+02]])")


def test_print_options_change_the_format():
    x = torch.tensor([1.0 / 3, 2.0])
    torch.set_printoptions(precision=2)
    assert repr(x) == "tensor([0.33, 2.00])"
    torch.set_printoptions(sci_mode=True)  # options persist: precision stays 2
    assert repr(x) == "tensor([3.33e-01, 2.00e+00])"
    torch.set_printoptions(profile="default")
    torch.set_printoptions(threshold=4, edgeitems=1)
    assert repr(torch.arange(10.0)) == "tensor([0.,  ..., 9.])"
    torch.set_printoptions(profile="full")
    assert "..." not in repr(torch.arange(5000.0))
    with pytest.raises(ValueError):
        torch.set_printoptions(profile="tiny")


def test_long_suffixes_wrap_onto_a_new_line():
    x = torch.tensor([[1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]], requires_grad=True)
    text = repr(x * 1)
    assert text == ("tensor([[1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000]],\n"
                    "       grad_fn=<MulBackward0>)")


# ---- Size ----------------------------------------------------------------------------

def test_size_is_a_tuple_printed_like_torch_size():
    s = torch.zeros(2, 3).shape
    assert isinstance(s, tuple) and isinstance(s, torch.Size)
    assert s == (2, 3) and s[0] == 2 and type(s[0]) is int
    assert repr(s) == str(s) == "swiftnn.Size([2, 3])"
    assert repr(torch.tensor(2.0).shape) == "swiftnn.Size([])"
    assert isinstance(s[1:], torch.Size) and s[1:] == (3,)
    assert isinstance(s + (4,), torch.Size) and s + (4,) == (2, 3, 4)
    assert isinstance((1,) + s, torch.Size) and (1,) + s == (1, 2, 3)
    assert isinstance(s * 2, torch.Size) and s * 2 == (2, 3, 2, 3)
    assert s.numel() == 6
    b, c = torch.zeros(4, 5).size()
    assert (b, c) == (4, 5)
    with pytest.raises(TypeError):
        s + [4]


def test_size_dim_numel_with_pytorch_signatures():
    x = torch.zeros(2, 3, 4)
    assert x.size(0) == 2 and x.size(-1) == 4 and x.size() == (2, 3, 4)
    assert x.dim() == x.ndim == 3 and x.numel() == 24 and torch.numel(x) == 24
    with pytest.raises(IndexError):
        x.size(3)


# ---- var / std -------------------------------------------------------------------------

def _np_var(x, axis=None, correction=1.0, keepdims=False):
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    count = x.size if axis is None else np.prod([x.shape[a] for a in (axis if isinstance(axis, tuple) else (axis,))])
    centered = x - x.mean(axis=axis, keepdims=True)
    return (centered ** 2).sum(axis=axis, keepdims=keepdims) / max(0.0, count - correction)


@pytest.mark.parametrize("shape, dim, keepdim, correction", [
    ((7,), None, False, 1.0), ((17,), 0, True, 0.0), ((3, 7), 1, False, 1.0), ((2, 3, 5), (0, 2), True, 1.0),
    ((1, 63), -1, False, 2.0), ((4, 1, 6), (1, 2), False, 1.0),
])
def test_var_and_std_match_numpy_with_gradients(shape, dim, keepdim, correction, rng):
    x = randn(rng, *shape)

    def var_ref(a):
        return _np_var(a, dim, correction, keepdim)

    check_op(lambda t: t.var(dim, keepdim=keepdim, correction=correction), var_ref, x, rng=rng, rtol=1e-4)
    check_op(lambda t: torch.std(t, dim, keepdim=keepdim, correction=correction),
             lambda a: np.sqrt(var_ref(a)), x, rng=rng, rtol=1e-4)


def test_var_argument_forms_follow_pytorch(rng):
    x = torch.tensor(randn(rng, 3, 4))
    a = x.numpy().astype(np.float64)
    assert_close(x.var().numpy(), np.var(a, ddof=1), rtol=1e-5)
    assert_close(x.var(False).numpy(), np.var(a), rtol=1e-5)                 # torch.var(input, unbiased)
    assert_close(x.var(1, False).numpy(), np.var(a, axis=1), rtol=1e-5)     # (dim, unbiased)
    assert_close(x.var(1, unbiased=True, keepdim=True).numpy(), np.var(a, axis=1, ddof=1, keepdims=True), rtol=1e-5)
    assert_close(x.std(dim=0, correction=0).numpy(), np.std(a, axis=0), rtol=1e-5)
    assert_close(torch.var(x, (0, 1)).numpy(), np.var(a, ddof=1), rtol=1e-5)
    assert x.var(1).grad_fn is None and x.std().shape == ()
    y = torch.tensor(a, requires_grad=True)
    assert y.var().grad_fn.name() == "VarBackward0" and y.std().grad_fn.name() == "StdBackward0"
    with pytest.raises(TypeError):
        x.var(1, unbiased=False, correction=0)
    with pytest.raises(TypeError):
        x.var(correction="one")
    with pytest.raises(IndexError):
        x.std(2)


def test_var_of_too_few_elements_is_nan_or_inf_as_in_pytorch():
    assert np.isnan(torch.tensor([1.5]).var().item())           # 0 / 0
    assert np.isinf(torch.tensor([1.5, 2.5]).var(correction=3).item())  # positive / max(0, -1)
    assert torch.tensor([1.5]).var(unbiased=False).item() == 0.0


# ---- min, clone, permute, view_as ----------------------------------------------------

def test_min_whole_and_along_a_dimension(rng):
    x = randn(rng, 3, 7)
    t = torch.tensor(x, requires_grad=True)
    assert torch.min(t).item() == np.float32(x.min()) and t.min().shape == ()
    values, indices = torch.min(t, 1)
    assert_close(values.detach().numpy(), x.min(axis=1))
    assert np.array_equal(np.asarray(indices).reshape(-1), x.argmin(axis=1))
    result = t.min(dim=0, keepdim=True)
    assert result.values.shape == (1, 7) and result.values is result[0]
    values.sum().backward()
    expected = np.zeros_like(x)
    expected[np.arange(3), x.argmin(axis=1)] = 1
    assert_close(t.grad.numpy(), expected)
    first_of_ties = torch.tensor([[2.0, 1.0, 1.0]]).min(1)
    assert int(np.asarray(first_of_ties.indices).reshape(-1)[0]) == 1
    with pytest.raises(TypeError):
        torch.min(t, torch.zeros(3, 7))


def test_clone_copies_and_passes_gradients(rng):
    x = randn(rng, 7, 17)
    check_op(lambda t: t.clone() * 3, lambda a: a * 3, x, rng=rng)
    original = torch.tensor(x)
    copy = torch.clone(original)
    with torch.no_grad():
        copy.zero_()
    assert_close(original.numpy(), x)
    assert torch.ones(2, requires_grad=True).clone().grad_fn.name() == "CloneBackward0"


def test_permute_accepts_dims_keyword_and_sequences():
    x = torch.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    expected = np.arange(24, dtype=np.float32).reshape(2, 3, 4).transpose(2, 0, 1)
    for y in (x.permute(2, 0, 1), x.permute((2, 0, 1)), x.permute(dims=(2, 0, 1)), x.permute(dims=[2, 0, 1]),
              torch.permute(x, dims=(2, 0, 1)), torch.permute(x, (2, 0, 1))):
        assert_close(y.numpy(), expected)
    with pytest.raises(TypeError):
        x.permute(2, 0, 1, dims=(2, 0, 1))
    with pytest.raises(TypeError):
        x.permute(order=(2, 0, 1))


def test_view_as_reshape_as_contiguous_and_flatten():
    x = torch.arange(12.0)
    like = torch.zeros(3, 4)
    assert x.view_as(like).shape == (3, 4) and x.reshape_as(like).shape == (3, 4)
    assert x.contiguous() is x and x.is_contiguous()
    images = torch.zeros(5, 3, 4, 4)
    assert torch.flatten(images, 1).shape == (5, 48) and images.flatten(1).shape == (5, 48)
    assert torch.flatten(images).shape == (240,)


@pytest.mark.parametrize("reduce", ["mean", "sum", "amax", "amin"])
def test_reductions_over_tuples_of_dims_with_keepdim(reduce, rng):
    x = f32(rng.standard_normal((2, 3, 4, 5)))
    t = torch.tensor(x)
    ref = {"mean": np.mean, "sum": np.sum, "amax": np.max, "amin": np.min}[reduce]
    for dims in ((1, 2), (0, -1), [1, 3]):
        assert_close(getattr(t, reduce)(dims).numpy(), ref(x, axis=tuple(dims)), rtol=1e-5)
        assert_close(getattr(torch, reduce)(t, dim=dims, keepdim=True).numpy(),
                     ref(x, axis=tuple(dims), keepdims=True), rtol=1e-5)
