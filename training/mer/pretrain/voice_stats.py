"""A voice-statistics classifier for the fused model's audio decision (``mer.heads.VoiceStatsHead``,
``model.audio.voice_stats``; on in the default model since 2026-12-05, training/README.md).

Why: the EmoDB track measured that statistics of YAMNet's frozen group 3 (AudioSet) carry more
emotion than its final embedding (0.75 vs 0.57 speaker-held-out). On English speakers no part of
the model heard, a linear classifier on them beat the fine-tuned backbone's own classifier
(RAVDESS actors 16-20: 0.59-0.60 vs 0.55). Used frozen beside the fused model's audio head: the
fusion stage learns per class how much of it to take (its gain has its own learning rate,
``mer.default_model.fusion_training.fusion_optimizer``).

Features: per segment, mean and standard deviation over time of each channel x frequency row
of the group-3 map ([256, 12, 8] -> 4,096), averaged over the clip's voiced segments (the same
cache as ``mer.pretrain.speech``: every view of every clip), plus two speed-perturbed copies
of each training speaker's clip (``SPEEDS``: 0.9x and 1.1x, tempo and pitch together, as a slower
or faster and lower or higher talker; ``speed_statistics``, cached beside the speech cache).
Classifier: scikit-learn's multinomial logistic regression on standardised features, trained on
every view of the training speakers' clips, each clip weighing as much as its three cached views
(so C and ``--real-weight`` keep their meaning); its L2 strength C chosen by 5-fold cross-validation grouped by
speaker over the training speakers only (view 0, the clip as recorded, scored). The held-out
speakers (``speech.HELD_OUT``) are scored once, at the end.

Acted speech alone leaves it answering "sadness" on conversational clips. ``--real-clips DIR``
(the 72 dev clips as the app computes them, ``npm run prepare-dataset``) adds their clip
statistics to the training set, each clip weighted ``--real-weight`` times a view of an acted
clip, so the classifier also learns what a calm conversation sounds like. The fusion stage's
cross-validation must not score a clip with a classifier that saw it: the checkpoint then also
holds one classifier per fold of ``mer.default_model.crossval`` (``folds``), each fitted without
that fold's clips, and one per pair of folds (``pairs``); fold k scores its clips with the one
without fold k and trains on a clip of fold j with the one without k and j.

    python -m mer.pretrain.voice_stats [--threads 2] [--c 0.01] [--real-clips DIR [--real-weight 90]] [--speeds 0.9,1.1]
        -> training/checkpoints/audio_stats.pt (+ .json with the report)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import torch

from ..heads import VoiceStatsHead
from .speech import EKMAN, FREEZE, HELD_OUT, ROOT, SPEEDS, build_cache, held_out_report, split

CHECKPOINT = ROOT / "training/checkpoints/audio_stats.pt"
# SPEEDS (mer.pretrain.speech): speed-perturbed copies of the training speakers' clips as extra
# training views. With them the shipped recipe scores, on held-out speakers, RAVDESS 16-20 0.615
# (0.588 without), CREMA-D 1088-1091 0.571 (0.567), EmoDB 03+08 0.804 (0.793); n = 260 / 268 / 92,
# training/README.md.
C_GRID = (0.003, 0.01, 0.03)
FOLDS = 5


def voiced_mean(stats: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-segment statistics [..., T, F] averaged over the segments ``mask`` [..., T] marks voiced."""
    w = mask / mask.sum(-1, keepdim=True).clamp(min=1e-6)
    return (stats * w.unsqueeze(-1)).sum(-2)


def clip_statistics(cache: dict, chunk: int = 200) -> np.ndarray:
    """[N, V, 4096]: every view's per-segment statistics, averaged over its voiced segments."""
    feats, masks = cache["features"], cache["masks"]
    n, v, t = feats.shape[:3]
    out = None
    for i in range(0, n, chunk):
        x = feats[i:i + chunk].float()
        stats = VoiceStatsHead.statistics(x.reshape((-1,) + tuple(x.shape[3:]))).reshape(x.shape[0], v, t, -1)
        pooled = voiced_mean(stats, masks[i:i + chunk]).numpy()
        if out is None:
            out = np.zeros((n, v, pooled.shape[-1]), np.float32)
        out[i:i + chunk] = pooled
    return out


@torch.no_grad()
def voiced_statistics(net, log_mel: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """One clip's log-mel patches [T, 96, 64] through YAMNet's frozen groups (fp16, as the speech
    cache stores them) -> per-segment statistics averaged over the segments ``mask`` [T] marks voiced."""
    from .speech import frozen_groups
    per_segment = VoiceStatsHead.statistics(frozen_groups(net, log_mel).float())
    return voiced_mean(per_segment, torch.from_numpy(np.asarray(mask, np.float32))).numpy()


def real_clip_statistics(browser_dir) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dev clips (``mer.default_model.features.dev_av_rows`` order, as the fusion caches) from a
    ``npm run prepare-dataset`` folder: statistics [N, 4096] of the frozen group maps of the
    browser's log-mel patches, averaged over its voiced segments (the app's VAD mask), the
    Ekman-7 labels, and which clips have a voiced segment at all."""
    from ..backbones.yamnet import YAMNet
    from ..data.prepare import browser_features
    from ..default_model.features import dev_av_rows
    net = YAMNet.from_tflite().eval()
    files = browser_features(browser_dir)
    stats, labels, voiced = [], [], []
    for row in dev_av_rows():
        with np.load(files[row["id"]]) as z:
            log_mel, mask = z["log_mel"], z["audio_mask"].astype(np.float32)
        stats.append(voiced_statistics(net, log_mel, mask))
        labels.append(row["label"])
        voiced.append(mask.sum() > 0)
    return np.stack(stats).astype(np.float32), np.asarray(labels), np.asarray(voiced)


def speed_statistics(cache: dict, idx: np.ndarray, speeds=SPEEDS) -> np.ndarray:
    """[len(idx), len(speeds), 4096]: the clips ``idx`` of the speech cache played at ``speeds``
    (``speech.build_speed_cache``, the views the backbone's fine-tuning trains on too), through the
    same statistics and voiced averaging as the cached views."""
    from .speech import build_speed_cache
    return clip_statistics(build_speed_cache(cache, idx, speeds))


def fit(x: np.ndarray, y: np.ndarray, c: float, sample_weight: np.ndarray | None = None) -> dict:
    """Standardise + multinomial logistic regression -> VoiceStatsHead's buffers (numpy)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(C=c, max_iter=1000).fit(scaler.transform(x), y, sample_weight=sample_weight)
    if list(clf.classes_) != list(range(len(EKMAN))):
        raise ValueError(f"training labels cover {list(clf.classes_)}, need all {len(EKMAN)} Ekman classes")
    return {"mean": scaler.mean_.astype(np.float32), "scale": scaler.scale_.astype(np.float32),
            "weight": clf.coef_.astype(np.float32), "bias": clf.intercept_.astype(np.float32)}


def fit_with_real_clips(acted_x: np.ndarray, acted_y: np.ndarray, real_x: np.ndarray, real_y: np.ndarray,
                        voiced: np.ndarray, c: float, weight: float,
                        acted_w: np.ndarray | None = None) -> tuple[dict, list[dict], dict, dict]:
    """The classifier on acted views plus the voiced real clips (each weighted ``weight``), one per
    cross-validation fold of ``mer.default_model.crossval`` fitted without that fold's clips, one
    per pair of folds fitted without both (``"k-j"``, k < j), and the out-of-fold top-1 on the
    real clips."""
    from ..default_model.crossval import CV_FOLDS, stratified_folds
    fold_of = stratified_folds(real_y, CV_FOLDS, seed=0)   # crossval's folds over all dev clips

    def with_real(keep: np.ndarray) -> dict:
        keep = keep & voiced
        return fit(np.concatenate([acted_x, real_x[keep]]), np.concatenate([acted_y, real_y[keep]]), c,
                   np.concatenate([np.ones(len(acted_y)) if acted_w is None else acted_w, np.full(int(keep.sum()), float(weight))]))

    head = with_real(np.ones(len(real_y), bool))
    folds = [with_real(fold_of != k) for k in range(CV_FOLDS)]
    # Without two folds: the fusion stage's CV fold k trains on a clip of fold j with the classifier
    # that saw neither, as the build trains on each clip with the one that never saw it (stacking).
    pairs = {f"{k}-{j}": with_real((fold_of != k) & (fold_of != j)) for k in range(CV_FOLDS) for j in range(k + 1, CV_FOLDS)}
    oof = np.full(len(real_y), -1)
    for k, fh in enumerate(folds):
        oof[fold_of == k] = logits(fh, real_x[fold_of == k]).argmax(1)
    counts = np.bincount(real_y[voiced], minlength=len(EKMAN))
    report = {"weight": float(weight), "clips": int(voiced.sum()), "fold_of": fold_of.tolist(),
              "cv_top1_voiced_clips": round(float((oof[voiced] == real_y[voiced]).mean()), 4),
              "always_majority_top1": round(float(counts.max() / counts.sum()), 4),
              "protocol": f"{CV_FOLDS}-fold stratified CV over the dev clips (crossval's folds): fold k scored "
                          "by the classifier fitted without fold k"}
    return head, folds, pairs, report


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
    ap.add_argument("--real-clips", metavar="DIR", help="also train on the dev clips' statistics from this "
                                                        "`npm run prepare-dataset` folder (per-fold classifiers for the CV)")
    ap.add_argument("--real-weight", type=float, default=90.0, help="weight of one dev clip against one acted view")
    ap.add_argument("--speeds", type=lambda v: tuple(float(x) for x in v.split(",") if x), default=SPEEDS,
                    help="speed-perturbation factors for extra training views, comma-separated ('' for none)")
    ap.add_argument("--c", type=float, help="L2 strength; default: chosen by speaker-grouped CV over the acted training speakers")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    cache = torch.load(build_cache())
    stats = clip_statistics(cache)
    y = cache["labels"].numpy()
    speakers = np.array(cache["speakers"])
    train_idx, test_idx = split(cache)
    print(f"statistics of {len(y)} clips x {stats.shape[1]} views in {time.time() - t0:.0f}s", flush=True)
    if args.c is None:
        c, cv = choose_c(stats, y, speakers, train_idx, log=lambda s: print(s, flush=True))
    else:
        c, cv = args.c, None
    # The cached views and the speed-perturbed ones of the training speakers; every clip keeps the
    # weight of its cached views, so C and --real-weight mean what they meant without them.
    views = np.concatenate([stats[train_idx], speed_statistics(cache, train_idx, args.speeds)], 1) if args.speeds else stats[train_idx]
    acted_x, acted_y = views.reshape(-1, views.shape[-1]), np.repeat(y[train_idx], views.shape[1])
    acted_w = np.full(len(acted_y), stats.shape[1] / views.shape[1])
    real = None
    if args.real_clips:
        real_x, real_y, voiced = real_clip_statistics(args.real_clips)
        head, folds, pairs, real = fit_with_real_clips(acted_x, acted_y, real_x, real_y, voiced, c, args.real_weight, acted_w)
        # Which features, not where they lay on the machine that fitted it.
        manifest = Path(args.real_clips) / "manifest.jsonl"
        real["features"] = {"made_by": "npm run prepare-dataset",
                            "manifest_sha256": hashlib.sha256(manifest.read_bytes()).hexdigest()}
        print(f"dev clips ({real['clips']} voiced): out-of-fold top-1 {real['cv_top1_voiced_clips']} "
              f"(always the majority class {real['always_majority_top1']})", flush=True)
    else:
        head = fit(acted_x, acted_y, c, acted_w)
    probs = torch.from_numpy(logits(head, stats[test_idx, 0])).softmax(-1).numpy()
    report = held_out_report(cache, test_idx, probs)
    saved = {"group": FREEZE, **{k: torch.from_numpy(v) for k, v in head.items()}, "labels": list(EKMAN), "C": c}
    if real:
        saved["folds"] = [{k: torch.from_numpy(v) for k, v in fh.items()} for fh in folds]
        saved["pairs"] = {key: {k: torch.from_numpy(v) for k, v in ph.items()} for key, ph in pairs.items()}
        saved["fold_of"] = torch.tensor(real["fold_of"])
    torch.save(saved, CHECKPOINT)
    info = {
        "model": f"mean and standard deviation over time of YAMNet group-{FREEZE} maps (AudioSet, frozen), "
                 "averaged over voiced segments; multinomial logistic regression (scikit-learn), standardisation folded in",
        "labels": list(EKMAN), "group": FREEZE, "features": int(head["weight"].shape[1]),
        "train_data": {"clips": int(len(train_idx)), "views_per_clip": int(views.shape[1]),
                       "speed_views": list(args.speeds), "acted_view_weight": float(acted_w[0]),
                       "speakers": sorted(set(speakers[train_idx].tolist()))},
        "c_selection": {"grid": list(C_GRID), "chosen": c, "speaker_grouped_cv_top1": cv, "folds": FOLDS,
                        "protocol": "GroupKFold by speaker over the training speakers only; view 0 scored"}
        if cv is not None else {"chosen": c, "protocol": "given (--c)"},
        "split": "speakers held out, never trained on or selected on: " + ", ".join(sorted(HELD_OUT)),
        "held_out": report,
        "real_clips": real,
        "checkpoint_bytes": CHECKPOINT.stat().st_size,
    }
    CHECKPOINT.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    for name, r in report.items():
        print(f"held out {name}: top-1 {r['top1_accuracy']:.4f} macro-F1 {r['macro_f1']:.4f} (n = {r['n']}, "
              f"majority {r['always_majority_class']:.3f})", flush=True)
    print(f"saved {CHECKPOINT} in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
