"""A tiny convolutional backbone (a few thousand parameters) for tests, smoke runs and
random-weight placeholders; same group interface as the real backbones."""
from __future__ import annotations

import torch
from torch import nn

from .base import Backbone


class TinyConv(Backbone):
    def __init__(self, in_channels: int = 1, widths=(8, 16, 16), out_dim: int = 32) -> None:
        super().__init__()
        stages, c = [], in_channels
        for w in widths:
            stages.append(nn.Sequential(nn.Conv2d(c, w, 3, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU()))
            c = w
        self.stages = nn.ModuleList(stages)
        self.stage_channels = list(widths)
        self.out_dim = out_dim
        self.fc = nn.Linear(c, out_dim)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.fc(x.mean(dim=(2, 3))))
