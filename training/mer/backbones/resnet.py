"""ResNet visual backbones split into the five convolution groups the SEMs sit between.

- ``resnet18_backbone``: the paper's ResNet18 (section 4.3; groups conv1, conv2_x .. conv5_x,
  out_dim 512). Inside each group the modules carry torchvision's names, so a torchvision or
  AffectNet ResNet18 ``state_dict`` loads through ``load_torchvision_resnet18``.
- ``face_resnet``: a compact ResNet for 1x48x48 grey face crops in [0, 1] (docs/CONTRACTS.md
  "Face crops"): the same BasicBlock layout and five groups, with a stride-1 3x3 stem, no max
  pool (conv2_x downsamples 48 -> 24 by default) and reduced widths, so SEM placement (after
  conv3_x and conv5_x) and freezing (first three groups) map one to one onto the paper's network.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Mapping, Sequence

import torch
from torch import nn

from ..compat import load_state
from .base import Backbone

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Pixel statistics of the FER2013 training faces (grey, [0, 1]); measured on train (28,709).
FER2013_MEAN = (0.5136,)
FER2013_STD = (0.3067,)


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """torchvision's BasicBlock, with its parameter names (conv1, bn1, conv2, bn2, downsample)."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


def _layer(in_planes: int, planes: int, blocks: int, stride: int) -> nn.Sequential:
    layers = [BasicBlock(in_planes, planes, stride)]
    layers += [BasicBlock(planes, planes) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


class ResNetBackbone(Backbone):
    """A BasicBlock ResNet as five groups: ``stages[0]`` is conv1 (+bn1, relu, [maxpool]),
    ``stages[1..4]`` are torchvision's layer1..layer4 (conv2_x .. conv5_x)."""

    def __init__(
        self,
        in_channels: int = 3,
        widths: Sequence[int] = (64, 64, 128, 256, 512),
        blocks: Sequence[int] = (2, 2, 2, 2),
        imagenet_stem: bool = True,
        first_layer_stride: int = 1,
        mean: Sequence[float] = IMAGENET_MEAN,
        std: Sequence[float] = IMAGENET_STD,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if len(widths) != 5 or len(blocks) != 4:
            raise ValueError(f"need 5 widths (conv1, conv2_x..conv5_x) and 4 block counts, got {widths}, {blocks}")
        if len(mean) not in (1, in_channels) or len(std) not in (1, in_channels):
            raise ValueError(f"mean/std need 1 or {in_channels} values, got {mean}, {std}")
        self.config = dict(
            in_channels=in_channels, widths=list(widths), blocks=list(blocks),
            imagenet_stem=imagenet_stem, first_layer_stride=first_layer_stride,
            mean=list(mean), std=list(std), dropout=dropout,
        )
        self.register_buffer("input_mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("input_std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))
        if imagenet_stem:
            conv1 = nn.Sequential(OrderedDict(
                conv1=nn.Conv2d(in_channels, widths[0], kernel_size=7, stride=2, padding=3, bias=False),
                bn1=nn.BatchNorm2d(widths[0]),
                relu=nn.ReLU(inplace=True),
                maxpool=nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            ))
        else:
            # 48x48 faces are small: keep full resolution into conv2_x, as CIFAR-style ResNets do.
            conv1 = nn.Sequential(OrderedDict(
                conv1=conv3x3(in_channels, widths[0]),
                bn1=nn.BatchNorm2d(widths[0]),
                relu=nn.ReLU(inplace=True),
            ))
        strides = (first_layer_stride, 2, 2, 2)
        self.stages = nn.ModuleList([conv1] + [
            _layer(widths[i], widths[i + 1], blocks[i], strides[i]) for i in range(4)
        ])
        self.stage_channels = list(widths)
        self.out_dim = widths[-1]
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        # Zero-init the last BN of each residual branch: every block starts as identity,
        # which trains faster and steadier from scratch (Goyal et al. 2017).
        for m in self.modules():
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.input_mean) / self.input_std

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(torch.flatten(self.pool(x), 1))


def load_torchvision_resnet18(backbone: ResNetBackbone, state_dict: Mapping[str, torch.Tensor]) -> list[str]:
    """Load a torchvision-layout ResNet18 ``state_dict`` (conv1.*, bn1.*, layer1-4.*; fc.* ignored).

    A 3-channel conv1 is summed over its input channels when the backbone takes grey input.
    Returns the keys that were ignored.
    """
    renamed: dict[str, torch.Tensor] = {}
    ignored = []
    for key, value in state_dict.items():
        if key.startswith(("conv1.", "bn1.")):
            renamed["stages.0." + key] = value
        elif key.startswith("layer") and key[5:6] in "1234":
            renamed[f"stages.{key[5]}" + key[6:]] = value
        else:
            ignored.append(key)
    w = renamed.get("stages.0.conv1.weight")
    in_channels = backbone.stages[0].conv1.weight.shape[1]
    if w is not None and w.shape[1] != in_channels:
        if in_channels != 1:
            raise ValueError(f"conv1 has {w.shape[1]} input channels, backbone takes {in_channels}; only 3 -> 1 is converted")
        renamed["stages.0.conv1.weight"] = w.sum(dim=1, keepdim=True)
    try:
        missing, unexpected = backbone.load_state_dict(renamed, strict=False)
    except RuntimeError as error:  # shape mismatches
        raise ValueError(f"state_dict does not fit ResNet18: {error}") from error
    missing = [k for k in missing if not k.startswith("input_")]
    if missing or unexpected:
        raise ValueError(f"state_dict does not fit ResNet18: missing {missing}, unexpected {unexpected}")
    return ignored


def resnet18_backbone(in_channels: int = 3, pretrained_path: str | None = None) -> ResNetBackbone:
    """The paper's ResNet18 (ImageNet stem, widths 64-64-128-256-512, out_dim 512).

    ``pretrained_path``: a torch file holding a torchvision-layout ResNet18 state_dict (or a
    dict with it under ``state_dict``), e.g. ImageNet or AffectNet weights.
    """
    mean = IMAGENET_MEAN if in_channels == 3 else (sum(IMAGENET_MEAN) / 3,) * in_channels
    std = IMAGENET_STD if in_channels == 3 else (sum(IMAGENET_STD) / 3,) * in_channels
    model = ResNetBackbone(in_channels=in_channels, mean=mean, std=std)
    if pretrained_path:
        state = load_state(pretrained_path)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        load_torchvision_resnet18(model, state)
    return model


# Compact default widths. Measured training throughput (batch 128, 48 px, 2 threads, idle
# machine, channels_last): conv2_x at 48x48 (first_layer_stride=1) 91 img/s; at 24x24
# (stride 2, the default) 540 img/s; the same at widths 32-48-96-192-384 210 img/s and
# 64-64-128-256-512 90 img/s. With five other jobs on the 2 cores every figure drops 10-20x.
FACE_RESNET_WIDTHS = (32, 32, 64, 128, 256)


def face_resnet(
    in_channels: int = 1,
    widths: Sequence[int] = FACE_RESNET_WIDTHS,
    blocks: Sequence[int] = (2, 2, 2, 2),
    first_layer_stride: int = 2,
    dropout: float = 0.0,
    pretrained_path: str | None = None,
) -> ResNetBackbone:
    """Compact ResNet18-shaped backbone for 48x48 grey face crops in [0, 1] (out_dim = widths[-1]).

    ``pretrained_path``: a state_dict saved by ``mer.pretrain.fer`` (training/checkpoints/visual_fer.pt);
    classifier keys (``classifier.*``) in it are ignored.
    """
    model = ResNetBackbone(
        in_channels=in_channels, widths=widths, blocks=blocks, imagenet_stem=False,
        first_layer_stride=first_layer_stride, mean=FER2013_MEAN * in_channels if in_channels > 1 else FER2013_MEAN,
        std=FER2013_STD * in_channels if in_channels > 1 else FER2013_STD, dropout=dropout,
    )
    if pretrained_path:
        state = load_state(pretrained_path)
        state = {k[len("backbone."):]: v.float() for k, v in state.items() if k.startswith("backbone.")} or state
        model.load_state_dict(state)
    return model
