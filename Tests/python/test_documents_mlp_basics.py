"""The MLP tutorial (mlp-basics.md), exercised the way it is written: a hand-made softmax and
cross-entropy, a two-layer sigmoid model, MLPnet, SGD (momentum, nesterov, weight decay) and
Adam, the StepLR / MultiStepLR / CosineAnnealingLR schedulers, CIFAR-10 turned into tensors,
and training driven by a random sampler for a fixed number of iterations. Only the import
lines differ from PyTorch code; data is a small synthetic CIFAR-10."""
import math

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.nn.functional as F
import swiftnn.optim as optim
from swiftnn import datasets
from swiftnn.utils.data import BatchSampler
from swiftnn.utils.data import RandomSampler as IndexSampler
from document_fixtures import cifar_root  # noqa: F401  (fixture)


def softmax(z):
    z_exp = torch.exp(z)
    total = torch.sum(z_exp, dim=1) + 1e-8  # the denominator, one per row
    return z_exp / total.unsqueeze(dim=1)


def cross_entropy(y_hat, y):
    loss = torch.sum(-y * torch.log(y_hat), dim=1)
    return loss.mean()


class MyModel(nn.Module):
    def __init__(self):
        super(MyModel, self).__init__()
        self.linear1 = nn.Linear(10, 20)
        self.linear2 = nn.Linear(20, 1)

    def forward(self, x):
        x = F.sigmoid(self.linear1(x))
        return F.sigmoid(self.linear2(x))


class MLPnet(nn.Module):
    def __init__(self):
        super(MLPnet, self).__init__()
        self.fc1 = nn.Linear(in_features=3 * 32 * 32, out_features=128)
        self.fc2 = nn.Linear(in_features=128, out_features=64)
        self.dropout = nn.Dropout(p=0.5)
        self.fc3 = nn.Linear(in_features=64, out_features=10)

    def forward(self, x):
        x = torch.flatten(x, 1)  # images to vectors
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.dropout(x)
        return self.fc3(x)


def logits_and_targets(seed=0, n=6, classes=4):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, classes)).astype(np.float32)
    labels = rng.integers(0, classes, size=n)
    return z, labels


# ---- hand-written softmax and cross-entropy --------------------------------------------

def test_hand_written_softmax_and_cross_entropy_agree_with_the_library():
    z, labels = logits_and_targets()
    logits = torch.tensor(z, requires_grad=True)
    y = torch.tensor(np.eye(4, dtype=np.float32)[labels])
    probabilities = softmax(logits)
    np.testing.assert_allclose(probabilities.detach().numpy().sum(axis=1), np.ones(6), rtol=1e-6)
    loss = cross_entropy(probabilities, y)
    reference = -np.mean(np.log(np.exp(z)[np.arange(6), labels] / np.exp(z).sum(axis=1)))
    assert loss.item() == pytest.approx(reference, rel=1e-5)
    loss.backward()
    library = torch.tensor(z, requires_grad=True)
    F.cross_entropy(library, labels).backward()
    np.testing.assert_allclose(logits.grad.numpy(), library.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_cross_entropy_against_one_hot_labels_from_the_library():
    # dtypes: F.one_hot of an int64 tensor is int64; .float() makes the target distribution.
    z, labels = logits_and_targets(seed=1)
    targets = F.one_hot(torch.tensor(labels), num_classes=4)
    assert targets.dtype == torch.int64 and targets.shape == (6, 4)
    loss = cross_entropy(softmax(torch.tensor(z)), targets.float())
    assert loss.item() == pytest.approx(F.cross_entropy(torch.tensor(z), torch.tensor(labels)).item(), rel=1e-5)


# ---- models -----------------------------------------------------------------------------

def test_two_layer_sigmoid_model_outputs_probabilities_and_learns():
    torch.manual_seed(0)
    model = MyModel()
    x = torch.randn(16, 10)
    target = (x.numpy()[:, :1] > 0).astype(np.float32)
    out = model(x)
    assert out.shape == (16, 1) and np.all((out.detach().numpy() > 0) & (out.detach().numpy() < 1))
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    first = None
    for _ in range(30):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), torch.tensor(target))
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert loss.item() < first


def test_mlpnet_has_the_tutorial_shape_and_matches_the_zoo_model():
    model = MLPnet()
    assert sum(p.numel() for p in model.parameters()) == 402250
    zoo = torch.models.MLPnet()
    assert list(model.state_dict()) == list(zoo.state_dict())
    model.load_state_dict(zoo.state_dict())
    x = torch.randn(3, 3, 32, 32)
    model.eval(), zoo.eval()
    np.testing.assert_allclose(model(x).detach().numpy(), zoo(x).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert isinstance(zoo.fc1, nn.Linear) and zoo.fc1.out_features == 128


# ---- optimizers and schedulers ---------------------------------------------------------

def test_sgd_with_momentum_nesterov_and_weight_decay_follows_the_update_rule():
    layer = nn.Linear(3, 2)
    w0 = layer.weight.detach().numpy().astype(np.float64)
    optimizer = optim.SGD(layer.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005, nesterov=True)
    x = torch.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 6)
    velocity = np.zeros_like(w0)
    w = w0.copy()
    for _ in range(2):
        optimizer.zero_grad()
        layer(x).sum().backward()
        g = layer.weight.grad.numpy().astype(np.float64) + 0.0005 * w
        velocity = 0.9 * velocity + g if velocity.any() else g
        w = w - 0.01 * (g + 0.9 * velocity)
        optimizer.step()
    np.testing.assert_allclose(layer.weight.detach().numpy(), w, rtol=1e-5, atol=1e-7)


def test_adam_with_the_recommended_betas_takes_a_learning_rate_sized_first_step():
    layer = nn.Linear(4, 2)
    before = layer.weight.detach().numpy().copy()
    optimizer = optim.Adam(layer.parameters(), lr=0.001, betas=(0.9, 0.999))
    layer(torch.ones(1, 4)).sum().backward()
    optimizer.step()
    # Adam's first step is lr * g / (|g| + eps): lr in size wherever the gradient is not tiny.
    np.testing.assert_allclose(np.abs(layer.weight.detach().numpy() - before), 0.001, rtol=1e-3)


@pytest.mark.parametrize("make, expected", [
    (lambda o: optim.lr_scheduler.StepLR(o, step_size=40, gamma=0.1), lambda e: 0.1 * 0.1 ** (e // 40)),
    (lambda o: optim.lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1),
     lambda e: 0.1 * 0.1 ** ((e >= 30) + (e >= 80))),
    (lambda o: optim.lr_scheduler.CosineAnnealingLR(o, T_max=20), lambda e: 0.05 * (1 + math.cos(math.pi * e / 20))),
])
def test_schedulers_shape_the_learning_rate_as_described(make, expected):
    optimizer = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    scheduler = make(optimizer)
    for epoch in range(1, 101):
        optimizer.step()
        scheduler.step()
        if epoch <= 20 or epoch % 10 == 0:  # CosineAnnealingLR is periodic past T_max
            if "Cosine" not in type(scheduler).__name__ or epoch <= 20:
                assert optimizer.param_groups[0]["lr"] == pytest.approx(expected(epoch), rel=1e-6, abs=1e-12)


# ---- data as tensors and iteration-based training ---------------------------------------

def load_data(dataset, dataset_path):
    """The tutorial's loader: CIFAR-10 with its images and labels reassigned as tensors."""
    train_dataset = test_dataset = None
    if dataset == "CIFAR10":
        train_dataset = datasets.CIFAR10(dataset_path, download=True, train=True)
        train_dataset.data = torch.tensor(train_dataset.data)                      # NumPy -> tensor
        train_dataset.data = torch.permute(train_dataset.data, dims=(0, 3, 1, 2))  # (B,H,W,C) -> (B,C,H,W)
        train_dataset.targets = torch.tensor(train_dataset.targets)
        test_dataset = datasets.CIFAR10(dataset_path, download=False, train=False)
        test_dataset.data = torch.tensor(test_dataset.data)
        test_dataset.data = torch.permute(test_dataset.data, dims=(0, 3, 1, 2))
        test_dataset.targets = torch.tensor(test_dataset.targets)
    else:
        print("Incorrect dataset!")
    return train_dataset, test_dataset


class RandomSampler:
    """The tutorial's own sampler (`RandomSampler(len(dataset), batch_size)`): each call draws one
    batch of indices, with replacement, from the library's RandomSampler."""

    def __init__(self, size, batch_size):
        self.batches = BatchSampler(IndexSampler(range(size), replacement=True, num_samples=batch_size),
                                    batch_size, drop_last=True)

    def __call__(self):
        return next(iter(self.batches))


def train(model, optimizer, scheduler, train_iter, train_samp, train_dataset):
    model.train()
    losses = []
    for _ in range(train_iter):
        idx = train_samp()
        images = train_dataset.data[idx].float() / 255
        labels = train_dataset.targets[idx]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return model, losses


def test(model, test_dataset, test_batch_size):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(test_dataset.targets), test_batch_size):
            images = test_dataset.data[start:start + test_batch_size].float() / 255
            labels = test_dataset.targets[start:start + test_batch_size]
            _, predicted = torch.max(model(images), 1)
            correct += (predicted == labels).sum().item()
    return 100 * correct / len(test_dataset.targets)


test.__test__ = False  # the tutorial's evaluation function, not a pytest test


def test_load_data_turns_cifar_into_uint8_and_int64_tensors(cifar_root, capsys):
    train_dataset, test_dataset = load_data("CIFAR10", cifar_root)
    assert "Files already downloaded and verified" in capsys.readouterr().out
    assert train_dataset.data.dtype == torch.uint8 and train_dataset.data.shape == (80, 3, 32, 32)
    assert train_dataset.targets.dtype == torch.int64 and train_dataset.targets.shape == (80,)
    assert test_dataset.data.shape == (40, 3, 32, 32)
    original = datasets.CIFAR10(cifar_root, train=True)
    assert train_dataset.targets.tolist() == list(original.targets)
    np.testing.assert_array_equal(train_dataset.data.numpy(), np.transpose(np.asarray(original.data), (0, 3, 1, 2)))
    assert load_data("MNIST", cifar_root) == (None, None)
    assert "Incorrect dataset!" in capsys.readouterr().out


def test_random_sampler_driven_training_learns_and_steps_the_scheduler(cifar_root):
    torch.manual_seed(0)
    train_dataset, test_dataset = load_data("CIFAR10", cifar_root)
    model = MLPnet()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    train_samp = RandomSampler(len(train_dataset), 16)
    before = test(model, test_dataset, 16)
    model, losses = train(model, optimizer, scheduler, 60, train_samp, train_dataset)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.01 * 0.5 ** 3)
    assert np.mean(losses[-10:]) < np.mean(losses[:10])
    after = test(model, test_dataset, 16)
    assert after > max(before, 30.0)


def test_the_tutorials_sampler_draws_batches_of_valid_indices():
    torch.manual_seed(1)
    sampler = RandomSampler(50, 8)
    batches = [sampler() for _ in range(20)]
    assert all(len(b) == 8 and all(0 <= i < 50 for i in b) for b in batches)
    assert len({tuple(b) for b in batches}) > 1
