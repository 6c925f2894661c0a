"""VGGish (Hershey et al. 2017), the paper's audio backbone (sections 3.1.2, 4.3).

Input: log-mel patches [N, 1, 96, 64] (time x mel, docs/CONTRACTS.md); four convolution groups
(64; 128; 256-256; 512-512 channels, each ending in a 2x2 max pool) then the embedding MLP
12288 -> 4096 -> 4096 -> 128, so d_a = 128. The SEMs go after groups 2 and 4 and groups 1-2
are frozen in the paper's configuration.

``load_torchvggish_state_dict`` loads the PyTorch port of the AudioSet VGGish checkpoint
(harritaylor/torchvggish layout: ``features.{0,3,6,8,11,13}``, ``embeddings.{0,2,4}``). That
checkpoint was trained on ``log(mel + 0.01)``; our front end uses ``log(mel + 0.001)`` (shared with
YAMNet), so fine-tuning absorbs the small offset difference at quiet bins.
"""
from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

from ..compat import load_state
from .base import Backbone


def _group(in_ch: int, widths: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for w in widths:
        layers += [nn.Conv2d(in_ch, w, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
        in_ch = w
    layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)


class VGGish(Backbone):
    GROUPS = ([64], [128], [256, 256], [512, 512])
    # (group, index inside the group) of each conv, in torchvggish's ``features`` order.
    TORCHVGGISH_CONVS = {0: (0, 0), 3: (1, 0), 6: (2, 0), 8: (2, 2), 11: (3, 0), 13: (3, 2)}

    def __init__(self, embedding_dim: int = 128, input_frames: int = 96, mel_bins: int = 64) -> None:
        super().__init__()
        stages, in_ch = [], 1
        for widths in self.GROUPS:
            stages.append(_group(in_ch, widths))
            in_ch = widths[-1]
        self.stages = nn.ModuleList(stages)
        self.stage_channels = [g[-1] for g in self.GROUPS]
        self.out_dim = embedding_dim
        flat = 512 * (input_frames // 16) * (mel_bins // 16)
        self.embeddings = nn.Sequential(
            nn.Linear(flat, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, embedding_dim), nn.ReLU(inplace=True),
        )

    def head(self, x: torch.Tensor) -> torch.Tensor:
        # TF flattens NHWC: keep that order so the AudioSet checkpoint's first FC layer fits.
        return self.embeddings(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1))


def load_torchvggish_state_dict(model: VGGish, state_dict: Mapping[str, torch.Tensor]) -> list[str]:
    """Load a torchvggish ``state_dict``; returns the ignored keys (e.g. ``pproc.*``)."""
    renamed, ignored = {}, []
    for key, value in state_dict.items():
        parts = key.split(".")
        if parts[0] == "features" and int(parts[1]) in VGGish.TORCHVGGISH_CONVS:
            group, index = VGGish.TORCHVGGISH_CONVS[int(parts[1])]
            renamed[f"stages.{group}.{index}.{parts[2]}"] = value
        elif parts[0] == "embeddings":
            renamed[key] = value
        else:
            ignored.append(key)
    model.load_state_dict(renamed, strict=True)
    return ignored


def vggish_backbone(pretrained_path: str | None = None, **kwargs) -> VGGish:
    model = VGGish(**kwargs)
    if pretrained_path:
        state = load_state(pretrained_path)
        load_torchvggish_state_dict(model, state.get("state_dict", state))
    return model
