"""Code written for a GPU runs on the CPU: torch.device, torch.cuda, .cuda() / .to(device) on
tensors and modules, nn.DataParallel, initial_seed / seed (issue 11, item 5)."""
import warnings

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
from swiftnn import _device, models


@pytest.fixture
def fresh_warning():
    _device._reset_warning()
    yield
    _device._reset_warning()


def test_device_objects_as_pytorch():
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    assert device == torch.device('cpu') and device.type == 'cpu' and device.index is None
    assert repr(device) == "device(type='cpu')" and str(device) == 'cpu'
    cuda0 = torch.device('cuda:0')
    assert (cuda0.type, cuda0.index, str(cuda0)) == ('cuda', 0, 'cuda:0')
    assert repr(cuda0) == "device(type='cuda', index=0)"
    assert torch.device('cuda', 1) == torch.device('cuda:1') != torch.device('cuda')
    assert torch.device(0) == cuda0 and torch.device(cuda0) == cuda0 and hash(cuda0) == hash(torch.device('cuda:0'))
    assert torch.ones(1).device == 'cpu' and torch.ones(1).device == torch.device('cpu')
    for bad in ('gpu', 'cuda:x', 'cuda:-1'):
        with pytest.raises(RuntimeError):
            torch.device(bad)
    with pytest.raises(RuntimeError):
        torch.device('cuda:0', 1)
    with pytest.raises(TypeError):
        torch.device(1.5)


def test_cuda_module_reports_no_gpu():
    assert torch.cuda.is_available() is False and torch.cuda.device_count() == 0
    torch.cuda.manual_seed(1)
    torch.cuda.manual_seed_all(1)
    torch.cuda.empty_cache()


def test_cuda_everywhere_returns_the_same_objects_and_warns_once(fresh_warning):
    images, labels = torch.randn(4, 3, 32, 32), torch.tensor([1.0, 2.0, 3.0, 0.0])
    net = models.normal_CNN(kernal_list=[4, "p", 8])
    with pytest.warns(UserWarning, match="runs on the CPU.*'cuda'.*shown once"):
        assert net.cuda() is net
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the first request warned; the rest are silent
        assert images.cuda() is images and labels.cuda() is labels
        assert images.to(torch.device('cuda:0')) is images and net.to('cuda') is net
        assert images.to('cuda', torch.float32) is images and images.to(labels) is images
        assert images.to(device='cuda:1', non_blocking=True) is images
        assert net.to(torch.device('cuda'), dtype=torch.float32) is net and net.cpu() is net
        assert images.cpu() is images and images.to('cpu') is images
    out = net(images.cuda())
    assert out.shape == (4, 10)


def test_to_rejects_other_dtypes_and_copies_on_request():
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError):
        t.to('cpu', np.float64)
    with pytest.raises(ValueError):
        nn.Linear(2, 2).to(np.float64)
    with pytest.raises(TypeError):
        t.to('cpu', bogus=True)
    copy = t.to('cpu', copy=True)
    assert copy is not t and np.array_equal(copy.numpy(), t.numpy())
    copy.sum().backward()  # still in the graph
    assert np.array_equal(t.grad.numpy(), np.ones(3))


def test_cpu_requests_never_warn(fresh_warning):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.ones(2).to(torch.device('cpu'))
        nn.Linear(2, 2).to('cpu')


# ---- DataParallel --------------------------------------------------------------

def test_data_parallel_prefixes_state_dict_keys_as_pytorch(fresh_warning):
    model = models.normal_CNN(kernal_list=[4, "p", 8])
    with pytest.warns(UserWarning):
        parallel = torch.nn.parallel.DataParallel(model, device_ids=[0, 1, 2, 3])
    assert isinstance(parallel, nn.DataParallel) and parallel.module is model and parallel.device_ids == []
    keys = list(parallel.state_dict())
    assert keys == ["module." + k for k in model.state_dict()]
    assert [n for n, _ in parallel.named_parameters()] == ["module." + n for n, _ in model.named_parameters()]
    x = torch.randn(2, 3, 32, 32)
    model.eval()
    assert np.array_equal(parallel(x).numpy(), model(x).numpy())
    assert repr(parallel).startswith("DataParallel(\n  (module): normal_CNN(")
    # Loading: the prefixed keys go in; plain keys are refused, as PyTorch's strict loading does.
    other = models.normal_CNN(kernal_list=[4, "p", 8])
    target = nn.DataParallel(other)
    target.load_state_dict(parallel.state_dict())
    for key, value in other.state_dict().items():
        np.testing.assert_array_equal(value, model.state_dict()[key])
    with pytest.raises(RuntimeError, match="Missing key"):
        target.load_state_dict(model.state_dict())
    # The usual way back: strip the prefix.
    plain = models.normal_CNN(kernal_list=[4, "p", 8])
    plain.load_state_dict({k[len("module."):]: v for k, v in parallel.state_dict().items()})
    with pytest.raises(TypeError):
        nn.DataParallel(model, divice_ids=[0])  # an unknown keyword is an error, as in PyTorch
    with pytest.raises(TypeError):
        nn.DataParallel("not a module")


def test_data_parallel_trains_as_the_wrapped_model_alone():
    def run(wrap):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        model = nn.DataParallel(model) if wrap else model
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x, y = torch.randn(16, 4), np.arange(16) % 3
        losses = []
        for _ in range(20):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    wrapped = run(True)
    assert wrapped == run(False) and wrapped[-1] < wrapped[0]


# ---- seeds ------------------------------------------------------------------------

def test_initial_seed_and_seed():
    torch.manual_seed(123)
    assert torch.initial_seed() == 123
    a = torch.randn(3).numpy()
    torch.manual_seed(torch.initial_seed())
    np.testing.assert_array_equal(torch.randn(3).numpy(), a)
    drawn = torch.seed()
    assert torch.initial_seed() == drawn and 0 <= drawn < 2**63
    b = torch.randn(3).numpy()
    torch.manual_seed(drawn)
    np.testing.assert_array_equal(torch.randn(3).numpy(), b)
    torch.manual_seed(-1)  # negative seeds wrap to 64 bits, as PyTorch's
    assert torch.initial_seed() == 2**64 - 1


def test_initial_seed_in_a_fresh_process_is_the_engine_default():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "import swiftnn; print(swiftnn.initial_seed())"],
                         capture_output=True, text=True, check=True).stdout
    assert int(out) == 0x5EED


def test_generator_streams():
    g = torch.Generator().manual_seed(5)
    assert g.initial_seed() == 5 and g.device == torch.device('cpu')
    first, second = g.next_seed(), g.next_seed()
    assert first != second and torch.Generator().manual_seed(5).next_seed() == first
    assert torch.Generator().initial_seed() == torch.Generator().initial_seed()
    with pytest.raises(RuntimeError):
        torch.Generator(device='cuda')
    with pytest.raises(ValueError):
        g.manual_seed(2**64)


def test_data_parallel_zoo_model_trains_in_the_engine_like_the_bare_model():
    from swiftnn import train
    from swiftnn.utils.data import DataLoader, TensorDataset
    x = np.random.default_rng(0).normal(size=(32, 1, 8, 8)).astype(np.float32)
    data = TensorDataset(x, np.arange(32) % 4)

    def run(wrap):
        torch.manual_seed(1)
        model = models.normal_CNN(input_size=(1, 8, 8), kernal_list=[4], num_classes=4)
        model = nn.DataParallel(model) if wrap else model
        loader = DataLoader(data, batch_size=8, shuffle=True, seed=3)
        history = train.fit(model, loader, torch.optim.Adam(model.parameters()), epochs=2, progress=False)
        return history["train_losses"], train.evaluate(model, DataLoader(data, batch_size=16)).accuracy

    assert run(True) == run(False)
