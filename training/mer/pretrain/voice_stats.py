"""A voice-statistics classifier for the fused model's audio decision (``mer.heads.VoiceStatsHead``;
opt-in with ``model.audio.voice_stats``: off in the shipped model, training/README.md says why).

Why: the EmoDB track measured that statistics of YAMNet's frozen group 3 (AudioSet) carry more
emotion than its final embedding (0.75 vs 0.57 speaker-held-out). On English speakers no part of
the model heard, a linear classifier on them beat the fine-tuned backbone's own classifier
(RAVDESS actors 16-20: 0.60 vs 0.55). Used frozen beside the fused model's audio head: the
fusion stage learns per class how much of it to take. On real conversational clips (IEMOCAP) it
mostly answers sadness, and the fusion stage learned to take little of it.

Features: per segment, mean and standard deviation over time of each channel x frequency row
of the group-3 map ([256, 12, 8] -> 4,096), averaged over the clip's voiced segments (the same
cache as ``mer.pretrain.speech``: every view of every clip). Classifier: scikit-learn's
multinomial logistic regression on standardised features, trained on every view of the
training speakers' clips; its L2 strength C chosen by 5-fold cross-validation grouped by
speaker over the training speakers only (view 0, the clip as recorded, scored). The held-out
speakers (``speech.HELD_OUT``) are scored once, at the end.

    python -m mer.pretrain.voice_stats [--threads 2]
        -> training/checkpoints/audio_stats.pt (+ .json with the report)
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from ..heads import VoiceStatsHead
from .speech import EKMAN, FREEZE, HELD_OUT, ROOT, build_cache, held_out_report, split

CHECKPOINT = ROOT / "training/checkpoints/audio_stats.pt"
C_GRID = (0.003, 0.01, 0.03)
FOLDS = 5


def clip_statistics(cache: dict, chunk: int = 200) -> np.ndarray:
    """[N, V, 4096]: every view's per-segment statistics, averaged over its voiced segments."""
    feats, masks = cache["features"], cache["masks"]
    n, v, t = feats.shape[:3]
    out = None
    for i in range(0, n, chunk):
        x = feats[i:i + chunk].float()
        stats = VoiceStatsHead.statistics(x.reshape((-1,) + tuple(x.shape[3:]))).reshape(x.shape[0], v, t, -1)
        w = masks[i:i + chunk]
        w = w / w.sum(-1, keepdim=True).clamp(min=1e-6)
        pooled = (stats * w.unsqueeze(-1)).sum(2).numpy()
        if out is None:
            out = np.zeros((n, v, pooled.shape[-1]), np.float32)
        out[i:i + chunk] = pooled
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float) -> dict:
    """Standardise + multinomial logistic regression -> VoiceStatsHead's buffers (numpy)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(C=c, max_iter=1000).fit(scaler.transform(x), y)
    if list(clf.classes_) != list(range(len(EKMAN))):
        raise ValueError(f"training labels cover {list(clf.classes_)}, need all {len(EKMAN)} Ekman classes")
    return {"mean": scaler.mean_.astype(np.float32), "scale": scaler.scale_.astype(np.float32),
            "weight": clf.coef_.astype(np.float32), "bias": clf.intercept_.astype(np.float32)}


def logits(head: dict, x: np.ndarray) -> np.ndarray:
    return ((x - head["mean"]) / head["scale"]) @ head["weight"].T + head["bias"]


def choose_c(stats: np.ndarray, y: np.ndarray, speakers: np.ndarray, train_idx: np.ndarray, log=print) -> tuple[float, dict]:
    from sklearn.model_selection import GroupKFold
    scores = {}
    for c in C_GRID:
        acc = []
        for a, b in GroupKFold(FOLDS).split(train_idx, groups=speakers[train_idx]):
            ia, ib = train_idx[a], train_idx[b]
            head = fit(stats[ia].reshape(-1, stats.shape[-1]), np.repeat(y[ia], stats.shape[1]), c)
            acc.append(float((logits(head, stats[ib, 0]).argmax(1) == y[ib]).mean()))
        scores[c] = float(np.mean(acc))
        log(f"C={c}: speaker-grouped CV top-1 {scores[c]:.4f} (folds {np.round(acc, 3).tolist()})")
    return max(scores, key=scores.get), scores


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.pretrain.voice_stats", description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    cache = torch.load(build_cache())
    stats = clip_statistics(cache)
    y = cache["labels"].numpy()
    speakers = np.array(cache["speakers"])
    train_idx, test_idx = split(cache)
    print(f"statistics of {len(y)} clips x {stats.shape[1]} views in {time.time() - t0:.0f}s", flush=True)
    c, cv = choose_c(stats, y, speakers, train_idx, log=lambda s: print(s, flush=True))
    head = fit(stats[train_idx].reshape(-1, stats.shape[-1]), np.repeat(y[train_idx], stats.shape[1]), c)
    probs = torch.from_numpy(logits(head, stats[test_idx, 0])).softmax(-1).numpy()
    report = held_out_report(cache, test_idx, probs)
    torch.save({"group": FREEZE, **{k: torch.from_numpy(v) for k, v in head.items()}, "labels": list(EKMAN), "C": c},
               CHECKPOINT)
    info = {
        "model": f"mean and standard deviation over time of YAMNet group-{FREEZE} maps (AudioSet, frozen), "
                 "averaged over voiced segments; multinomial logistic regression (scikit-learn), standardisation folded in",
        "labels": list(EKMAN), "group": FREEZE, "features": int(head["weight"].shape[1]),
        "train_data": {"clips": int(len(train_idx)), "views_per_clip": int(stats.shape[1]),
                       "speakers": sorted(set(speakers[train_idx].tolist()))},
        "c_selection": {"grid": list(C_GRID), "chosen": c, "speaker_grouped_cv_top1": cv, "folds": FOLDS,
                        "protocol": "GroupKFold by speaker over the training speakers only; view 0 scored"},
        "split": "speakers held out, never trained on or selected on: " + ", ".join(sorted(HELD_OUT)),
        "held_out": report,
        "checkpoint_bytes": CHECKPOINT.stat().st_size,
    }
    CHECKPOINT.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    for name, r in report.items():
        print(f"held out {name}: top-1 {r['top1_accuracy']:.4f} macro-F1 {r['macro_f1']:.4f} (n = {r['n']}, "
              f"majority {r['always_majority_class']:.3f})", flush=True)
    print(f"saved {CHECKPOINT} in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
