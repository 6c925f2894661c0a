"""Shared tiny configs and inputs for the MER model tests."""
import copy

import torch

from mer.config import load_config

TINY = {
    "labels": "ekman7",
    "model": {
        "text_dim": 16,
        "audio": {"backbone": {"name": "tiny"}, "sem_after": [2, 3], "freeze_groups": 1},
        "visual": {"backbone": {"name": "tiny"}, "sem_after": [3], "freeze_groups": 1},
        "mbt": {"dim": 16, "heads": 4, "bottlenecks": 4, "layers": 1, "ffn_mult": 2, "dropout": 0.0},
        "head": {"hidden": 16, "dropout": 0.0},
    },
    "train": {"threads": 1},
}


def tiny_config(**model_overrides):
    raw = copy.deepcopy(TINY)
    raw["model"].update(model_overrides)
    return load_config(None, raw)


def inputs(b=2, t=4, text_dim=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "log_mel": torch.randn(b, t, 96, 64, generator=g) - 4,
        "faces": torch.rand(b, t, 1, 48, 48, generator=g),
        "text_cls": torch.randn(b, text_dim, generator=g),
        "audio_mask": torch.ones(b, t), "visual_mask": torch.ones(b, t), "text_mask": torch.ones(b, 1),
    }
