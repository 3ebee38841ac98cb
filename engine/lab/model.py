"""SmallResNet: torchvision's BasicBlock at CPU size, keeping torchvision's attribute names."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, conv1x1

# Top-level children in forward order; the freezing plans and the parameter table use them.
BACKBONE_BLOCKS: tuple[str, ...] = ("conv1", "bn1", "layer1", "layer2", "layer3", "layer4")
DEFAULT_WIDTHS: tuple[int, int, int, int] = (16, 32, 64, 128)


class SmallResNet(nn.Module):
    """ResNet for 32×32 inputs: one BasicBlock per stage, widths 16/32/64/128 by default.

    The names match ``torchvision.models.resnet18`` (``conv1``, ``bn1``, ``layer1``..``layer4``,
    ``fc``) so freezing code written for torchvision runs on it unchanged. The stem is a 3×3
    stride-1 convolution without max-pooling, as CIFAR-sized ResNets use, so layer4 still sees
    4×4 feature maps.
    """

    head_name = "fc"

    def __init__(
        self,
        num_classes: int,
        widths: tuple[int, ...] = DEFAULT_WIDTHS,
        blocks_per_stage: int = 1,
    ) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_stage(widths[0], blocks_per_stage, stride=1)
        self.layer2 = self._make_stage(widths[1], blocks_per_stage, stride=2)
        self.layer3 = self._make_stage(widths[2], blocks_per_stage, stride=2)
        self.layer4 = self._make_stage(widths[3], blocks_per_stage, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[3], num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def _make_stage(self, planes: int, n_blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes, stride), nn.BatchNorm2d(planes)
            )
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, n_blocks)]
        return nn.Sequential(*layers)

    @property
    def head(self) -> nn.Linear:
        """The classification head (``fc``, as torchvision's ResNets call it)."""
        return self.fc

    @property
    def feature_dim(self) -> int:
        return self.widths[-1]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled layer4 features: everything the head sees."""
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
