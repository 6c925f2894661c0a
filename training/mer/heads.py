"""Decision heads, paper section 3.3: global average pooling + MLP per audio/visual stream
(S_a, S_v), and an MLP on the sentence feature I_t (S_t). Outputs are logits."""
from __future__ import annotations

import torch
from torch import nn

from .attention import masked_mean


class MLPHead(nn.Module):
    def __init__(self, in_dim: int, num_classes: int, hidden: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SequenceHead(nn.Module):
    """GAP over the present segments, then the MLP -> S_x [B, M]; the same MLP on each segment
    gives the per-segment decisions [B, T, M] the app draws as a timeline."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.mlp = MLPHead(in_dim, num_classes, hidden, dropout)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor):
        return self.mlp(masked_mean(tokens, mask)), self.mlp(tokens)
