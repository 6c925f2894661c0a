"""Attentive decision fusion, paper section 3.3, equations (4)-(6).

  S_con = [S_a; S_v; S_t] in R^{M x 3}     (the unimodal decisions as columns; logits here)
  (4) S' = tanh(W_1 S_con),                 W_1 in R^{M x M}
  (5) alpha = softmax(W_2^T S'),            W_2 in R^{M x 3}, alpha in R^{1 x 3}
  (6) output = S_con alpha^T                in R^M   (then a sigmoid per class)

Our reading of (5). With W_2 in R^{M x 3}, W_2^T S' is 3 x 3, yet alpha is 1 x 3. The shapes
agree if modality m is scored by its own column of W_2 against its own column of S':
alpha_m = softmax_m( W_2[:, m] . S'[:, m] ), i.e. alpha = softmax(diag(W_2^T S')). That is the
default (``scoring="per_modality"``). ``scoring="shared"`` uses one vector w in R^M for all
three (alpha = softmax(w^T S'), the other way to make alpha 1 x 3).

Missing modalities (docs/CONTRACTS.md): their score gets a large negative bias (never -inf)
and alpha is multiplied by the presence mask, so an absent modality's alpha is exactly 0 and
its decision contributes nothing. ``use_text=False`` is the paper's "without textual decision"
variant (Table 2, last row): the text column never enters the softmax.
"""
from __future__ import annotations

import torch
from torch import nn

from .attention import MASK_NEG

SCORINGS = ("per_modality", "shared")


class AttentiveDecisionFusion(nn.Module):
    def __init__(self, num_classes: int, scoring: str = "per_modality", use_text: bool = True) -> None:
        super().__init__()
        if scoring not in SCORINGS:
            raise ValueError(f"fusion scoring {scoring!r}: valid are {SCORINGS}")
        self.scoring = scoring
        self.use_text = use_text
        self.w1 = nn.Linear(num_classes, num_classes, bias=False)             # W_1 (M x M)
        self.w2 = nn.Parameter(torch.randn(num_classes, 3 if scoring == "per_modality" else 1)
                               * (1.0 / num_classes ** 0.5))                   # W_2 (M x 3) or w (M x 1)

    def forward(self, s_audio, s_visual, s_text, present):
        """Decisions [B, M] each; ``present`` [B, 3] (audio, visual, text) in {0, 1}.
        Returns (fused logits [B, M], alpha [B, 3])."""
        if not self.use_text:
            present = present * torch.tensor([1.0, 1.0, 0.0], dtype=present.dtype, device=present.device)
        s_con = torch.stack([s_audio, s_visual, s_text], dim=-1)               # [B, M, 3]
        s_prime = torch.tanh(torch.matmul(self.w1.weight, s_con))              # eq. (4) [B, M, 3]
        scores = (s_prime * self.w2).sum(dim=1)                                # eq. (5) logits [B, 3]
        alpha = torch.softmax(scores + (1.0 - present) * MASK_NEG, dim=-1) * present
        fused = torch.matmul(s_con * present.unsqueeze(1), alpha.unsqueeze(-1)).squeeze(-1)  # eq. (6)
        return fused, alpha
