"""The PyTorch model template (pytorch-model-template.md), exercised the way its README uses
it: normal_MLP, normal_CNN (with `device='cuda'`), residual_CNN and MLP_Mixer built with the
template's own argument names, the training setting (Adam with its betas/eps/weight decay,
gradient-norm clipping at 1.0, CrossEntropyLoss), CIFAR-10 with ToTensor + Normalize(0.5, 0.5)
in a DataLoader with drop_last, and the parameter table. Import lines are the only change
from PyTorch code; the data is a small synthetic CIFAR-10."""
import warnings

import numpy as np
import pytest

import swiftnn as torch
import swiftnn as torchvision  # torchvision.datasets
import swiftnn.transforms as transforms
from swiftnn.models import MLP_Mixer, normal_CNN, normal_MLP, residual_CNN
from document_fixtures import cifar_root  # noqa: F401  (fixture)

image_size = (3, 32, 32)
kernal_list_normal_CNN = [16, 16, 'p', 32, 32, 'p', 64, 64, 'p', 128, 128, 'p', 256, 256]
kernal_list_residual_CNN = [32, 32, 64, 64, 64, 64, 128, 128, 128]
classes_num = 10


@pytest.fixture(autouse=True)
def _quiet_cuda_notice():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one-time "no CUDA device" notice
        yield


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_normal_mlp_with_the_templates_arguments():
    model = normal_MLP(input_size=64, neural_list=[64, 64, 128, 128], mid_activation_func='leaky_relu',
                       last_activateion_func='softmax', batch_normalization_use=False)
    out = model(torch.randn(5, 64))
    assert out.shape == (5, 128)
    np.testing.assert_allclose(out.detach().numpy().sum(axis=1), np.ones(5), rtol=1e-5)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(64, 64), (64, 64), (64, 128), (128, 128)]
    assert sum(isinstance(m, torch.nn.LeakyReLU) for m in model.modules()) == 3


def test_normal_cnn_matches_the_parameter_table_and_accepts_device_cuda():
    normal_cnn = normal_CNN(input_size=image_size, kernal_list=kernal_list_normal_CNN, num_classes=classes_num,
                            activation_func='relu', batch_normalization_use=True, device='cuda')
    assert count(normal_cnn) == 1183322  # the table's normal_cnn
    assert normal_cnn(torch.randn(2, *image_size)).shape == (2, classes_num)
    convs = [m for m in normal_cnn.features if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [k for k in kernal_list_normal_CNN if k != 'p']
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in normal_cnn.features) == 4


def test_residual_cnn_with_small_and_big_blocks():
    for size in ('small', 'big'):
        residual_cnn = residual_CNN(input_size=image_size, kernal_list=kernal_list_residual_CNN,
                                    num_classes=classes_num, Residual_Block_size=size)
        out = residual_cnn(torch.randn(2, *image_size))
        assert out.shape == (2, classes_num)
        blocks = list(residual_cnn.layers)
        assert len(blocks) == len(kernal_list_residual_CNN)
        # A projection shortcut exactly where the width changes.
        widths = [kernal_list_residual_CNN[0]] + kernal_list_residual_CNN
        assert [len(b.shortcut) > 0 for b in blocks] == [a != b for a, b in zip(widths, widths[1:])]


def test_mlp_mixer_moves_to_cuda_and_classifies():
    mlp_mixer = MLP_Mixer(input_size=image_size, patch_size=4, C=128, N=6, classes_num=classes_num).to('cuda')
    assert mlp_mixer(torch.randn(2, *image_size)).shape == (2, classes_num)
    assert len(mlp_mixer.mixer_layers) == 6
    assert mlp_mixer.patch_embedding.kernel_size == (4, 4) and mlp_mixer.patch_embedding.out_channels == 128


def test_training_setting_on_cifar(cifar_root):
    torch.manual_seed(0)
    batch_size = 16
    transform = transforms.Compose(
        [transforms.ToTensor(),
         transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
    train_dataset = torchvision.datasets.CIFAR10(root=str(cifar_root), train=True, download=True, transform=transform)
    test_dataset = torchvision.datasets.CIFAR10(root=str(cifar_root), train=False, download=True, transform=transform)
    train_dataloader = torch.utils.data.DataLoader(train_dataset, batch_size=batch_size, shuffle=True, num_workers=6,
                                                   pin_memory=False, drop_last=True)
    test_dataloader = torch.utils.data.DataLoader(test_dataset, batch_size=batch_size, shuffle=True, num_workers=6,
                                                  pin_memory=False, drop_last=True)
    assert len(train_dataloader) == 80 // batch_size and len(test_dataloader) == 40 // batch_size

    model = normal_CNN(input_size=image_size, kernal_list=[8, 'p', 16, 'p', 32], num_classes=classes_num,
                       activation_func='relu', batch_normalization_use=True, device='cuda')
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=1e-4)
    loss_function = torch.nn.CrossEntropyLoss()
    epoch_losses = []
    for epoch in range(4):
        model.train()
        total = 0.0
        for images, labels in train_dataloader:
            optimizer.zero_grad()
            loss = loss_function(model(images.cuda()), labels.cuda())
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            clipped = np.sqrt(sum(float((p.grad.numpy().astype(np.float64) ** 2).sum()) for p in model.parameters()))
            assert clipped <= 1.0 + 1e-4 and (float(norm) <= 1.0 or clipped == pytest.approx(1.0, rel=1e-4))
            optimizer.step()
            total += loss.item()
        epoch_losses.append(total / len(train_dataloader))
    assert epoch_losses[-1] < epoch_losses[0]
    model.eval()
    with torch.no_grad():
        images, labels = next(iter(test_dataloader))
        assert model(images).shape == (batch_size, classes_num)
