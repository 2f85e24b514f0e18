"""The AlexNet / VGG notes (cnn-architectures.md), exercised the way they are written: the
device line, AlexNet built from Sequentials with its bias scheme, DataParallel, ImageFolder
with CenterCrop/Normalize, the SGD + StepLR loop, MNIST's first batch, VGG from cfg lists with
`_initialize_weights` over `modules()`, the CIFAR head with `torch.flatten`, and the same
initialisation loop run over a zoo model. Import lines are the only change from PyTorch code;
the data are a few synthetic images."""
import warnings

import numpy as np
import pytest

import swiftnn as torch
import swiftnn.nn as nn
import swiftnn.nn.functional as F
import swiftnn.optim as optim
import swiftnn.datasets as datasets
import swiftnn.transforms as transforms
from swiftnn.utils import data
from document_fixtures import image_folder, mnist_root  # noqa: F401  (fixtures)


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channels=3, out_channels=96, kernel_size=11, stride=4),  # conv1
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2),  # conv2
            nn.ReLU(inplace=True),
            nn.LocalResponseNorm(size=5, alpha=0.0001, beta=0.75, k=2),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, 3, padding=1),  # conv3
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, padding=1),  # conv4
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1),  # conv5
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5, inplace=True),
            nn.Linear(in_features=(256 * 6 * 6), out_features=4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5, inplace=True),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )
        self.init_bias_weights()

    def init_bias_weights(self):
        for layer in self.net:
            if isinstance(layer, nn.Conv2d):
                nn.init.normal_(layer.weight, mean=0, std=0.01)
                nn.init.constant_(layer.bias, 0)
        # conv 2, 4 and 5 start with bias 1
        nn.init.constant_(self.net[4].bias, 1)
        nn.init.constant_(self.net[10].bias, 1)
        nn.init.constant_(self.net[12].bias, 1)

    def forward(self, x):
        x = self.net(x)
        x = x.view(-1, 256 * 6 * 6)
        return self.classifier(x)


@pytest.fixture(scope="module")
def alexnet():
    torch.manual_seed(0)
    return AlexNet(num_classes=1000)


@pytest.fixture(scope="module")
def zoo_alexnet():
    return torch.models.AlexNet()


def test_device_line_and_seed_run_on_the_cpu():
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    assert str(device) == 'cpu' and device.type == 'cpu'
    seed = torch.initial_seed()
    assert isinstance(seed, int)


def test_alexnet_as_written_has_the_papers_parameters_and_bias_scheme(alexnet, zoo_alexnet):
    assert sum(p.numel() for p in alexnet.parameters()) == 62378344
    conv_biases = {i: layer.bias.numpy() for i, layer in enumerate(alexnet.net) if isinstance(layer, nn.Conv2d)}
    assert sorted(conv_biases) == [0, 4, 8, 10, 12]
    for index, bias in conv_biases.items():
        assert np.all(bias == (1.0 if index in (4, 10, 12) else 0.0)), index
    assert abs(float(alexnet.net[8].weight.numpy().std()) - 0.01) < 1e-3
    # Its layout is the zoo AlexNet's, so weights move between them.
    assert list(alexnet.state_dict()) == list(zoo_alexnet.state_dict())


def test_alexnet_forward_matches_the_zoo_model_with_the_same_weights(alexnet, zoo_alexnet):
    zoo = zoo_alexnet
    zoo.load_state_dict(alexnet.state_dict())
    x = torch.randn(1, 3, 227, 227)
    alexnet.eval(), zoo.eval()
    with torch.no_grad():
        ours, theirs = alexnet(x), zoo(x)
    assert ours.shape == (1, 1000)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-6)


def test_alexnet_training_recipe_on_an_image_folder(alexnet, image_folder, capsys):
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one-time "no CUDA device" notice
        model = alexnet.to(device)
        model = torch.nn.parallel.DataParallel(model, device_ids=[0, 1, 2, 3])
    print(model)
    assert capsys.readouterr().out.startswith("DataParallel(\n  (module): AlexNet(\n    (net): Sequential(")
    dataset = datasets.ImageFolder(str(image_folder), transforms.Compose([
        transforms.CenterCrop(227),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ]))
    assert dataset.classes == ["cat", "dog"] and dataset.class_to_idx == {"cat": 0, "dog": 1}
    dataloader = data.DataLoader(dataset, shuffle=True, pin_memory=True, num_workers=8, drop_last=True,
                                 batch_size=2)
    optimizer = optim.SGD(params=model.parameters(), lr=0.01, momentum=0.9, weight_decay=0.0005)
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    model.train()
    # As written, the head's Dropout(inplace=True) overwrites the ReLU output that ReLU's
    # backward reads: PyTorch raises "modified by an inplace operation" on the first
    # backward (checked with PyTorch 2.x), and so does swiftnn.
    imgs, classes = next(iter(dataloader))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        F.cross_entropy(model(imgs), classes).backward()
    alexnet.classifier[3] = nn.Dropout(p=0.5)  # what a PyTorch user changes to train it
    before = [p.numpy().copy() for p in model.parameters()]
    steps = 0
    for epoch in range(1):
        lr_scheduler.step()
        for imgs, classes in dataloader:
            imgs, classes = imgs.to(device), classes.to(device)
            assert imgs.shape == (2, 3, 227, 227)
            output = model(imgs)
            loss = F.cross_entropy(output, classes)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
    assert steps == 2 and np.isfinite(loss.item())
    after = [p.numpy() for p in model.parameters()]
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))


def test_mnist_first_batch_has_the_documented_shapes(mnist_root):
    train_loader = torch.utils.data.DataLoader(
        datasets.MNIST(
            root=str(mnist_root),
            train=True,
            download=True,  # already there: nothing is fetched
            transform=transforms.Compose([
                transforms.ToTensor(),
                transforms.Normalize(mean=(0.5,), std=(0.5,)),
            ])),
        batch_size=1,
        shuffle=True)
    image, label = next(iter(train_loader))
    assert image.shape == (1, 1, 28, 28) and label.shape == (1,)
    assert str(image.shape) == "swiftnn.Size([1, 1, 28, 28])"
    assert -1.0 <= image.numpy().min() and image.numpy().max() <= 1.0


def test_mnist_labels_print_their_size_like_torch(mnist_root):
    # Labels as int64 tensors (their shape a Size): the notes print both shapes.
    loader = torch.utils.data.DataLoader(datasets.MNIST(root=str(mnist_root), train=True,
                                                        transform=transforms.ToTensor()), batch_size=1)
    image, label = next(iter(loader))
    assert f"{image.shape} {label.shape}" == "swiftnn.Size([1, 1, 28, 28]) swiftnn.Size([1])"
    assert isinstance(label, torch.Tensor) and label.dtype == torch.int64


# ---- VGG ---------------------------------------------------------------------------------

def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == 'M':
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True):
        super(VGG, self).__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            self._initialize_weights()

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)

    def _initialize_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.constant_(m.bias, 0)


CFG_A = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']


def test_vgg_from_a_cfg_list_initialises_every_module_as_written():
    torch.manual_seed(0)
    model = VGG(make_layers(CFG_A, batch_norm=True))
    assert sum(p.numel() for p in model.parameters()) == 132868840  # torchvision's vgg11_bn
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convs) == 8 and all(np.all(c.bias.numpy() == 0) for c in convs)
    expected_std = np.sqrt(2.0 / (512 * 9))  # kaiming_normal_, fan_out = 512 * 3 * 3
    assert abs(convs[-1].weight.numpy().std() - expected_std) < 0.05 * expected_std
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(np.all(b.weight.numpy() == 1) and np.all(b.bias.numpy() == 0) for b in norms)
    assert abs(model.classifier[6].weight.numpy().std() - 0.01) < 1e-3
    out = model(torch.randn(2, 3, 32, 32))  # adaptive pooling takes 1x1 features to 7x7
    assert out.shape == (2, 1000)
    # The zoo's VGG11 with batch norm has the same feature layers: the weights load into its
    # `features` child directly, and both give the same features.
    zoo = torch.models.VGG11(cifar=True, batch_norm=True)
    zoo.features.load_state_dict(model.features.state_dict())
    x = torch.randn(2, 3, 32, 32)
    model.eval(), zoo.eval()
    with torch.no_grad():
        np.testing.assert_allclose(model.features(x).numpy(), zoo.features(x).numpy(), rtol=1e-4, atol=1e-5)


class CifarVGG(nn.Module):
    """The second VGG of the notes (named VGG there): cfg features and, with cifar=True, a small head."""

    def __init__(self, config, num_classes=1000, cifar=False):
        super(CifarVGG, self).__init__()
        self.features = make_layer(config)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(4096, num_classes))
        if cifar:
            self.classifier = nn.Sequential(
                nn.Dropout(0.5), nn.Linear(512, 512), nn.ReLU(True),
                nn.Dropout(0.5), nn.Linear(512, 512), nn.ReLU(True),
                nn.Linear(512, 10))

    def forward(self, x):
        out = self.features(x)
        out = torch.flatten(out, 1)
        return self.classifier(out)


cfg = {
    'A': CFG_A,
    'B': [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'D': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
    'E': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


def make_layer(config):
    layers = []
    in_planes = 3
    for value in config:
        if value == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(in_planes, value, kernel_size=3, padding=1))
            layers.append(nn.ReLU())
            in_planes = value
    return nn.Sequential(*layers)


@pytest.mark.parametrize("key, zoo, count", [("A", "VGG11", 9750922), ("D", "VGG16", 15245130),
                                             ("B", "VGG13", None), ("E", "VGG19", None)])
def test_cifar_vgg_counts_and_zoo_layout(key, zoo, count):
    model = CifarVGG(config=cfg[key], cifar=True)
    reference = getattr(torch.models, zoo)(cifar=True)
    total = sum(p.numel() for p in model.parameters())
    assert total == sum(p.numel() for p in reference.parameters())
    if count is not None:
        assert total == count
    assert list(model.state_dict()) == list(reference.state_dict())


def test_cifar_vgg_flattens_and_classifies_a_batch():
    model = CifarVGG(config=cfg['A'], cifar=True)
    out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    out.sum().backward()
    assert model.features[0].weight.grad.shape == (64, 3, 3, 3)


def test_initialize_weights_loop_over_a_zoo_vgg_changes_its_weights():
    torch.manual_seed(0)
    model = torch.models.VGG11(cifar=True)
    x = torch.randn(2, 3, 32, 32)
    model.eval()
    with torch.no_grad():
        before = model(x).numpy()
    for m in model.modules():  # the notes' _initialize_weights, with a visible bias
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            if m.bias is not None:
                nn.init.constant_(m.bias, 0.1)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.constant_(m.bias, 0.2)
    with torch.no_grad():
        after = model(x).numpy()
    assert not np.allclose(before, after)
    state = model.state_dict()
    assert np.all(state["features.0.bias"] == np.float32(0.1)) and np.all(state["classifier.6.bias"] == np.float32(0.2))
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) == 8
