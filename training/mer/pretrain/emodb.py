"""Audio backbone pretraining on Berlin EmoDB: the YAMNet port (mer.backbones.yamnet) on our
log-mel front end, early convolution groups frozen, a small head on EmoDB's 7 emotions,
evaluated with speakers held out (speaker-grouped cross-validation: 5 folds of two speakers by
default, or leave-one-speaker-out with ``--folds 10``).

Data (../shared/data/emodb/wav): 535 utterances, stored at 22.05 kHz and cut or padded to 2.0 s.
They are resampled to 16 kHz with ``torchaudio.functional.resample`` (windowed-sinc, Hann,
``lowpass_filter_width=6``) and cut into our 0.96 s log-mel patches (3 per utterance, the third
mostly padding) by ``mer.features.logmel`` - the same front end as the browser.
Labels come from the file names (6th character: W anger, L boredom, E disgust, A fear,
F happiness, T sadness, N neutral; speaker = first two digits). ``audio_labels.csv`` is NOT used:
its emotion column disagrees with the file names on 186 of 535 rows.

Ekman-7 (docs/CONTRACTS.md): EmoDB maps one to one except boredom, which has no Ekman
counterpart and is dropped (``EMODB_TO_EKMAN["boredom"] is None``) rather than folded into
neutral: bored speech is low-arousal and negative, and calling it neutral would teach the fusion
model that neutral sounds bored. EmoDB has no surprise.

Frozen groups are run once and their outputs cached in training/.cache/emodb/ (with three
time-shifted views of each utterance as augmentation).

Measured (this machine, n = 535, accuracy pooled over held-out predictions; audio_emodb.json):
leave-one-speaker-out 0.761 (UAR 0.750; 0.791 on the 454 non-boredom utterances with boredom
never predicted), 5-fold two-speakers-held-out 0.748. The head does not transfer across corpora:
on the 64 iemocap_dev_av clips with an EmoDB-covered label it scores 0.20 (mostly "sadness";
RMS-matching the level does not help), so the fusion model must learn its own audio decision.

Two methods (5-fold speaker-held-out, n = 535):
- ``stats`` (default, the saved model): groups 1-3 frozen; ``GroupStatsHead`` pools the group-3
  feature map (256 channels x 8 frequency rows) by mean and standard deviation over time, masked
  mean over segments, then standardisation and a linear layer, fitted as an L2-regularised
  logistic regression (sklearn). AudioSet's deeper layers lose emotion cues: the same pooling on
  the final 1024-d embedding reached only 0.57, on group 4 0.66.
- ``finetune``: groups 1-4 frozen, groups 5 (L13-L14) fine-tuned with a linear head on the
  embedding (``TrainableTail``); it overfits (0.53 on the first fold, speakers 03+08), so it is
  kept only for comparison.

    python -m mer.pretrain.emodb cache            # frozen-group features
    python -m mer.pretrain.emodb cv               # speaker-held-out cross-validation
    python -m mer.pretrain.emodb final            # train on all speakers, save the checkpoint
    python -m mer.pretrain.emodb all              # the three in order
Outputs: training/checkpoints/audio_emodb.pt (fp16 backbone + head) and audio_emodb.json.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mer.backbones.yamnet import YAMNet
from mer.features.logmel import load_audio_params, log_mel_patches

ROOT = Path(__file__).resolve().parents[3]
EMODB_WAV = ROOT.parent / "shared/data/emodb/wav"
CACHE = ROOT / "training/.cache/emodb"
CHECKPOINT = ROOT / "training/checkpoints/audio_emodb.pt"

EMODB_LABELS: tuple[str, ...] = ("anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral")
LETTER_TO_LABEL: dict[str, str] = {"W": "anger", "L": "boredom", "E": "disgust", "A": "fear",
                                   "F": "happiness", "T": "sadness", "N": "neutral"}
EMODB_TO_EKMAN: dict[str, str | None] = {"anger": "anger", "boredom": None, "disgust": "disgust",
                                         "fear": "fear", "happiness": "happiness",
                                         "sadness": "sadness", "neutral": "neutral"}
SOURCE_RATE = 22050
SHIFTS = (0, 5120, 10240)  # samples of leading silence per view (0, 0.32, 0.64 s); view 0 = eval
DEFAULTS = dict(method="stats", c=0.01, freeze=3, epochs=25, batch=16, lr_backbone=3e-4, lr_head=1e-3, weight_decay=1e-2,
                dropout=0.3, label_smoothing=0.1, seed=0, segments=2, folds=5)
# Speaker-held-out folds (folds=5): two speakers each, one male and one female, every utterance
# is predicted by a model that never heard its speaker. folds=10 is leave-one-speaker-out.
# EmoDB speakers: male 03 10 11 12 15, female 08 09 13 14 16.
SPEAKER_FOLDS_5 = (("03", "08"), ("10", "09"), ("11", "13"), ("12", "14"), ("15", "16"))


def parse_name(name: str) -> tuple[str, str]:
    """``'03a01Fa.wav' -> ('03', 'happiness')``."""
    return name[:2], LETTER_TO_LABEL[name[5]]


def list_emodb(wav_dir: Path = EMODB_WAV) -> list[tuple[Path, str, str]]:
    return [(p, *parse_name(p.name)) for p in sorted(wav_dir.glob("*.wav"))]


def load_16k(path: Path) -> torch.Tensor:
    import torchaudio

    wave, rate = torchaudio.load(str(path))
    wave = wave.mean(0)
    if rate != 16000:
        wave = torchaudio.functional.resample(wave, rate, 16000)
    return wave.clamp(-1, 1)


def ekman_items(wav_dir: Path = EMODB_WAV, audio_params: dict | None = None) -> list[dict]:
    """EmoDB utterances usable as Ekman-7 audio (boredom dropped), through the shared front end:
    ``{"file", "speaker", "emodb_label", "ekman_label", "log_mel" [T,96,64], "audio_mask" [T]}``
    (T = 3 for the 2.0 s clips). For composing fusion triples by label; about 1-2 minutes."""
    params = audio_params or load_audio_params()
    out = []
    for path, speaker, label in list_emodb(wav_dir):
        if EMODB_TO_EKMAN[label] is None:
            continue
        log_mel, mask = log_mel_patches(load_16k(path).numpy(), params)
        out.append({"file": path.name, "speaker": speaker, "emodb_label": label,
                    "ekman_label": EMODB_TO_EKMAN[label], "log_mel": log_mel, "audio_mask": mask})
    return out


class EmoDBHead(nn.Module):
    """Masked mean of per-segment embeddings -> dropout -> linear over the 7 EmoDB classes."""

    def __init__(self, dim: int = 1024, classes: int = len(EMODB_LABELS), dropout: float = 0.3):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(dim, classes)

    def forward(self, emb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # [B,T,D], [B,T]
        w = mask / mask.sum(1, keepdim=True).clamp(min=1)
        return self.fc(self.dropout((emb * w.unsqueeze(-1)).sum(1)))


class GroupStatsHead(nn.Module):
    """EmoDB head on a group's feature maps ``[B, T, C, H (time), W (freq)]``: per segment the
    mean and (unbiased) std over time of every channel and frequency row, masked mean over the
    segments, fixed standardisation, then a linear layer over the 7 EmoDB classes."""

    def __init__(self, channels: int = 256, freq: int = 8, classes: int = len(EMODB_LABELS)):
        super().__init__()
        dim = 2 * channels * freq
        self.register_buffer("center", torch.zeros(dim))
        self.register_buffer("scale", torch.ones(dim))
        self.fc = nn.Linear(dim, classes)

    @staticmethod
    def pool(feats: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        f = feats.float()
        stats = torch.cat([f.mean(dim=3).flatten(2), f.std(dim=3).flatten(2)], dim=-1)  # [B,T,2CW]
        w = mask / mask.sum(1, keepdim=True).clamp(min=1)
        return (stats * w.unsqueeze(-1)).sum(1)

    def forward(self, feats: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.fc((self.pool(feats, mask) - self.center) / self.scale)


def _fit_stats_head(x: np.ndarray, y: np.ndarray, c: float, channels: int, freq: int) -> GroupStatsHead:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    clf = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(x), y)
    head = GroupStatsHead(channels, freq)
    head.center.copy_(torch.from_numpy(scaler.mean_).float())
    head.scale.copy_(torch.from_numpy(scaler.scale_).float())
    head.fc.weight.data.copy_(torch.from_numpy(clf.coef_).float())
    head.fc.bias.data.copy_(torch.from_numpy(clf.intercept_).float())
    return head.eval()


def _pooled_views(cache: dict) -> np.ndarray:
    """``[N, V, 2CW]`` pooled statistics of every view."""
    f, m = cache["features"], cache["masks"]
    return torch.stack([GroupStatsHead.pool(f[:, v], m[:, v]) for v in range(f.shape[1])], 1).numpy()


def run_cv_stats(cfg: dict, log=print) -> dict:
    cache = load_cache(cfg)
    speakers = np.array(cache["speakers"])
    y = cache["labels"].numpy()
    _, _, _, channels, _, freq = cache["features"].shape
    x = _pooled_views(cache)
    folds = [(s,) for s in sorted(set(speakers))] if cfg["folds"] == 10 else SPEAKER_FOLDS_5
    probs = np.zeros((len(y), len(EMODB_LABELS)), np.float32)
    per_fold = {}
    for fold in folds:
        t0 = time.time()
        test = np.isin(speakers, fold)
        xtr = x[~test].reshape(-1, x.shape[-1])  # every view of the training utterances
        head = _fit_stats_head(xtr, np.repeat(y[~test], x.shape[1]), cfg["c"], channels, freq)
        with torch.no_grad():
            probs[test] = head.fc((torch.from_numpy(x[test, 0]) - head.center) / head.scale).softmax(-1).numpy()
        key = "+".join(fold)
        per_fold[key] = {"n": int(test.sum()), "accuracy": float((probs[test].argmax(1) == y[test]).mean())}
        log(f"fold {key}: accuracy {per_fold[key]['accuracy']:.3f} ({time.time() - t0:.0f}s)", flush=True)
    return _cv_result(y, probs, per_fold, folds)


def run_final_stats(cfg: dict, cv: dict | None, log=print) -> dict:
    cache = load_cache(cfg)
    y = cache["labels"].numpy()
    _, _, _, channels, _, freq = cache["features"].shape
    x = _pooled_views(cache)
    head = _fit_stats_head(x.reshape(-1, x.shape[-1]), np.repeat(y, x.shape[1]), cfg["c"], channels, freq)
    with torch.no_grad():
        train_acc = float((head(cache["features"][:, 0], cache["masks"][:, 0]).argmax(1).numpy() == y).mean())
    net = YAMNet.from_tflite()
    half = lambda sd: {k: v.half() for k, v in sd.items()}  # noqa: E731
    CHECKPOINT.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"backbone": "yamnet", "state_dict": half(net.state_dict()),
                "emodb_head": half(head.state_dict()), "emodb_head_type": "GroupStatsHead",
                "emodb_head_group": cfg["freeze"], "labels": list(EMODB_LABELS),
                "emodb_to_ekman": EMODB_TO_EKMAN, "frozen_groups": cfg["freeze"], "config": cfg,
                "audio_params": load_audio_params()}, CHECKPOINT)
    metrics = {
        "model": (f"YAMNet (AudioSet, ported from yamnet.tflite), groups 1-{cfg['freeze']} frozen; EmoDB head "
                  f"= mean+std over time of the group-{cfg['freeze']} feature map per channel and frequency "
                  "row, masked mean over segments, standardised, linear (L2 logistic regression, "
                  f"C={cfg['c']}); backbone weights are the AudioSet ones (not changed by EmoDB)"),
        "dataset": "Berlin EmoDB (../shared/data/emodb, 535 utterances, 10 speakers, 7 classes, labels from "
                   "file names), 22.05 kHz 2.0 s clips resampled to 16 kHz (torchaudio.functional.resample)",
        "labels": list(EMODB_LABELS), "emodb_to_ekman": EMODB_TO_EKMAN, "config": cfg,
        "segments_per_utterance": f"first {cfg['segments']} of the 0.96 s patches of each 2.0 s clip",
        "augmentation": f"3 views per training utterance, leading silence {list(SHIFTS)} samples",
        "speaker_held_out": cv, "final_model_train_accuracy": train_acc,
        "final_model": "fitted on all 10 speakers with the same recipe",
        "checkpoint_bytes": CHECKPOINT.stat().st_size,
    }
    CHECKPOINT.with_suffix(".json").write_text(json.dumps(metrics, indent=1) + "\n")
    log(f"saved {CHECKPOINT} ({CHECKPOINT.stat().st_size / 1e6:.1f} MB), train accuracy {train_acc:.3f}")
    return metrics


def build_cache(freeze: int, out: Path = CACHE) -> Path:
    """Runs the first ``freeze`` groups on every view of every utterance; saves fp16 features."""
    path = out / f"frozen_g{freeze}.pt"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    params = load_audio_params()
    net = YAMNet.from_tflite().eval()
    items = list_emodb()
    feats, masks = [], []
    t0 = time.time()
    for i, (p, _, _) in enumerate(items):
        wave = load_16k(p).numpy()
        views_f, views_m = [], []
        for shift in SHIFTS:
            x = np.concatenate([np.zeros(shift, np.float32), wave])
            lm, mask = log_mel_patches(x, params)
            with torch.no_grad():
                h = net.stem(torch.from_numpy(lm)[:, None])
                for stage in list(net.stages)[:freeze]:
                    h = stage(h)
            views_f.append(h.half())
            views_m.append(torch.from_numpy(mask))
        t_max = max(v.shape[0] for v in views_f)
        feats.append(torch.stack([F.pad(v, (0, 0, 0, 0, 0, 0, 0, t_max - v.shape[0])) for v in views_f]))
        masks.append(torch.stack([F.pad(m, (0, t_max - m.shape[0])) for m in views_m]))
        if i % 100 == 0:
            print(f"cache {i}/{len(items)} {time.time() - t0:.0f}s", flush=True)
    torch.save({"features": torch.stack(feats), "masks": torch.stack(masks),  # [N,V,T,C,H,W], [N,V,T]
                "labels": torch.tensor([EMODB_LABELS.index(l) for _, _, l in items]),
                "speakers": [s for _, s, _ in items], "files": [p.name for p, _, _ in items],
                "freeze": freeze, "shifts": SHIFTS}, path)
    print(f"cached {len(items)} utterances in {time.time() - t0:.0f}s -> {path}", flush=True)
    return path


class TrainableTail(nn.Module):
    """The unfrozen groups of a YAMNet + its pooling + the EmoDB head."""

    def __init__(self, net: YAMNet, freeze: int, dropout: float):
        super().__init__()
        self.groups = nn.ModuleList(list(net.stages)[freeze:])
        self.head = EmoDBHead(net.out_dim, dropout=dropout)

    def forward(self, feats: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # [B,T,C,H,W]
        b, t = feats.shape[:2]
        h = feats.flatten(0, 1).float()
        for g in self.groups:
            h = g(h)
        emb = h.mean(dim=(2, 3)).view(b, t, -1)
        return self.head(emb, mask)


def _train(cache: dict, train_idx: np.ndarray, cfg: dict, log=print) -> tuple[YAMNet, TrainableTail]:
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    net = YAMNet.from_tflite()
    tail = TrainableTail(net, cfg["freeze"], cfg["dropout"])
    opt = torch.optim.AdamW([
        {"params": tail.groups.parameters(), "lr": cfg["lr_backbone"]},
        {"params": tail.head.parameters(), "lr": cfg["lr_head"]},
    ], weight_decay=cfg["weight_decay"])
    steps = cfg["epochs"] * math.ceil(len(train_idx) / cfg["batch"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[cfg["lr_backbone"], cfg["lr_head"]],
                                                total_steps=steps, pct_start=0.1)
    labels = cache["labels"]
    counts = torch.bincount(labels[train_idx], minlength=len(EMODB_LABELS)).float()
    class_weight = counts.sum() / (len(EMODB_LABELS) * counts.clamp(min=1))
    n_views = cache["features"].shape[1]
    for epoch in range(cfg["epochs"]):
        tail.train()
        order = rng.permutation(train_idx)
        total = 0.0
        for k in range(0, len(order), cfg["batch"]):
            idx = torch.from_numpy(order[k:k + cfg["batch"]])
            views = torch.from_numpy(rng.integers(0, n_views, len(idx)))
            feats = cache["features"][idx, views]
            mask = cache["masks"][idx, views]
            logits = tail(feats, mask)
            loss = F.cross_entropy(logits, labels[idx], weight=class_weight,
                                   label_smoothing=cfg["label_smoothing"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if epoch % 5 == 4 or epoch == cfg["epochs"] - 1:
            log(f"  epoch {epoch + 1}/{cfg['epochs']} loss {total / len(order):.4f}", flush=True)
    return net, tail.eval()


@torch.no_grad()
def _predict(tail: TrainableTail, cache: dict, idx: np.ndarray) -> torch.Tensor:
    i = torch.from_numpy(idx)
    return tail(cache["features"][i, 0], cache["masks"][i, 0]).softmax(-1)


def _cv_result(y, probs, per_fold: dict, folds, note: str = "") -> dict:
    """The pooled summary of a speaker-held-out cross-validation, with its split described."""
    result = _summary(y, probs)
    result["per_fold"] = per_fold
    result["split"] = (f"speaker-held-out {len(folds)}-fold cross-validation over the 10 EmoDB speakers "
                       f"(held-out speakers per fold: {[list(f) for f in folds]}); accuracy pooled over "
                       f"all 535 held-out predictions{note}")
    return result


def _summary(y: np.ndarray, probs: np.ndarray) -> dict:
    pred = probs.argmax(1)
    per_class = {l: float((pred[y == c] == c).mean()) for c, l in enumerate(EMODB_LABELS) if (y == c).any()}
    # Ekman view: boredom utterances dropped, boredom never predicted.
    keep = y != EMODB_LABELS.index("boredom")
    p6 = probs[keep].copy()
    p6[:, EMODB_LABELS.index("boredom")] = -1
    return {"accuracy": float((pred == y).mean()), "n": int(len(y)),
            "unweighted_average_recall": float(np.mean(list(per_class.values()))),
            "recall_per_class": per_class,
            "ekman6_accuracy_without_boredom": float((p6.argmax(1) == y[keep]).mean()),
            "ekman6_n": int(keep.sum()),
            "confusion": np.bincount(y * len(EMODB_LABELS) + pred, minlength=len(EMODB_LABELS) ** 2)
                           .reshape(len(EMODB_LABELS), -1).tolist()}


def load_cache(cfg: dict) -> dict:
    cache = torch.load(build_cache(cfg["freeze"]))
    t = cfg["segments"]  # the first ``segments`` patches (2 = 0-1.935 s; the 3rd is 80 ms + padding)
    cache["features"], cache["masks"] = cache["features"][:, :, :t], cache["masks"][:, :, :t]
    return cache


def run_loso(cfg: dict, log=print) -> dict:
    """Speaker-held-out cross-validation: ``folds`` = 10 (leave one speaker out) or 5 (two
    speakers per fold, ``SPEAKER_FOLDS_5``); resumable fold by fold."""
    cache = load_cache(cfg)
    speakers = np.array(cache["speakers"])
    y = cache["labels"].numpy()
    folds = [(s,) for s in sorted(set(speakers))] if cfg["folds"] == 10 else SPEAKER_FOLDS_5
    probs = np.zeros((len(y), len(EMODB_LABELS)), np.float32)
    tag = "_".join(f"{k}{v}" for k, v in sorted(cfg.items()))
    fold_file = CACHE / f"cv_{tag}.json"
    done = json.loads(fold_file.read_text()) if fold_file.exists() else {}
    per_fold = {}
    for fold in folds:
        key = "+".join(fold)
        test = np.where(np.isin(speakers, fold))[0]
        if key in done:  # resume: folds already evaluated
            probs[test] = np.array(done[key])
        else:
            t0 = time.time()
            log(f"fold: speakers {key} held out ({len(test)} utterances)", flush=True)
            _, tail = _train(cache, np.where(~np.isin(speakers, fold))[0], cfg, log)
            probs[test] = _predict(tail, cache, test).numpy()
            done[key] = probs[test].tolist()
            fold_file.write_text(json.dumps(done))
            log(f"  speakers {key}: accuracy {(probs[test].argmax(1) == y[test]).mean():.3f} "
                f"({time.time() - t0:.0f}s)", flush=True)
        per_fold[key] = {"n": int(len(test)), "accuracy": float((probs[test].argmax(1) == y[test]).mean())}
    return _cv_result(y, probs, per_fold, folds, "; fixed epochs, no early stopping")


def run_final(cfg: dict, loso: dict | None, log=print) -> dict:
    cache = load_cache(cfg)
    net, tail = _train(cache, np.arange(len(cache["labels"])), cfg, log)
    for i, g in enumerate(tail.groups):  # the trained groups are the network's own modules
        assert g is net.stages[cfg["freeze"] + i]
    y = cache["labels"].numpy()
    train_acc = float((_predict(tail, cache, np.arange(len(y))).numpy().argmax(1) == y).mean())
    half = lambda sd: {k: v.half() for k, v in sd.items()}  # noqa: E731
    CHECKPOINT.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"backbone": "yamnet", "state_dict": half(net.state_dict()), "emodb_head": half(tail.head.state_dict()),
                "labels": list(EMODB_LABELS), "emodb_to_ekman": EMODB_TO_EKMAN, "frozen_groups": cfg["freeze"],
                "config": cfg, "audio_params": load_audio_params()}, CHECKPOINT)
    metrics = {
        "model": "YAMNet (AudioSet, ported from yamnet.tflite) + masked mean pooling + linear head; "
                 f"groups 1-{cfg['freeze']} frozen",
        "dataset": "Berlin EmoDB (../shared/data/emodb, 535 utterances, 10 speakers, 7 classes), "
                   "22.05 kHz 2.0 s clips resampled to 16 kHz (torchaudio.functional.resample)",
        "labels": list(EMODB_LABELS), "emodb_to_ekman": EMODB_TO_EKMAN, "config": cfg,
        "speaker_held_out": loso,
        "segments_per_utterance": f"first {cfg['segments']} of the 0.96 s patches of each 2.0 s clip", "final_model_train_accuracy": train_acc,
        "final_model": "trained on all 10 speakers with the same recipe (no early stopping, fixed epochs)",
        "checkpoint_bytes": CHECKPOINT.stat().st_size,
    }
    CHECKPOINT.with_suffix(".json").write_text(json.dumps(metrics, indent=1) + "\n")
    log(f"saved {CHECKPOINT} ({CHECKPOINT.stat().st_size / 1e6:.1f} MB), train accuracy {train_acc:.3f}")
    return metrics


def load_backbone(path: Path = CHECKPOINT) -> YAMNet:
    """The YAMNet backbone (float32) saved in ``audio_emodb.pt``."""
    ckpt = torch.load(path, map_location="cpu")
    net = YAMNet()
    net.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()})
    return net


def load_emodb_model(path: Path = CHECKPOINT) -> tuple[YAMNet, GroupStatsHead, int]:
    """Backbone, EmoDB head and the group the head reads (3 = after L5-L6)."""
    ckpt = torch.load(path, map_location="cpu")
    head = GroupStatsHead()
    head.load_state_dict({k: v.float() for k, v in ckpt["emodb_head"].items()})
    return load_backbone(path).eval(), head.eval(), int(ckpt["emodb_head_group"])


@torch.no_grad()
def predict_emodb(net: YAMNet, head: GroupStatsHead, group: int, log_mel: torch.Tensor,
                  mask: torch.Tensor) -> torch.Tensor:
    """EmoDB class probabilities ``[7]`` for one utterance's patches ``[T, 96, 64]`` and mask ``[T]``."""
    h = net.stem(log_mel.float().unsqueeze(1))
    for stage in list(net.stages)[:group]:
        h = stage(h)
    return head(h.unsqueeze(0), mask.float().unsqueeze(0)).softmax(-1)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["cache", "cv", "final", "all"])
    for k, v in DEFAULTS.items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=type(v), default=v)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = {k: getattr(args, k) for k in DEFAULTS}
    if args.command == "cache":
        build_cache(cfg["freeze"])
        return
    stats = cfg["method"] == "stats"
    result_file = CACHE / f"cv_result_{cfg['method']}_folds{cfg['folds']}.json"
    cv = None
    if args.command in ("cv", "all"):
        cv = run_cv_stats(cfg) if stats else run_loso(cfg)
        result_file.write_text(json.dumps(cv, indent=1))
        print(json.dumps({k: v for k, v in cv.items() if k != "confusion"}, indent=1))
    if args.command in ("final", "all"):
        if cv is None and result_file.exists():
            cv = json.loads(result_file.read_text())
        if cv is not None and cfg["folds"] == 5:  # attach leave-one-speaker-out too when it was run
            loso_file = CACHE / f"cv_result_{cfg['method']}_folds10.json"
            if loso_file.exists():
                cv = {"five_fold": cv, "leave_one_speaker_out": json.loads(loso_file.read_text())}
        (run_final_stats if stats else run_final)(cfg, cv)


if __name__ == "__main__":
    main()
