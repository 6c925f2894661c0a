"""Audio and visual encoders (paper sections 3.1.2-3.1.4): a CNN backbone with semantic
enhancement modules (SEM, sem.py) inserted after configured convolution groups, and its early
groups frozen (section 4.3). Also the registry that builds any backbone from a config entry.

Group numbers are 1-based as in the paper: VGGish ``sem_after: [2, 4]`` puts SEMs after conv2
and conv4; ResNet18 ``[3, 5]`` after conv3_x and conv5_x.
"""
from __future__ import annotations

from pathlib import Path

import importlib
from typing import Mapping

import torch
from torch import nn

from .backbones.base import Backbone
from .sem import SemanticEnhancement

# name -> "module:factory". Factories take the backbone entry's other keys as keyword arguments.
BACKBONES = {
    "vggish": "mer.backbones.vggish:vggish_backbone",
    "yamnet": "mer.backbones.yamnet:yamnet_backbone",
    "resnet18": "mer.backbones.resnet:resnet18_backbone",
    "face_resnet": "mer.backbones.resnet:face_resnet",
    "tiny": "mer.backbones.tiny:TinyConv",
}


def _yamnet_factory(tflite_path: str | None = None, pretrained: str | None = None,
                    weights: str | None = None) -> Backbone:
    """YAMNet (mer.backbones.yamnet), with its AudioSet weights when a .tflite path is given, or
    the speech-emotion fine-tune of ``mer.pretrain.speech`` when ``weights`` names its checkpoint."""
    from .backbones.yamnet import YAMNet
    if weights:
        from .config import REPO_ROOT
        from .pretrain.speech import load_speech_yamnet
        return load_speech_yamnet(weights if Path(weights).is_absolute() else REPO_ROOT / weights)
    path = tflite_path or pretrained
    return YAMNet.from_tflite(path) if path else YAMNet()


def build_backbone(spec: Mapping) -> Backbone:
    """``spec``: ``{"name": one of BACKBONES, ...factory kwargs}`` or ``{"factory": "module:attr", ...}``."""
    spec = dict(spec)
    name = spec.pop("name", None)
    factory_path = spec.pop("factory", None)
    if name == "yamnet" and factory_path is None:
        return _yamnet_factory(**spec)
    if factory_path is None:
        if name not in BACKBONES:
            raise ValueError(f"backbone {name!r}: valid are {sorted(BACKBONES)} (or give 'factory': 'module:attr')")
        factory_path = BACKBONES[name]
    module_name, attr = factory_path.split(":")
    factory = getattr(importlib.import_module(module_name), attr)
    if "pretrained" in spec:
        spec["pretrained_path"] = spec.pop("pretrained")
        if spec["pretrained_path"] is None:
            spec.pop("pretrained_path")
    model = factory(**spec)
    if not isinstance(model, Backbone):
        raise TypeError(f"{factory_path} returned {type(model).__name__}, not a Backbone")
    return model


class SemanticEncoder(nn.Module):
    """Backbone + SEMs: per-segment input [N, C, H, W] and I_t [N, d_t] -> feature [N, out_dim]."""

    def __init__(self, backbone: Backbone, text_dim: int, sem_after=(), freeze_groups: int = 0,
                 softmax_over: str = "positions") -> None:
        super().__init__()
        groups = len(backbone.stages)
        bad = [g for g in sem_after if not 1 <= g <= groups]
        if bad:
            raise ValueError(f"sem_after {list(sem_after)}: groups are 1..{groups} for this backbone")
        self.backbone = backbone
        self.sem_after = sorted(set(int(g) for g in sem_after))
        self.sems = nn.ModuleDict({
            str(g): SemanticEnhancement(backbone.stage_channels[g - 1], text_dim, softmax_over)
            for g in self.sem_after})
        self.out_dim = backbone.out_dim
        backbone.freeze_groups(freeze_groups)

    @property
    def frozen_groups(self) -> int:
        return self.backbone.frozen_groups

    def cacheable_groups(self) -> int:
        """How many leading groups have fixed outputs (frozen and no SEM before their end),
        so their outputs can be computed once and cached."""
        first_sem = self.sem_after[0] if self.sem_after else len(self.backbone.stages)
        return min(self.frozen_groups, first_sem)

    def forward_frozen(self, x: torch.Tensor, groups: int) -> torch.Tensor:
        """Stem and the first ``groups`` groups only (for caching; requires no SEM among them)."""
        if groups > self.cacheable_groups():
            raise ValueError(f"only the first {self.cacheable_groups()} groups are cacheable")
        x = self.backbone.stem(x)
        for stage in list(self.backbone.stages)[:groups]:
            x = stage(x)
        return x

    def forward(self, x: torch.Tensor, text: torch.Tensor, start_group: int = 0) -> torch.Tensor:
        """``start_group`` > 0: ``x`` is the cached output of the first ``start_group`` groups."""
        if start_group == 0:
            x = self.backbone.stem(x)
        elif start_group in self.sem_after:
            # The cache holds group start_group's raw output; its SEM still has to run.
            x = self.sems[str(start_group)](x, text)
        for index, stage in enumerate(self.backbone.stages):
            if index < start_group:
                continue
            x = stage(x)
            sem = self.sems[str(index + 1)] if (index + 1) in self.sem_after else None
            if sem is not None:
                x = sem(x, text)
        return self.backbone.head(x)

    def parameter_groups(self):
        """(backbone parameters that train, everything else that trains) for the two learning rates."""
        backbone = [p for p in self.backbone.parameters() if p.requires_grad]
        ids = {id(p) for p in self.backbone.parameters()}
        rest = [p for p in self.parameters() if p.requires_grad and id(p) not in ids]
        return backbone, rest
