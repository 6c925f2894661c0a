"""Visual backbone of the default model: the FER2013 mini-Xception (H5's port, or its fine-tune)
behind a per-crop contrast normalisation.

Why: the face track measured that crops from real video (IEMOCAP, wide shots, about 50-80 px
faces) are much lower in contrast than FER2013 faces. Standardising each crop to FER2013's
typical per-image mean and spread, inside the graph, makes the two look alike to the frozen
network without touching its weights. A crop with no face (all zeros, mask 0) stays finite.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..backbones.mini_xception import MiniXceptionBackbone, mini_xception_backbone
from ..backbones.resnet import ResNetBackbone, face_resnet

# Per-image mean and standard deviation of FER2013 train faces, averaged over images ([0, 1] grey).
FER_IMAGE_MEAN = 0.512   # measured on 5,000 train faces: 0.5116
FER_IMAGE_STD = 0.303    # 0.3032; IEMOCAP clip crops: 0.155 (113 crops of 20 Ses01M clips)


class ContrastNormalisedMiniXception(MiniXceptionBackbone):
    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return super().stem(match_fer_contrast(x))


def contrast_normalised_mini_xception(pretrained_path: str | None = None) -> ContrastNormalisedMiniXception:
    source = mini_xception_backbone(pretrained_path)
    model = ContrastNormalisedMiniXception(source.input_size)
    model.load_state_dict(source.state_dict())
    return model


def match_fer_contrast(x: torch.Tensor) -> torch.Tensor:
    """Standardise each crop to FER2013's typical per-image mean and spread (see module header)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    std = x.std(dim=(1, 2, 3), keepdim=True)
    return ((x - mean) / (std + 1e-3) * FER_IMAGE_STD + FER_IMAGE_MEAN).clamp(0.0, 1.0)


class ContrastNormalisedFaceResNet(ResNetBackbone):
    """The FER2013-trained compact ResNet18 (mer.pretrain.fer --arch face_resnet) behind the
    same per-crop contrast normalisation as the mini-Xception above."""

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return super().stem(match_fer_contrast(x))


def contrast_normalised_face_resnet(pretrained_path: str | None = None) -> ContrastNormalisedFaceResNet:
    """``pretrained_path``: a checkpoint written by ``mer.pretrain.fer`` (fp16 state_dict with its
    JSON beside it, which names the widths and blocks it was trained with)."""
    import json
    from pathlib import Path

    arch: dict = {}
    if pretrained_path and Path(pretrained_path).with_suffix(".json").exists():
        arch = json.loads(Path(pretrained_path).with_suffix(".json").read_text())["architecture"]
    kwargs = {k: v for k, v in arch.items() if k in ("widths", "blocks", "first_layer_stride")}
    source = face_resnet(pretrained_path=pretrained_path, **kwargs)
    model = ContrastNormalisedFaceResNet(**source.config)
    model.load_state_dict(source.state_dict())
    return model
