"""The shape every audio and visual CNN backbone has, so the encoders can put SEMs
between its convolution groups (paper section 3.1.4, Figure 5) and freeze the early
groups (section 4.3) without knowing which network it is."""
from __future__ import annotations

import torch
from torch import nn


class Backbone(nn.Module):
    """A CNN split into convolution groups.

    Subclasses fill:
      - ``stages``: ``nn.ModuleList`` of the convolution groups, in order (for ResNet18 the
        five groups conv1, conv2_x .. conv5_x; for VGGish its four groups);
      - ``stage_channels``: output channels of each group (the SEM's C_i);
      - ``out_dim``: size of the feature vector ``head`` returns (d_a or d_v);
      - ``stem``: input preparation before group 0 (normalisation, channel layout; no weights
        that should be frozen separately);
      - ``head``: everything after the last group (pooling, embedding layers) -> ``[B, out_dim]``.
    """

    stages: nn.ModuleList
    stage_channels: list[int]
    out_dim: int
    frozen_groups: int = 0

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def head(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return self.head(x)

    def freeze_groups(self, count: int) -> None:
        """Freeze the first ``count`` convolution groups (weights and batch-norm statistics).
        They stay in eval mode across later ``.train()`` calls."""
        if not 0 <= count <= len(self.stages):
            raise ValueError(f"cannot freeze {count} groups: the backbone has {len(self.stages)}")
        self.frozen_groups = count
        for stage in list(self.stages)[:count]:
            for p in stage.parameters():
                p.requires_grad_(False)
        self.train(self.training)

    def train(self, mode: bool = True) -> "Backbone":
        super().train(mode)
        for stage in list(self.stages)[: self.frozen_groups]:
            stage.eval()
        return self
