"""The fused model on speakers it never heard: the held-out speakers of ``mer.pretrain.speech``
that the fusion stage did not learn from either (RAVDESS actors 19-20, CREMA-D 1090-1091, EmoDB
08; the other half, ``features.FUSION_FIT_SPEAKERS``, trains the fusion), voice only, through the whole fused
graph (SEM with the "no text" embedding, MBT, attentive fusion) as the app runs it on a clip with
no face and no transcript. No part of the model trained on them.
"""
from __future__ import annotations

import numpy as np
import torch

from ..metrics import per_class
from ..model import MERModel
from .crossval import constant_baselines, scores
from .features import FUSION_FIT_SPEAKERS, frozen_maps, voice_stats_logits
from .fusion_training import forward_cached

# The audio backbone's own classifier is scored on all its held-out speakers (mer.pretrain.speech).
BACKBONE_DATASETS = {"ravdess": "RAVDESS speech (actors 16-20; calm left out)", "cremad": "CREMA-D (speakers 1088-1091; no fear)",
                     "emodb": "EmoDB (speakers 03, 08; boredom left out)"}
DATASETS = {"ravdess": "RAVDESS speech (actors 19-20; calm left out)", "cremad": "CREMA-D (speakers 1090-1091; no fear)",
            "emodb": "EmoDB (speaker 08; boredom left out)"}


@torch.no_grad()
def held_out_speech(model: MERModel) -> dict:
    from ..pretrain.speech import FREEZE, HELD_OUT, build_cache, late_groups
    d = torch.load(build_cache())
    idx = [i for i, s in enumerate(d["speakers"]) if s in HELD_OUT - FUSION_FIT_SPEAKERS]
    late = list(model.audio_encoder.backbone.stages)[FREEZE:]
    face = model.config["model"]["face"]
    no_face_map = frozen_maps(model.visual_encoder, torch.zeros(1, face["channels"], face["size"], face["size"]))[0]
    model.eval()
    probs = []
    for k in range(0, len(idx), 32):
        maps = late_groups(late, d["features"][idx[k:k + 32], 0])        # view 0: the clip as recorded
        b, t = maps.shape[:2]
        visual = torch.zeros((b, t) + tuple(no_face_map.shape))
        stats = voice_stats_logits(model, d["features"][idx[k:k + 32], 0])
        out = forward_cached(model, maps, visual, torch.zeros(b, model.text_dim), d["masks"][idx[k:k + 32], 0],
                             torch.zeros(b, t), torch.zeros(b, 1), stats)
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



# IEMOCAP session 5's transcripts: speakers none of the 72 dev clips (session 1) hold, and text the
# text encoder never trained on (it trains on sessions 2-4).
WORDS_DATASET = "IEMOCAP transcripts, session 5: no speaker of the dev clips"


@torch.no_grad()
def held_out_words(model: MERModel, text_checkpoint) -> dict:
    """The fused model's words path on IEMOCAP session 5: with only the words present, eq. (6) with
    α = (0, 0, 1) makes the fused decision S_t, the text head on I_t. I_t comes from the text
    encoder's checkpoint (the app runs its q8 export, which scored the same top-1 within 0.002 on
    these utterances)."""
    from ..text import datasets
    from ..text.encoder import TextEncoder
    rows = datasets.load("iemocap", "test")
    cls = torch.from_numpy(np.asarray(TextEncoder.from_checkpoint(text_checkpoint).cls([r.text for r in rows]), np.float32))
    model.eval()
    probs = torch.sigmoid(model.text_head(cls)).numpy()
    labels = np.stack([r.labels for r in rows]).argmax(1)
    m = probs.shape[1]
    present = np.bincount(labels, minlength=m) > 0
    every_on = per_class(np.ones_like(probs), np.eye(m)[labels])["f1"][present].mean()   # the constant to beat on those classes
    return {"dataset": WORDS_DATASET, "metrics": scores(probs, labels, m), "classes": int(present.sum()),
            "baselines": {**constant_baselines(labels, m), "every_class_on_present_avg_f1": float(every_on)},
            "predicted_share": np.bincount(probs.argmax(1), minlength=m).tolist()}
