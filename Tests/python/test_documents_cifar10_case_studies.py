"""The CIFAR-10 case study (cifar10-case-studies.md), exercised the way the notebook is written:
the transform and the 4:1 random_split, `train` / `validate` / `test` / `experiment(partition,
args)` with `.cuda()` on every model, input and label, accuracy from `torch.max(outputs.data, 1)`
and `(predicted == labels).sum().item()`, per-class accuracy, `imshow` of a batch image, and the
case study's own ResNet-50 (`out += self.shortcut(residual)`), DenseNet-BC (`torch.cat`, init
through `.data`) and SE-ResNet (`y.expand_as(x)`), checked against the zoo models with the same
weights. Only the import lines differ from the notebook; data is a small synthetic CIFAR-10."""
import argparse
import math
import time
import warnings
from copy import deepcopy

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import swiftnn as torch  # noqa: E402
import swiftnn as torchvision  # noqa: E402  (torchvision.datasets, torchvision.utils)
import swiftnn.nn as nn  # noqa: E402
import swiftnn.optim as optim  # noqa: E402
import swiftnn.transforms as transforms  # noqa: E402
from case_study_networks import (Bottleneck, Densenet, OutOfPlaceBottleneck, Resnet, SE_Resnet,  # noqa: E402
                                 SELayer)
from document_fixtures import cifar_root  # noqa: E402,F401  (fixture)

classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')


@pytest.fixture(autouse=True)
def _quiet_cuda_notice():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one-time "no CUDA device, running on the CPU" notice
        yield


@pytest.fixture
def partition(cifar_root):
    transform = transforms.Compose(
        [transforms.ToTensor(),
         transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    trainset = torchvision.datasets.CIFAR10(root=str(cifar_root), train=True, download=True, transform=transform)
    trainset, valset = torch.utils.data.random_split(trainset, [64, 16])  # the notebook's 40000 / 10000
    testset = torchvision.datasets.CIFAR10(root=str(cifar_root), train=False, download=True, transform=transform)
    return {'train': trainset, 'val': valset, 'test': testset}


class CNN(nn.Module):
    """A small stand-in for the notebook's CNN (its cell defines an empty class)."""

    def __init__(self):
        super(CNN, self).__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


# ---- the notebook's workflow ----------------------------------------------------------------

def print_acc_class(net, partition, args):
    testloader = torch.utils.data.DataLoader(partition['test'], batch_size=args.test_batch_size,
                                             shuffle=False, num_workers=0)
    net.eval()
    class_correct = list(0. for i in range(10))
    class_total = list(0. for i in range(10))
    with torch.no_grad():
        for data in testloader:
            inputs, labels = data
            inputs = inputs.cuda()
            labels = labels.cuda()
            outputs = net(inputs)
            _, predicted = torch.max(outputs, 1)
            c = (predicted == labels).squeeze()
            for i in range(len(labels)):  # the notebook counts 4 (its old batch size): the batch is meant
                label = labels[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1
    for i in range(10):
        print('Accuracy of %5s : %2d %%' % (classes[i], 100 * class_correct[i] / class_total[i]))
    return class_correct, class_total


def train(net, partition, optimizer, criterion, args):
    trainloader = torch.utils.data.DataLoader(partition['train'], batch_size=args.train_batch_size,
                                              shuffle=True, num_workers=0)
    net.train()
    correct = 0
    total = 0
    train_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        inputs, labels = data
        inputs = inputs.cuda()
        labels = labels.cuda()
        optimizer.zero_grad()  # per batch, as the notebook evidently means
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        train_loss += loss.item()
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    return net, train_loss / len(trainloader), 100 * correct / total


def validate(net, partition, criterion, args):
    valloader = torch.utils.data.DataLoader(partition['val'], batch_size=args.test_batch_size,
                                            shuffle=False, num_workers=0)
    net.eval()
    correct = 0
    total = 0
    val_loss = 0
    with torch.no_grad():
        for data in valloader:
            images, labels = data
            images = images.cuda()
            labels = labels.cuda()
            outputs = net(images)
            val_loss += criterion(outputs, labels).item()
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return val_loss / len(valloader), 100 * correct / total


def test(net, partition, args):
    testloader = torch.utils.data.DataLoader(partition['test'], batch_size=args.test_batch_size,
                                             shuffle=False, num_workers=0)
    net.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            images = images.cuda()
            labels = labels.cuda()
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return 100 * correct / total


test.__test__ = False  # the notebook's evaluation function, not a pytest test

MODELS = {'CNN': CNN}


def experiment(partition, args):
    if args.model not in MODELS:
        raise ValueError('In-valid model choice')
    net = MODELS[args.model]()
    net.cuda()

    criterion = nn.CrossEntropyLoss()
    if args.optim == 'SGD':
        optimizer = optim.SGD(net.parameters(), lr=args.lr, weight_decay=args.l2)
    elif args.optim == 'RMSprop':
        optimizer = optim.RMSprop(net.parameters(), lr=args.lr, weight_decay=args.l2)
    elif args.optim == 'Adam':
        optimizer = optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.l2)
    else:
        raise ValueError('In-valid optimizer choice')

    train_losses, val_losses, train_accs, val_accs = [], [], [], []
    for epoch in range(args.epoch):
        ts = time.time()
        net, train_loss, train_acc = train(net, partition, optimizer, criterion, args)
        val_loss, val_acc = validate(net, partition, criterion, args)
        te = time.time()
        train_losses.append(train_loss)
        val_losses.append(val_loss)
        train_accs.append(train_acc)
        val_accs.append(val_acc)
        print('Epoch {}, Acc(train/val): {:2.2f}/{:2.2f}, Loss(train/val) {:2.2f}/{:2.2f}. Took {:2.2f} sec'.format(
            epoch, train_acc, val_acc, train_loss, val_loss, te - ts))

    test_acc = test(net, partition, args)
    print_acc_class(net, partition, args)
    result = {'train_losses': train_losses, 'val_losses': val_losses, 'train_accs': train_accs,
              'val_accs': val_accs, 'train_acc': train_acc, 'val_acc': val_acc, 'test_acc': test_acc}
    return vars(args), result


def imshow(img):
    img = img / 2 + 0.5  # unnormalize
    npimg = img.numpy()
    plt.imshow(np.transpose(npimg, (1, 2, 0)))
    plt.show()


def case_study_args(**changes):
    parser = argparse.ArgumentParser()
    args = parser.parse_args("")
    args.exp_name = "exp1_lr"
    args.model = 'CNN'
    args.act = 'relu'
    args.l2 = 0.00001
    args.optim = 'Adam'
    args.lr = 1e-2
    args.epoch = 4
    args.train_batch_size = 16
    args.test_batch_size = 8
    vars(args).update(changes)
    return args


def test_the_split_and_the_datasets_are_the_notebooks(partition, capsys):
    assert [len(partition[k]) for k in ('train', 'val', 'test')] == [64, 16, 40]
    image, label = partition['train'][0]
    assert image.shape == (3, 32, 32) and 0 <= int(label) < 10
    assert -1.0 <= image.numpy().min() and image.numpy().max() <= 1.0


def test_experiment_trains_with_cuda_calls_everywhere(partition, capsys):
    seed = 123
    np.random.seed(seed)
    torch.manual_seed(seed)
    args = case_study_args()
    setting, result = experiment(partition, deepcopy(args))
    assert setting['model'] == 'CNN' and setting['epoch'] == 4
    assert len(result['train_losses']) == len(result['val_accs']) == 4
    assert result['train_losses'][-1] < result['train_losses'][0]
    assert all(0 <= a <= 100 for a in result['train_accs'] + result['val_accs'] + [result['test_acc']])
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 4 and "Acc(train/val)" in out
    assert "Accuracy of plane :" in out and "Accuracy of truck :" in out
    with pytest.raises(ValueError, match="In-valid optimizer"):
        experiment(partition, case_study_args(optim='LBFGS'))


def test_per_class_accuracy_adds_up_to_the_test_accuracy(partition, capsys):
    torch.manual_seed(0)
    net = CNN().cuda()
    args = case_study_args()
    correct, total = print_acc_class(net, partition, args)
    assert total == [4.0] * 10
    assert sum(correct) == pytest.approx(test(net, partition, args) * 40 / 100)
    assert len(capsys.readouterr().out.strip().splitlines()) == 10


def test_seeded_runs_repeat_exactly(partition, capsys):
    results = []
    for _ in range(2):
        np.random.seed(123)
        torch.manual_seed(123)
        results.append(experiment(partition, case_study_args(epoch=1))[1]['train_losses'])
    assert results[0] == results[1]


def test_accuracy_from_tensors_counts_matches():
    # dtypes: comparisons of int64 tensors give bool tensors; their sum().item() is a Python int.
    outputs = torch.tensor([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    labels = torch.tensor([1, 0, 1, 0])
    _, predicted = torch.max(outputs.data, 1)
    assert predicted.dtype == torch.int64
    correct = (predicted == labels).sum().item()
    assert correct == 3 and isinstance(correct, int)
    assert labels.size(0) == 4
    c = (predicted == labels).squeeze()
    assert c.dtype == torch.bool and [c[i].item() for i in range(4)] == [True, True, False, True]


def test_make_grid_of_a_batch_can_be_shown(partition):
    trainloader = torch.utils.data.DataLoader(partition['train'], batch_size=8, shuffle=True)
    images, labels = next(iter(trainloader))
    grid = torchvision.utils.make_grid(images)
    assert grid.shape == (3, 2 + 34, 2 + 8 * 34)
    imshow(grid)
    assert plt.gca().images[-1].get_array().shape == (36, 274, 3)
    plt.close("all")


def test_imshow_of_the_first_image_of_a_batch(partition):
    # inplace helper: images[0] indexes the batch.
    dataiter = iter(torch.utils.data.DataLoader(partition['train'], batch_size=4, shuffle=True))
    images, labels = next(dataiter)
    imshow(images[0])
    shown = plt.gca().images[-1].get_array()
    assert shown.shape == (32, 32, 3)
    np.testing.assert_allclose(np.asarray(shown), np.transpose(images.numpy()[0] / 2 + 0.5, (1, 2, 0)), rtol=1e-6)
    print(' '.join('%5s' % classes[labels[j]] for j in range(4)))
    plt.close("all")


def assert_same_outputs(model, zoo, x, rtol=1e-4, atol=1e-5):
    zoo.load_state_dict(model.state_dict())
    model.eval(), zoo.eval()
    with torch.no_grad():
        np.testing.assert_allclose(model(x).numpy(), zoo(x).numpy(), rtol=rtol, atol=atol)


def test_bottleneck_with_inplace_add_trains_like_the_out_of_place_one():
    # inplace helper: the same gradients through `+=` as through `+`.
    torch.manual_seed(0)
    nets = [nn.Sequential(block(8, 2, stride=1), block(8, 4, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(16, 10)) for block in (Bottleneck, OutOfPlaceBottleneck)]
    nets[1].load_state_dict(nets[0].state_dict())
    optimizers = [optim.SGD(net.parameters(), lr=0.1, momentum=0.9) for net in nets]
    rng = np.random.default_rng(0)
    losses = [[], []]
    for _ in range(3):
        x = torch.tensor(rng.standard_normal((4, 8, 8, 8)).astype(np.float32))
        y = torch.tensor(rng.integers(0, 10, size=4))
        for k in range(2):
            optimizers[k].zero_grad()
            loss = nn.CrossEntropyLoss()(nets[k](x), y)
            loss.backward()
            optimizers[k].step()
            losses[k].append(loss.item())
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    for (name, a), b in zip(nets[0].state_dict().items(), nets[1].state_dict().values()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("layers, count", [(121, 1020550), (100, 769162)])
def test_densenet_parameter_counts_are_the_reference_figures(layers, count):
    model = Densenet(layers=layers)
    assert sum(p.numel() for p in model.parameters()) == count
    assert list(model.state_dict()) == list(torch.models.Densenet(layers=layers).state_dict())


def test_densenet_init_through_data_and_its_forward_match_the_zoo():
    torch.manual_seed(0)
    model = Densenet(layers=40)
    conv = model.block2.layer[1].conv2
    fan = conv.kernel_size[0] * conv.kernel_size[1] * conv.out_channels
    assert abs(conv.weight.numpy().std() - math.sqrt(2.0 / fan)) < 0.1 * math.sqrt(2.0 / fan)
    assert np.all(model.trans1.bn1.weight.numpy() == 1) and np.all(model.fc.bias.numpy() == 0)
    assert model.block1.layer[0].conv1.weight.requires_grad  # .data left the parameter trainable
    assert_same_outputs(model, torch.models.Densenet(layers=40), torch.randn(2, 3, 32, 32))


def test_se_layer_scales_each_channel_by_its_excitation():
    # inplace helper: expand_as.
    torch.manual_seed(0)
    layer = SELayer(32, 16)
    x = torch.randn(2, 32, 5, 5, requires_grad=True)
    out = layer(x)
    w1, w2 = layer.fc[0].weight.numpy(), layer.fc[2].weight.numpy()
    pooled = x.detach().numpy().mean(axis=(2, 3))
    gate = 1 / (1 + np.exp(-(np.maximum(pooled @ w1.T, 0) @ w2.T)))
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() * gate[:, :, None, None], rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert x.grad.shape == (2, 32, 5, 5) and layer.fc[0].weight.grad is not None


@pytest.mark.parametrize("build, zoo, count", [(Resnet, "Resnet", 23520842), (SE_Resnet, "SE_Resnet", 26035786)])
def test_residual_networks_as_written_have_the_zoo_layout_and_count(build, zoo, count):
    model = build()
    assert sum(p.numel() for p in model.parameters()) == count
    assert list(model.state_dict()) == list(getattr(torch.models, zoo)().state_dict())


@pytest.mark.parametrize("build, zoo", [(Resnet, "Resnet"), (SE_Resnet, "SE_Resnet")])
def test_residual_networks_as_written_match_the_zoo_models(build, zoo):
    # Under no_grad, `out += self.shortcut(residual)` adds into a tensor outside autograd;
    # SE_Resnet also needs expand_as (inplace helper).
    torch.manual_seed(0)
    assert_same_outputs(build(), getattr(torch.models, zoo)(), torch.randn(1, 3, 32, 32))
