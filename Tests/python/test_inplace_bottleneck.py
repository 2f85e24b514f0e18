"""The case study's ResNet Bottleneck written, as there, with `out += shortcut` (and
with ReLU(inplace=True)) trains exactly like the same block without in-place ops."""
import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, in_planes, planes, stride=1, inplace=True):
        super().__init__()
        self.expansion = 4
        self.inplace = inplace
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=inplace)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != 4 * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, 4 * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(4 * planes))

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.inplace:
            out += self.shortcut(residual)
        else:
            out = out + self.shortcut(residual)
        out = self.relu(out)
        return out


class Net(nn.Module):
    def __init__(self, inplace):
        super().__init__()
        self.block1 = Bottleneck(3, 2, stride=1, inplace=inplace)    # projection shortcut
        self.block2 = Bottleneck(8, 2, stride=1, inplace=inplace)    # identity shortcut
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        out = self.block2(self.block1(x))
        out = F.adaptive_avg_pool2d(out, 1)
        out = out.view(out.size(0), -1)
        return self.fc(out)


def train(model, batches, steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for step in range(steps):
        images, labels = batches[step % len(batches)]
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("steps", [4])
def test_inplace_bottleneck_trains_like_the_out_of_place_one(steps):
    rng = np.random.default_rng(7)
    batches = [(torch.tensor(rng.standard_normal((4, 3, 8, 8)).astype(np.float32)),
                rng.integers(0, 10, 4)) for _ in range(2)]
    torch.manual_seed(0)
    reference = Net(inplace=False)
    inplace = Net(inplace=True)
    inplace.load_state_dict(reference.state_dict())

    expected = train(reference, batches, steps)
    got = train(inplace, batches, steps)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    assert expected[-1] < expected[0]
    after_ref, after_inplace = reference.state_dict(), inplace.state_dict()
    assert after_ref.keys() == after_inplace.keys()
    for key in after_ref:
        np.testing.assert_allclose(np.asarray(after_inplace[key]), np.asarray(after_ref[key]), rtol=1e-6, atol=1e-6,
                                   err_msg=key)


def test_densenet_init_loop_writes_through_data():
    # The case study's DenseNet initialisation: in place through .data on parameters.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(4, 2))
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, np.sqrt(2. / n))
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.bias.data.zero_()
    assert not model[1].bias.detach().numpy().any() and (model[1].weight.detach().numpy() == 1).all()
    assert not model[2].bias.detach().numpy().any()
    std = model[0].weight.detach().numpy().std()
    assert 0.5 * np.sqrt(2 / 36) < std < 1.5 * np.sqrt(2 / 36)
    assert model[0].weight.requires_grad and model[0].weight.is_leaf
