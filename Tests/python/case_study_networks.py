"""The networks of the CIFAR-10 case study (cifar10-case-studies.md) written as the notebook
writes them, for test_documents_cifar10_case_studies.py: the bottleneck ResNet-50 (with
`out += self.shortcut(residual)`), DenseNet-BC (`torch.cat`, re-initialisation through
`.data`) and SE-ResNet (`y.expand_as(x)`). Only the import lines differ from PyTorch code; the
notebook's float block counts are made ints, as evidently meant."""
import math

import swiftnn as torch
import swiftnn.nn as nn


# ---- ResNet-50 as the notebook writes it ---------------------------------------------------


class Bottleneck(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super(Bottleneck, self).__init__()
        self.expansion = 4
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU()
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
        out += self.shortcut(residual)  # identity function
        out = self.relu(out)
        return out


class OutOfPlaceBottleneck(Bottleneck):
    """The same block with `out = out + shortcut`, to compare the in-place form against."""

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + self.shortcut(x))


class Resnet(nn.Module):
    def __init__(self, block=Bottleneck):
        super(Resnet, self).__init__()
        self.inplanes = 64
        self.block = block
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.layer1 = self.residual_block(64, 3, stride=1)
        self.layer2 = self.residual_block(128, 4, stride=2)
        self.layer3 = self.residual_block(256, 6, stride=2)
        self.layer4 = self.residual_block(512, 3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2048, 10)

    def residual_block(self, planes, blocks, stride=1):
        layers = [self.block(self.inplanes, planes, stride)]
        self.inplanes = planes * 4
        for _ in range(1, blocks):
            layers.append(self.block(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


# ---- DenseNet-BC as the notebook writes it ---------------------------------------------------


class BottleneckBlock(nn.Module):
    def __init__(self, in_planes, out_planes, drop_rate=0.0):
        super(BottleneckBlock, self).__init__()
        inter_planes = out_planes * 4
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, inter_planes, kernel_size=1, stride=1, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(inter_planes)
        self.conv2 = nn.Conv2d(inter_planes, out_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = drop_rate
        self.dropout = nn.Dropout(p=drop_rate)

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        if self.drop_rate > 0:
            out = self.dropout(out)
        out = self.conv2(self.relu(self.bn2(out)))
        if self.drop_rate > 0:
            out = self.dropout(out)
        return torch.cat([x, out], 1)  # the input and the new features, side by side


class DenseBlock(nn.Module):
    def __init__(self, nb_layers, in_planes, growth_rate, block, drop_rate=0.0):
        super(DenseBlock, self).__init__()
        self.layer = self._make_layer(block, in_planes, growth_rate, nb_layers, drop_rate)

    def _make_layer(self, block, in_planes, growth_rate, nb_layers, drop_rate):
        layers = []
        for i in range(int(nb_layers)):  # the notebook's count is a float; an int is meant
            layers.append(block(int(in_planes + i * growth_rate), growth_rate, drop_rate))
        return nn.Sequential(*layers)

    def forward(self, x):
        return self.layer(x)


class TransitionBlock(nn.Module):
    def __init__(self, in_planes, out_planes, drop_rate=0.0):
        super(TransitionBlock, self).__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=1, padding=0, bias=False)
        self.drop_rate = drop_rate
        self.dropout = nn.Dropout(p=drop_rate)
        self.avg_pooling = nn.AvgPool2d(kernel_size=2, stride=2, padding=0)

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        if self.drop_rate > 0:
            out = self.dropout(out)
        return self.avg_pooling(out)


class Densenet(nn.Module):
    def __init__(self, layers=121, num_classes=10, growth_rate=12, compression_factor=0.5, drop_rate=0.2):
        super(Densenet, self).__init__()
        num_of_blocks = 3
        n = (layers - num_of_blocks - 1) / num_of_blocks
        in_planes = 2 * growth_rate
        n = n // 2  # bottlenecks per block (each holds two convolutions)
        block = BottleneckBlock

        self.conv1 = nn.Conv2d(3, in_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.block1 = DenseBlock(n, in_planes, growth_rate, block, drop_rate)
        in_planes = int(in_planes + n * growth_rate)
        self.trans1 = TransitionBlock(in_planes, int(math.floor(in_planes * compression_factor)), drop_rate=drop_rate)
        in_planes = int(math.floor(in_planes * compression_factor))
        self.block2 = DenseBlock(n, in_planes, growth_rate, block, drop_rate)
        in_planes = int(in_planes + n * growth_rate)
        self.trans2 = TransitionBlock(in_planes, int(math.floor(in_planes * compression_factor)), drop_rate=drop_rate)
        in_planes = int(math.floor(in_planes * compression_factor))
        self.block3 = DenseBlock(n, in_planes, growth_rate, block, drop_rate)
        in_planes = int(in_planes + n * growth_rate)

        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu = nn.ReLU(inplace=True)
        self.ada_avg_pooling = nn.AdaptiveAvgPool2d(output_size=1)
        self.fc = nn.Linear(in_planes, num_classes)
        self.in_planes = in_planes

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x):
        out = self.conv1(x)
        out = self.trans1(self.block1(out))
        out = self.trans2(self.block2(out))
        out = self.block3(out)
        out = self.relu(self.bn1(out))
        out = self.ada_avg_pooling(out)
        out = out.view(-1, self.in_planes)
        return self.fc(out)


# ---- squeeze-and-excitation ------------------------------------------------------------------


class SELayer(nn.Module):
    def __init__(self, channel, reduction):
        super(SELayer, self).__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)  # squeeze
        self.fc = nn.Sequential(  # excitation
            nn.Linear(channel, channel // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channel // reduction, channel, bias=False),
            nn.Sigmoid())

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)  # [b, c, 1, 1] -> [b, c]
        y = self.fc(y).view(b, c, 1, 1)  # [b, c] -> [b, c, 1, 1]
        return x * y.expand_as(x)        # one weight per channel, over the whole map


class SE_Bottleneck(nn.Module):
    def __init__(self, in_planes, planes, stride=1, reduction=16):
        super(SE_Bottleneck, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, 4 * planes, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(4 * planes)
        self.relu = nn.ReLU()
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != 4 * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, 4 * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(4 * planes))
        self.se = SELayer(planes * 4, reduction)

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out = self.se(out)
        out += self.shortcut(residual)
        return self.relu(out)


class SE_Resnet(Resnet):
    """The notebook's SE_Resnet: Resnet's layout with SE_Bottleneck blocks."""

    def __init__(self):
        super(SE_Resnet, self).__init__(block=SE_Bottleneck)
