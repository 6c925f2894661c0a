"""Loss of paper section 4.3: multi-label binary cross-entropy, each class's positive term
weighted by negatives/positives on the training split (``pos_weight``), against the unbalanced
classes of IEMOCAP and CMU-MOSEI.

``aux_weight`` > 0 adds the same loss on each present modality's own decision (S_a, S_v, S_t):
not in the paper, but it keeps the per-modality outputs the app shows meaningful when the model
is trained with modality dropout. ``modality_targets`` [B, 3, M] gives each modality its own
target where it differs from the sample's (a composed triple's mismatched or neutral words are
taught their own class, not the class voice and face agree on); default: the sample's target.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F


def pos_weight_from_labels(labels: np.ndarray, clip: float = 100.0) -> torch.Tensor:
    """labels [N, M] multi-hot -> negatives/positives per class (a class with no positive gets ``clip``)."""
    labels = np.asarray(labels, dtype=np.float64)
    pos = labels.sum(axis=0)
    neg = labels.shape[0] - pos
    ratio = np.where(pos > 0, neg / np.maximum(pos, 1.0), clip)
    return torch.tensor(np.clip(ratio, 1.0 / clip, clip), dtype=torch.float32)


def weighted_bce(logits: torch.Tensor, targets: torch.Tensor, pos_weight: torch.Tensor | None,
                 sample_mask: torch.Tensor | None = None) -> torch.Tensor:
    loss = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pos_weight, reduction="none").mean(-1)
    if sample_mask is None:
        return loss.mean()
    return (loss * sample_mask).sum() / sample_mask.sum().clamp(min=1.0)


def mer_loss(outputs: dict, targets: torch.Tensor, pos_weight: torch.Tensor | None, aux_weight: float = 0.0,
             modality_targets: torch.Tensor | None = None) -> torch.Tensor:
    loss = weighted_bce(outputs["fused"], targets, pos_weight)
    if aux_weight > 0:
        present = outputs["present"]
        for index, name in enumerate(("audio", "visual", "text")):
            own = targets if modality_targets is None else modality_targets[:, index]
            loss = loss + aux_weight * weighted_bce(outputs[name], own, pos_weight, present[:, index])
    return loss
