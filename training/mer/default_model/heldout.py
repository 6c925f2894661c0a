"""The fused model on speakers it never heard: the held-out speakers of ``mer.pretrain.speech``
(RAVDESS actors 16-20, CREMA-D 1088-1091, EmoDB 03 + 08), voice only, through the whole fused
graph (SEM with the "no text" embedding, MBT, attentive fusion) as the app runs it on a clip with
no face and no transcript. Neither the audio backbone nor the fusion stage trained on them.
"""
from __future__ import annotations

import numpy as np
import torch

from ..model import MERModel
from .crossval import constant_baselines, scores
from .fusion_training import forward_cached

DATASETS = {"ravdess": "RAVDESS speech (actors 16-20; calm left out)", "cremad": "CREMA-D (speakers 1088-1091; no fear)",
            "emodb": "EmoDB (speakers 03, 08; boredom left out)"}


@torch.no_grad()
def held_out_speech(model: MERModel) -> dict:
    from ..pretrain.speech import FREEZE, HELD_OUT, build_cache
    d = torch.load(build_cache())
    idx = [i for i, s in enumerate(d["speakers"]) if s in HELD_OUT]
    backbone = model.audio_encoder.backbone
    model.eval()
    probs = []
    for k in range(0, len(idx), 32):
        x = d["features"][idx[k:k + 32], 0]                     # view 0: the clip as recorded
        h = x.flatten(0, 1).float()
        for stage in list(backbone.stages)[FREEZE:]:
            h = stage(h)
        maps = h.view(*x.shape[:2], *h.shape[1:])
        b, t = maps.shape[:2]
        visual = torch.zeros((b, t) + model_visual_map_shape(model))
        out = forward_cached(model, maps, visual, torch.zeros(b, model.text_dim), d["masks"][idx[k:k + 32], 0],
                             torch.zeros(b, t), torch.zeros(b, 1))
        probs.append(torch.sigmoid(out["fused"]))
    probs = torch.cat(probs).numpy()
    labels = d["labels"][idx].numpy()
    datasets = np.array(d["datasets"])[idx]
    m = probs.shape[1]
    result = {}
    for name, description in DATASETS.items():
        sel = datasets == name
        if sel.any():
            result[name] = {"dataset": description, "metrics": scores(probs[sel], labels[sel], m),
                            "classes": len(set(labels[sel].tolist())),
                            "baselines": constant_baselines(labels[sel], m),
                            "predicted_share": np.bincount(probs[sel].argmax(1), minlength=m).tolist()}
    return result


def model_visual_map_shape(model: MERModel) -> tuple:
    """The shape of one segment's cached visual group-5 map, from a zero face through the backbone."""
    enc = model.visual_encoder
    size, channels = model.config["model"]["face"]["size"], model.config["model"]["face"]["channels"]
    with torch.no_grad():
        h = enc.backbone.stem(torch.zeros(1, channels, size, size))
        for stage in enc.backbone.stages:
            h = stage(h)
    return tuple(h.shape[1:])
