"""Tensor creation, conversion to and from NumPy, properties, autograd state and grad modes."""
import threading

import numpy as np
import pytest

import swiftnn
from conftest import assert_close, f32


def test_version():
    assert isinstance(swiftnn.__version__, str) and swiftnn.__version__.count(".") == 2
    assert swiftnn._C.abi_version() == swiftnn._C.ABI_VERSION == 3


@pytest.mark.parametrize("data", [
    [[1, 2], [3, 4]],
    np.arange(6, dtype=np.float64).reshape(2, 3) / 7,
    np.arange(6, dtype=np.int32).reshape(3, 2),
    np.arange(4, dtype=np.uint8),
    np.array([True, False]),
    np.float16([1.5, 2.5]),
    3.25,
    7,
    np.float64(2.5),
])
def test_Tensor_constructor_copies_any_numeric_array_like_as_float32(data):
    t = swiftnn.Tensor(data)  # torch.Tensor(data) is float32; swiftnn.tensor infers (test_dtypes.py)
    expected = np.asarray(data, dtype=np.float32)
    out = t.numpy()
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)
    assert t.dtype == np.float32 and t.dtype == "float32" and t.dtype == swiftnn.float32


def test_non_contiguous_input_is_copied_correctly(rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    for view in (x.T, x[:, ::2], x[::-1]):
        np.testing.assert_array_equal(swiftnn.tensor(view).numpy(), view)


def test_tensor_class_constructor():
    t = swiftnn.Tensor([[1, 2]])
    assert t.shape == (1, 2) and not t.requires_grad and isinstance(t, swiftnn.Tensor)


def test_numpy_output_is_a_fresh_copy():
    t = swiftnn.ones(2, 2)
    a = t.numpy()
    a[0, 0] = 5
    assert t.numpy()[0, 0] == 1
    assert t.numpy() is not t.numpy()


def test_numpy_allowed_when_requires_grad():
    t = swiftnn.ones(3, requires_grad=True)
    assert_close(t.numpy(), np.ones(3))
    assert_close(np.asarray(t), np.ones(3))
    np.testing.assert_allclose(t, np.ones(3))
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_from_numpy_copies():
    a = np.arange(3, dtype=np.float32)
    t = swiftnn.from_numpy(a)
    a[0] = 10
    assert t.numpy()[0] == 0
    with pytest.raises(TypeError):
        swiftnn.from_numpy([1, 2])


@pytest.mark.parametrize("fn,value", [(swiftnn.zeros, 0.0), (swiftnn.ones, 1.0)])
def test_zeros_ones_shape_forms(fn, value):
    for args, shape in [((2, 3), (2, 3)), (((2, 3),), (2, 3)), (([4],), (4,)), ((), ()), ((0, 3), (0, 3))]:
        t = fn(*args)
        assert t.shape == shape
        np.testing.assert_array_equal(t.numpy(), np.full(shape, value, np.float32))
    assert fn(2, requires_grad=True).requires_grad


def test_full_like_and_friends():
    np.testing.assert_array_equal(swiftnn.full((2, 2), 7.5).numpy(), np.full((2, 2), 7.5))
    np.testing.assert_array_equal(swiftnn.full(3, -1).numpy(), np.full(3, -1.0))
    base = swiftnn.ones(2, 5)
    assert swiftnn.zeros_like(base).shape == (2, 5)
    assert swiftnn.ones_like(base).numpy().sum() == 10


@pytest.mark.parametrize("args,expected", [
    ((5,), np.arange(5)),
    ((2, 7), np.arange(2, 7)),
    ((0, 1, 0.25), np.arange(0, 1, 0.25)),
    ((5, 0, -1.5), np.arange(5, 0, -1.5)),
    ((3, 3), np.arange(3, 3)),
])
def test_arange(args, expected):
    assert_close(swiftnn.arange(*args).numpy(), expected)


def test_arange_errors():
    with pytest.raises(ValueError):
        swiftnn.arange(0, 5, 0)
    with pytest.raises(ValueError):
        swiftnn.arange(5, 0, 1)
    with pytest.raises(ValueError):
        swiftnn.arange(0, 1e30)


def test_random_creation_is_seeded():
    swiftnn.manual_seed(42)
    a, b = swiftnn.randn(3, 4), swiftnn.rand((5,))
    c = swiftnn.randint(0, 10, (100,))
    swiftnn.manual_seed(42)
    np.testing.assert_array_equal(a.numpy(), swiftnn.randn(3, 4).numpy())
    np.testing.assert_array_equal(b.numpy(), swiftnn.rand(5).numpy())
    np.testing.assert_array_equal(c, swiftnn.randint(0, 10, (100,)))
    u = swiftnn.rand(10000).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    n = swiftnn.randn(10000).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    assert swiftnn.randn(2, 3, requires_grad=True).requires_grad
    swiftnn.manual_seed(-1)  # PyTorch accepts negative seeds


def test_randint_forms():
    r = swiftnn.randint(5, (2, 3))
    assert r.dtype == np.int64 and r.shape == (2, 3) and r.min() >= 0 and r.max() < 5
    r = swiftnn.randint(-3, 3, size=(1000,))
    assert r.min() == -3 and r.max() == 2
    with pytest.raises(ValueError):
        swiftnn.randint(3, 3, (2,))


def test_shape_and_size():
    t = swiftnn.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple) and isinstance(t.shape, swiftnn.Size)
    assert repr(t.shape) == "swiftnn.Size([2, 3, 4])" and t.shape.numel() == 24
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    with pytest.raises(IndexError):
        t.size(3)
    s = swiftnn.tensor(1.5)
    assert s.shape == () and s.ndim == 0 and s.numel() == 1
    with pytest.raises(TypeError):
        len(s)
    with pytest.raises(IndexError):
        s.size(0)


def test_item_tolist_and_conversions():
    assert swiftnn.tensor([[2.5]]).item() == 2.5
    with pytest.raises(RuntimeError):
        swiftnn.ones(2).item()
    assert swiftnn.tensor([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert swiftnn.tensor(3.0).tolist() == 3.0
    assert float(swiftnn.tensor(2.0)) == 2.0 and int(swiftnn.tensor(3.7)) == 3
    assert bool(swiftnn.tensor(1.0)) and not bool(swiftnn.tensor([0.0]))
    with pytest.raises(RuntimeError):
        bool(swiftnn.ones(2))
    assert f"{swiftnn.tensor(0.123456):.3f}" == "0.123"


def test_repr_like_torch():
    assert repr(swiftnn.tensor([[1.0, 2], [3, 4]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert repr(swiftnn.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(swiftnn.tensor(3.0)) == "tensor(3.)"
    assert repr(swiftnn.ones(2, requires_grad=True)) == "tensor([1., 1.], requires_grad=True)"
    y = swiftnn.ones(2, requires_grad=True) * 2
    assert repr(y) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    assert repr(swiftnn.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(swiftnn.nn.Parameter(swiftnn.ones(1))).startswith("Parameter containing:\ntensor([1.]")
    assert str(swiftnn.tensor([1.5])) == "tensor([1.5000])"


def test_device_and_to_are_no_ops():
    t = swiftnn.ones(2)
    assert t.device == "cpu" and t.cpu() is t and t.to("cpu") is t and t.to(np.float32) is t
    with pytest.raises(ValueError):
        t.to(np.float64)


def test_requires_grad_leaf_and_grad_fn():
    x = swiftnn.ones(3)
    assert not x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    x.requires_grad = True
    assert x.requires_grad
    assert x.requires_grad_(False) is x and not x.requires_grad
    x.requires_grad_()
    y = x * 2 + 1
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "AddBackward0"
    assert "AddBackward0" in repr(y.grad_fn)
    with pytest.raises(RuntimeError):
        y.requires_grad = False


def test_backward_accumulates_and_grad_can_be_set():
    x = swiftnn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    assert_close(x.grad.numpy(), [2, 4, 6])
    (x * 3).sum().backward()
    assert_close(x.grad.numpy(), [5, 7, 9])
    x.grad = None
    assert x.grad is None
    x.grad = swiftnn.ones(3)
    assert_close(x.grad.numpy(), np.ones(3))
    with pytest.raises(ValueError):
        x.grad = swiftnn.ones(4)


def test_backward_with_explicit_gradient():
    x = swiftnn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * x
    y.backward(np.array([[1, 0], [0, 2]]))
    assert_close(x.grad.numpy(), [[2, 0], [0, 16]])


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        swiftnn.ones(1).backward()
    x = swiftnn.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2).backward()
    with pytest.raises(ValueError):
        (x * 2).backward(swiftnn.ones(4))
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    with pytest.raises(NotImplementedError):
        (x * x).sum().backward(retain_graph=True)


def test_detach_shares_storage_and_leaves_the_graph():
    x = swiftnn.ones(3, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    p = swiftnn.zeros(2)
    view = p.detach()
    view.add_(1)
    assert_close(p.numpy(), [1, 1])
    assert_close(x.data.numpy(), [1, 1, 1])


def test_no_grad_context_and_decorator():
    x = swiftnn.ones(2, requires_grad=True)
    assert swiftnn.is_grad_enabled()
    with swiftnn.no_grad():
        assert not swiftnn.is_grad_enabled()
        y = x * 2
        with swiftnn.enable_grad():
            assert swiftnn.is_grad_enabled()
            z = x * 2
        assert not swiftnn.is_grad_enabled()
    assert swiftnn.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @swiftnn.no_grad()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and swiftnn.is_grad_enabled()
    assert doubled.__name__ == "doubled"

    @swiftnn.no_grad
    def bare(t):
        return t * 2

    assert not bare(x).requires_grad and swiftnn.is_grad_enabled()
    with swiftnn.no_grad():
        assert swiftnn.enable_grad(lambda: swiftnn.is_grad_enabled())()


def test_no_grad_restores_the_mode_on_exceptions():
    with pytest.raises(KeyError):
        with swiftnn.no_grad():
            raise KeyError
    assert swiftnn.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context():
    swiftnn.set_grad_enabled(False)
    assert not swiftnn.is_grad_enabled()
    swiftnn.set_grad_enabled(True)
    assert swiftnn.is_grad_enabled()
    with swiftnn.set_grad_enabled(False):
        assert not swiftnn.is_grad_enabled()
    assert swiftnn.is_grad_enabled()

    @swiftnn.set_grad_enabled(False)
    def f():
        return swiftnn.is_grad_enabled()

    assert swiftnn.is_grad_enabled() and f() is False and swiftnn.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def worker():
        with swiftnn.no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = swiftnn.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    seen["main"] = swiftnn.is_grad_enabled()
    x = swiftnn.ones(1, requires_grad=True)
    seen["recorded"] = (x * 2).requires_grad
    release.set()
    thread.join()
    assert seen == {"worker": False, "main": True, "recorded": True}


def test_in_place_ops_under_no_grad(rng):
    p = swiftnn.tensor(f32(rng.standard_normal((2, 3))), requires_grad=True)
    before = p.numpy().astype(np.float64)
    (p * p).sum().backward()
    with swiftnn.no_grad():
        p -= 0.1 * p.grad
    assert_close(p.numpy(), before - 0.1 * 2 * before)
    assert p.requires_grad and p.is_leaf
    with swiftnn.no_grad():
        p.mul_(2).add_(1)
    assert_close(p.numpy(), (before - 0.2 * before) * 2 + 1)


def test_in_place_ops_refused_on_leaves_that_require_grad():
    # Non-leaf tensors take in-place ops with autograd (test_inplace_ops.py).
    p = swiftnn.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        p += 1
    with pytest.raises(RuntimeError):
        p.zero_()
    t = swiftnn.ones(2, 3)
    with pytest.raises(RuntimeError, match="broadcast"):
        t.add_(swiftnn.ones(4, 2, 3))


def test_in_place_fill_copy_zero():
    t = swiftnn.tensor([np.nan, 1.0, 2.0])
    t.zero_()
    np.testing.assert_array_equal(t.numpy(), [0, 0, 0])
    t.fill_(2.5)
    np.testing.assert_array_equal(t.numpy(), [2.5] * 3)
    t.copy_(swiftnn.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(t.numpy(), [1, 2, 3])
    t /= 2
    t *= 4
    np.testing.assert_array_equal(t.numpy(), [2, 4, 6])


def test_tensors_hash_by_identity():
    a, b = swiftnn.ones(1), swiftnn.ones(1)
    assert len({a, b, a}) == 2


def test_handles_compare_by_engine_object():
    p = swiftnn.ones(2, requires_grad=True)
    (p * 2).sum().backward()
    g1, g2 = swiftnn._C.grad(p._h), swiftnn._C.grad(p._h)
    assert g1 == g2 and hash(g1) == hash(g2) and g1 is not g2
    assert g1 != p._h
    with pytest.raises(TypeError):
        swiftnn._C.TensorHandle()


def test_many_handles_are_freed():
    """Creating and dropping many tensors and graphs must neither leak badly nor crash."""
    x = swiftnn.ones(100, 100, requires_grad=True)
    for _ in range(2000):
        (x * 2).sum().backward()
        _ = x.grad
    assert_close(x.grad.numpy(), np.full((100, 100), 4000.0))
