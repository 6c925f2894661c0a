"""Leave one corpus out: how the voice path's two classifiers do on recordings of a corpus they
never heard (another studio, microphone, language or acting style), not only on new speakers of
corpora they trained on.

Why: the speaker-held-out numbers (``audio_speech.json``, ``audio_stats.json``) keep the test
speakers' corpus in training, so its studio, microphone and scripts are known; a user's video,
or a speech set we do not have, is a new corpus. Each corpus of the speech track (RAVDESS,
CREMA-D, EmoDB, TESS) is left out in turn: the recipe is trained on every speaker of the other
three and scored on every voiced clip of the left-out one, as recorded (view 0).

- ``statistics``: the voice-statistics classifier's recipe (``mer.pretrain.voice_stats``: group-3
  statistics of every cached view, standardised, logistic regression with the shipped C), without
  the speed views and the dev clips (minutes, not hours).
- ``backbone``: the audio backbone's fine-tuning (``mer.pretrain.speech.train``, the shipped
  settings: groups 4-5 and the linear head, 12 epochs), about 5 minutes a corpus on an idle
  machine here (30 under load).

    python -m mer.pretrain.cross_corpus [--parts statistics backbone] [--corpora ravdess cremad emodb tess]
        -> training/checkpoints/cross_corpus.json (merged into what is there; the build turns it into
           metrics.json entries, ``manifest_metrics``)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from . import speech
from .speech import CORPORA, DEFAULTS, EKMAN, ROOT

REPORT = ROOT / "training/checkpoints/cross_corpus.json"
PARTS = ("statistics", "backbone")
PART_NAMES = {"statistics": "voice-statistics classifier's recipe", "backbone": "audio backbone's fine-tuning recipe"}
CORPUS_NAMES = {"ravdess": "RAVDESS speech (calm left out)", "cremad": "CREMA-D (no fear)",
                "emodb": "EmoDB (German; boredom left out)", "tess": "TESS"}
PROTOCOL = ("leave one corpus out: trained on every speaker of the other corpora of the speech track, "
            "scored on every voiced clip of the left-out corpus as recorded")


def corpus_split(cache: dict, corpus: str) -> tuple[np.ndarray, np.ndarray]:
    """(training clips: every voiced clip of the other corpora, test clips: the voiced clips of ``corpus``)."""
    if corpus not in CORPORA:
        raise ValueError(f"corpus {corpus!r}: valid are {CORPORA}")
    datasets = np.asarray(cache["datasets"])
    voiced = cache["masks"][:, 0].sum(1).numpy() > 0
    return np.flatnonzero((datasets != corpus) & voiced), np.flatnonzero((datasets == corpus) & voiced)


def shipped_c() -> float:
    """The L2 strength the shipped voice-statistics classifier was fitted with."""
    info = json.loads((ROOT / "training/checkpoints/audio_stats.json").read_text())
    return float(info["c_selection"]["chosen"])


def statistics_report(cache: dict, stats: np.ndarray, corpus: str, c: float) -> dict:
    """The voice-statistics recipe trained without ``corpus``, scored on it. ``stats`` [N, V, F]:
    ``voice_stats.clip_statistics(cache)``."""
    from .voice_stats import fit, logits
    train_idx, test_idx = corpus_split(cache, corpus)
    y = cache["labels"].numpy()
    head = fit(stats[train_idx].reshape(-1, stats.shape[-1]), np.repeat(y[train_idx], stats.shape[1]), c)
    probs = torch.from_numpy(logits(head, stats[test_idx, 0])).softmax(-1).numpy()
    return speech.held_out_report(cache, test_idx, probs)[corpus]


def backbone_report(cache: dict, corpus: str, cfg: dict | None = None, log=print) -> dict:
    """The backbone's fine-tuning trained without ``corpus`` (nothing saved), scored on it."""
    report = speech.train({**DEFAULTS, **(cfg or {})}, log=log, checkpoint=None, cache=cache,
                          split_fn=lambda c: corpus_split(c, corpus))
    return report[corpus]


def manifest_metrics(results: dict) -> list[dict]:
    """metrics.json entries ({name, dataset, split, n, value}) for every part and corpus measured."""
    out = []
    for part in PARTS:
        for corpus in CORPORA:
            r = results.get(part, {}).get(corpus)
            if not r:
                continue
            others = ", ".join(CORPUS_NAMES[c].split(" (")[0] for c in CORPORA if c != corpus)
            dataset = f"{CORPUS_NAMES[corpus]}, all {len(r['speakers'])} speakers"
            split = f"corpus never heard: trained on {others} only ({PART_NAMES[part]})"
            for metric, name in (("top1_accuracy", f"top-1 accuracy ({len(r['classes'])} classes)"), ("macro_f1", "macro-F1"),
                                 ("always_majority_class", "baseline: always the most frequent class")):
                out.append({"name": f"{name}, corpus left out ({PART_NAMES[part]})", "dataset": dataset,
                            "split": split, "n": r["n"], "value": round(float(r[metric]), 4)})
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.pretrain.cross_corpus", description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--corpora", nargs="+", choices=CORPORA, default=list(CORPORA))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(REPORT))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    info = json.loads(out.read_text()) if out.exists() else {}
    results = info.setdefault("results", {})

    def record(part: str, corpus: str, report: dict) -> None:   # written after every corpus: a long run keeps what it did
        results.setdefault(part, {})[corpus] = report
        info.update({"protocol": PROTOCOL, "labels": list(EKMAN)})
        out.write_text(json.dumps(info, indent=1) + "\n")
        print(f"{part}, {corpus} left out: top-1 {report['top1_accuracy']:.4f} (n = {report['n']}, always the most "
              f"frequent class {report['always_majority_class']:.3f})", flush=True)

    cache = torch.load(speech.build_cache())
    if "statistics" in args.parts:
        from .voice_stats import clip_statistics
        stats, info["statistics_c"] = clip_statistics(cache), shipped_c()
        for corpus in args.corpora:
            record("statistics", corpus, statistics_report(cache, stats, corpus, info["statistics_c"]))
    if "backbone" in args.parts:
        info["backbone_config"] = dict(DEFAULTS)
        for corpus in args.corpora:
            record("backbone", corpus, backbone_report(cache, corpus, log=lambda s, **k: print(s, flush=True)))
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
