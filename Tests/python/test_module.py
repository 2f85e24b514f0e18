"""Module subclassed in Python: registration, traversal, state_dict round trips,
load_state_dict errors, modes, zero_grad and repr, as in torch.nn.Module."""
from collections import OrderedDict

import numpy as np
import pytest

import swiftnn
import swiftnn.nn as nn
import swiftnn.nn.functional as F
from conftest import assert_close, randn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.scale = nn.Parameter(np.ones(4, np.float32))
        self.register_buffer("running", swiftnn.zeros(4))
        self.register_buffer("scratch", swiftnn.zeros(1), persistent=False)

    def forward(self, x):
        return self.fc(x).relu() * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(3, 4)
        self.block = Block()
        self.head = nn.Sequential(nn.Dropout(0.5), nn.Linear(4, 2))
        self.not_a_param = swiftnn.ones(2)  # plain tensors stay plain attributes
        self.name = "net"

    def forward(self, x):
        return self.head(self.block(self.stem(x)))


EXPECTED_KEYS = [
    "stem.weight", "stem.bias",
    "block.scale", "block.running", "block.fc.weight", "block.fc.bias",
    "head.1.weight", "head.1.bias",
]


def test_registration_and_traversal():
    net = Net()
    assert list(net._modules) == ["stem", "block", "head"]
    assert list(net.block._parameters) == ["scale"]
    assert list(net.block._buffers) == ["running", "scratch"]
    assert "not_a_param" not in net._parameters and "name" not in net._modules
    assert [n for n, _ in net.named_parameters()] == [
        "stem.weight", "stem.bias", "block.scale", "block.fc.weight", "block.fc.bias", "head.1.weight", "head.1.bias"]
    assert len(list(net.parameters())) == 7
    assert len(list(net.parameters(recurse=False))) == 0
    assert [n for n, _ in net.named_buffers()] == ["block.running", "block.scratch"]
    assert len(list(net.buffers())) == 2
    assert [n for n, _ in net.named_children()] == ["stem", "block", "head"]
    assert list(net.children())[1] is net.block
    assert [n for n, _ in net.named_modules()] == ["", "stem", "block", "block.fc", "head", "head.0", "head.1"]
    assert len(list(net.modules())) == 7
    assert isinstance(net.block.scale, nn.Parameter)


def test_state_dict_keys_order_and_values():
    net = Net()
    state = net.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == EXPECTED_KEYS
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in state.values())
    np.testing.assert_array_equal(state["stem.weight"], net.stem.weight.numpy())
    state["stem.weight"][:] = 99  # a copy: the model is unchanged
    assert not (net.stem.weight.numpy() == 99).any()
    kept = net.state_dict(keep_vars=True)
    assert kept["stem.weight"] is net.stem.weight


def test_state_dict_round_trip(rng):
    a, b = Net().eval(), Net().eval()
    x = randn(rng, 5, 3)
    assert not np.allclose(a(x).numpy(), b(x).numpy())
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_close(a(x).numpy(), b(x).numpy())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)


def test_load_state_dict_accepts_tensors_lists_and_float64():
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"weight": swiftnn.tensor([[1, 2], [3, 4]]), "bias": [0.5, -0.5]})
    assert_close(layer.weight.numpy(), [[1, 2], [3, 4]])
    layer.load_state_dict({"weight": np.eye(2), "bias": np.zeros(2, np.int32)})
    assert_close(layer.weight.numpy(), np.eye(2))
    assert_close(layer.bias.numpy(), [0, 0])


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    net = Net()
    before = net.state_dict()
    bad = net.state_dict()
    del bad["stem.bias"]
    del bad["block.running"]
    bad["extra.weight"] = np.zeros(3, np.float32)
    bad["block.fc.weight"] = np.zeros((4, 5), np.float32)
    bad["stem.weight"] = np.full((4, 3), 7, np.float32)  # valid: must not be applied either
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(bad)
    message = str(info.value)
    assert "Error(s) in loading state_dict for Net" in message
    assert 'Missing key(s) in state_dict: "stem.bias", "block.running"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    assert "size mismatch for block.fc.weight" in message and "[4, 5]" in message and "[4, 4]" in message
    for key, value in before.items():
        np.testing.assert_array_equal(net.state_dict()[key], value)


def test_load_state_dict_non_strict():
    net = Net()
    partial = {"stem.weight": np.ones((4, 3), np.float32), "other": np.zeros(1)}
    result = net.load_state_dict(partial, strict=False)
    assert result.missing_keys == [k for k in EXPECTED_KEYS if k != "stem.weight"]
    assert result.unexpected_keys == ["other"]
    assert_close(net.stem.weight.numpy(), np.ones((4, 3)))
    with pytest.raises(RuntimeError, match="size mismatch"):
        net.load_state_dict({"stem.weight": np.ones((3, 4))}, strict=False)


def test_load_state_dict_rejects_non_numeric_values():
    layer = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match="weight"):
        layer.load_state_dict({"weight": "abc", "bias": [0.0]})
    with pytest.raises(TypeError):
        layer.load_state_dict([("weight", np.zeros((1, 2)))])


def test_load_state_dict_does_not_need_no_grad_and_keeps_graph_state():
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": np.ones((1, 2)), "bias": np.zeros(1)})
    assert layer.weight.requires_grad and layer.weight.is_leaf
    layer(np.ones((1, 2))).sum().backward()
    assert_close(layer.weight.grad.numpy(), [[1, 1]])


def test_python_forward_and_gradients(rng):
    net = Net().eval()
    x = randn(rng, 6, 3)
    out = net(x)
    assert out.shape == (6, 2)
    F.cross_entropy(out, rng.integers(0, 2, 6)).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_set_to_false_zeroes_in_place():
    layer = nn.Linear(2, 2)
    layer(np.ones((1, 2))).sum().backward()
    layer.zero_grad(set_to_none=False)
    assert_close(layer.weight.grad.numpy(), np.zeros((2, 2)))


def test_train_eval_propagate():
    net = Net()
    assert net.training and net.head[0].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("yes")


def test_assignment_rules():
    net = Net()
    with pytest.raises(TypeError):
        net.stem = 3
    net.stem = None
    assert net.stem is None and "stem" not in [n for n, _ in net.named_children()]
    with pytest.raises(TypeError):
        net.block.scale = swiftnn.ones(4)
    net.block.scale = None
    assert "block.scale" not in net.state_dict()
    net.block.running = swiftnn.ones(4)
    assert_close(net.state_dict()["block.running"], np.ones(4))
    with pytest.raises(TypeError):
        net.block.running = [1, 2]
    del net.block.running
    assert "block.running" not in net.state_dict()
    with pytest.raises(AttributeError):
        net.missing_attribute
    with pytest.raises(KeyError):
        net.register_parameter("a.b", None)
    with pytest.raises(KeyError):
        net.register_buffer("name", None)  # an ordinary attribute already has this name
    with pytest.raises(TypeError):
        net.register_parameter("w", swiftnn.ones(1))


def test_assignment_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_reassigning_keeps_state_dict_order():
    net = Net()
    net.stem = nn.Linear(3, 4)
    assert list(net.state_dict()) == EXPECTED_KEYS
    net.block.scale = nn.Parameter(np.zeros(4))
    assert list(net.state_dict()) == EXPECTED_KEYS


def test_shared_parameters_are_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = self.a

        def forward(self, x):
            return self.b(self.a(x))

    tied = Tied()
    assert len(list(tied.parameters())) == 2
    assert list(tied.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert [n for n, _ in tied.named_modules()] == ["", "a"]


def test_forward_missing_is_not_implemented():
    with pytest.raises(NotImplementedError):
        nn.Module()(swiftnn.ones(1))


def test_apply_to_requires_grad_and_dir():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Net" and "Linear" in seen
    assert net.to("cpu") is net and net.cpu() is net
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    assert "stem" in dir(net) and "scale" in dir(net.block)


def test_nested_repr_like_torch():
    assert repr(Net()) == (
        "Net(\n"
        "  (stem): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (block): Block(\n"
        "    (fc): Linear(in_features=4, out_features=4, bias=True)\n"
        "  )\n"
        "  (head): Sequential(\n"
        "    (0): Dropout(p=0.5, inplace=False)\n"
        "    (1): Linear(in_features=4, out_features=2, bias=True)\n"
        "  )\n"
        ")")


def test_parameter_from_tensor_shares_storage():
    base = swiftnn.zeros(3)
    p = nn.Parameter(base)
    assert p.requires_grad and not base.requires_grad
    base.add_(1)
    assert_close(p.numpy(), np.ones(3))
    frozen = nn.Parameter(np.ones(2), requires_grad=False)
    assert not frozen.requires_grad and isinstance(frozen, swiftnn.Tensor)
    assert nn.Parameter().shape == (0,)
