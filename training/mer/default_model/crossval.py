"""Stratified k-fold cross-validation of the default model on the 72 real clips, and the
paper's ablations in the shape of Table 3 (MER, MER-SEM, MER-MBT, MER-SEM-MBT) and Table 5
(JointAtt, Bi-CrossAtt, MBT; all with SEM).

Each fold trains a fresh model on the composed triples plus the other folds' real clips, for a
fixed number of epochs (no early stopping: there is no validation set to stop on that is not
the test fold), and predicts its held-out clips five ways: audio only, visual only, text only,
voice and face without the words (no_text), and all three (fused). Predictions of all folds are
pooled (every clip predicted once, n = 72)
and scored with the paper's eq. (7)-(12) (``mer.metrics``).

Caveats reported with every number: one speaker (Ses01 male) in all 72 clips, so folds share the
speaker; in the 28 Ses01F_* clips the camera shows the woman, not the labelled speaker; no clip
is labelled disgust, so the 7-class averages include a class with no positives (its F1 is 0 by
eq. (12)); the 6-class averages over the classes present are given beside them.

    python -m mer.default_model.crossval --runs default table3 table5 [--folds 4] [--epochs 5]
"""
from __future__ import annotations

import argparse
import copy
import json
import time
from pathlib import Path

import numpy as np
import torch

from ..config import TRAINING_DIR, architecture_only, load_config
from ..metrics import summarize
from ..model import build_model
from .features import DEFAULT_CONFIG, load_caches
from .fusion_training import CONDITIONS, DEFAULT_TRAIN, predict_real, train_fusion

RUNS_DIR = TRAINING_DIR / "runs" / "default_cv"


def runs_dir() -> Path:
    """One results folder per feature-cache version (the real clips' features and the composed
    triples' voices, faces and sentences), so a finished run is reused only with the caches it was
    measured on."""
    import hashlib
    info = json.loads((TRAINING_DIR / ".cache" / "default_model" / "latest.json").read_text())
    triples = hashlib.sha256("|".join(Path(info[k]).name for k in ("speech", "fer", "text")).encode()).hexdigest()[:8]
    return RUNS_DIR / f"{Path(info['real']).stem}-{triples}"
# name -> config overrides (model section)
ABLATIONS = {
    "default": {"MER-SEM-MBT": {"variant": "MER-SEM-MBT"}},
    "table3": {"MER": {"variant": "MER"}, "MER-MBT": {"variant": "MER-MBT"},     # cheap rows first
               "MER-SEM": {"variant": "MER-SEM"}, "MER-SEM-MBT": {"variant": "MER-SEM-MBT"}},
    "table5": {"JointAtt": {"variant": "MER-SEM-MBT", "cross_modal": "joint"},
               "Bi-CrossAtt": {"variant": "MER-SEM-MBT", "cross_modal": "bicross"},
               "MBT": {"variant": "MER-SEM-MBT"}},
}


CV_FOLDS = 4   # the dev clips' cross-validation (mer.pretrain.voice_stats fits one classifier per fold)
# The default run's training seeds: seed 0 is the shipped model's; the others measure how far
# another seed of the same recipe lands (fused top-1 moved by up to 0.07 between seeds).
SEEDS = (0, 1, 2)
SEED_METRICS = ("top1_accuracy", "macro_f1", "avg_f1")


def run_file(out_dir: Path, name: str, seed: int = 0) -> Path:
    """A finished run's results: ``<name>.json`` for seed 0 (the tables and the shipped model),
    ``<name>.seed<k>.json`` for another training seed."""
    return out_dir / (f"{name}.json" if int(seed) == 0 else f"{name}.seed{int(seed)}.json")


def seed_runs(out_dir: Path, name: str = "MER-SEM-MBT") -> list[dict]:
    """Every finished training seed of one run, seed 0 first (empty when seed 0 is not there);
    another seed counts only if measured with seed 0's model and recipe (a left-over from an
    older recipe is not averaged in)."""
    first = run_file(out_dir, name)
    if not first.exists():
        return []
    base = json.loads(first.read_text())
    recipe = lambda r: (r.get("model"), {**r.get("train", {}), "seed": None})
    others = sorted(out_dir.glob(f"{name}.seed*.json"), key=lambda p: int(p.stem.rsplit("seed", 1)[1]))
    runs = [json.loads(p.read_text()) for p in others]
    return [base] + [r for r in runs if same_json(recipe(r), recipe(base))]


def same_json(a, b) -> bool:
    """Equal once written as JSON (tuples are lists; 30 and 30.0 are the same number)."""
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def seed_spread(runs: list[dict]) -> dict:
    """condition -> metric -> mean, min, max and the values over the runs' training seeds."""
    out = {}
    for c in CONDITIONS:
        out[c] = {"seeds": [int(r["train"].get("seed", 0)) for r in runs], "n": runs[0]["metrics"][c]["n"]}
        for k in SEED_METRICS:
            values = [float(r["metrics"][c][k]) for r in runs]
            out[c][k] = {"mean": float(np.mean(values)), "min": min(values), "max": max(values), "values": values}
    return out


def seed_table(runs: list[dict]) -> str:
    """Top-1 accuracy and Avg F1 of each input condition per training seed, with their mean."""
    spread = seed_spread(runs)
    seeds = spread["fused"]["seeds"]
    head = ["input", "metric"] + [f"seed {s}" + (" (shipped)" if s == 0 else "") for s in seeds] + ["mean", "n"]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for c in CONDITIONS:
        for k, label in (("top1_accuracy", "top-1 acc"), ("avg_f1", "Avg F1 (7)")):
            v = spread[c][k]
            lines.append(" | ".join([c, label] + [cut3(x) for x in v["values"]] + [cut3(v["mean"]), str(spread[c]["n"])]))
    return "\n".join(lines)


def stratified_folds(labels, k: int, seed: int = 0) -> np.ndarray:
    """Fold index per sample: within each class (shuffled with ``seed``) the j-th sample goes to
    fold (offset + j) mod k, the offset carrying on between classes so fold sizes stay even."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=np.int64)
    offset = 0
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        folds[members] = (offset + np.arange(len(members))) % k
        offset += len(members)
    return folds


def scores(probs: np.ndarray, labels: np.ndarray, num_classes: int) -> dict:
    y = np.eye(num_classes)[labels]
    ok = ~np.isnan(probs).any(1)
    s = summarize(probs[ok], y[ok])
    present = y[ok].sum(0) > 0
    pc = s["per_class"]
    s["avg_acc_present"] = float(np.mean(np.asarray(pc["acc"])[present]))
    s["avg_f1_present"] = float(np.mean(np.asarray(pc["f1"])[present]))
    s["classes_present"] = int(present.sum())
    s["top1_accuracy"] = float((probs[ok].argmax(1) == labels[ok]).mean())
    s["macro_f1"] = top1_macro_f1(probs[ok].argmax(1), labels[ok])
    return s


def top1_macro_f1(pred: np.ndarray, labels: np.ndarray) -> float:
    """Macro-F1 of the top-1 decisions over the classes that occur in ``labels``."""
    from sklearn.metrics import f1_score
    return float(f1_score(labels, pred, labels=sorted(set(labels.tolist())), average="macro", zero_division=0))


def constant_baselines(labels: np.ndarray, num_classes: int) -> dict:
    """What a model that knows nothing scores on the same clips: always the most frequent class
    (top-1, macro-F1) and every class on (the paper's Avg F1 / Avg Acc at threshold 0.5)."""
    majority = int(np.bincount(labels, minlength=num_classes).argmax())
    every = scores(np.ones((len(labels), num_classes), np.float32), labels, num_classes)
    none = scores(np.zeros((len(labels), num_classes), np.float32), labels, num_classes)
    return {"always_majority_class": {"class": majority, "top1_accuracy": float(np.mean(labels == majority)),
                                      "macro_f1": top1_macro_f1(np.full_like(labels, majority), labels)},
            "every_class_on": {k: every[k] for k in ("avg_acc", "avg_f1")},
            "no_class_on": {k: none[k] for k in ("avg_acc", "avg_f1")}, "n": int(len(labels))}


def dev_clip_baselines() -> tuple[list[str], dict]:
    """The label names and the constant baselines on the 72 dev clips (metrics.json and the card)."""
    from ..config import load_features
    from .features import dev_av_rows
    names = list(load_features()["labels"])
    return names, constant_baselines(np.asarray([r["label"] for r in dev_av_rows()]), len(names))


def model_config(overrides: dict, config_path: Path = DEFAULT_CONFIG) -> dict:
    return architecture_only(load_config(config_path, {"model": overrides}))


def without_fold_in_voice_stats(data: dict, k: int, fold_of: np.ndarray) -> dict:
    """The caches for CV fold ``k``: where the voice-statistics classifier was trained with the dev
    clips (``mer.pretrain.voice_stats --real-clips``), each clip's cached outputs are swapped for
    those of a classifier that never saw it nor fold k: a test clip (fold k) gets the one fitted
    without fold k, a training clip of fold j the one fitted without folds k and j, as the build
    trains each clip on the one fitted without its own fold (``out_of_fold_voice_stats``)."""
    real, speech = data["real"], data["speech"]
    if not real.get("voice_stats_folds"):
        return data
    stored = real.get("voice_stats_fold_of")
    if stored is None or len(real["voice_stats_folds"]) != int(fold_of.max()) + 1 or list(stored) != fold_of.tolist():
        raise ValueError("the voice-statistics classifiers were fitted on other folds than this cross-validation's; "
                         "refit them (mer.pretrain.voice_stats --real-clips) with the same folds")
    pairs = real.get("voice_stats_pairs") or {}
    stats = []
    for i, j in enumerate(fold_of.tolist()):
        if j == k:
            stats.append(real["voice_stats_folds"][k][i])
        else:
            stats.append(pairs[f"{min(j, k)}-{max(j, k)}"][i])
    return {**data, "real": {**real, "voice_stats": stats},
            "speech": {**speech, "voice_stats": speech["voice_stats_folds"][k]}}


def out_of_fold_voice_stats(data: dict) -> dict:
    """The caches for the final model's training: each dev clip's voice-statistics outputs from
    the classifier fitted without its own CV fold, so the fusion stage learns how far to trust it
    from outputs like those on a clip it has not seen (the exported graph holds the one fitted on
    all clips); unchanged when the classifier never saw the dev clips."""
    real = data["real"]
    if not real.get("voice_stats_folds"):
        return data
    fold_of = real["voice_stats_fold_of"]
    return {**data, "real": {**real, "voice_stats": [real["voice_stats_folds"][j][i] for i, j in enumerate(fold_of)]}}


def run_cv(name: str, overrides: dict, data: dict, folds: int, train_cfg: dict, out_dir: Path, log=print) -> dict:
    out_path = run_file(out_dir, name, train_cfg.get("seed", 0))
    if out_path.exists():   # reused only when measured with this model and training recipe
        done = json.loads(out_path.read_text())
        if same_json(done.get("model"), overrides) and same_json(done.get("train"), train_cfg):
            return done
        log(f"{out_path.name} was measured with another model or training recipe: measuring again")
    labels = data["real"]["labels"].numpy()
    fold_of = stratified_folds(labels, folds, seed=0)
    config = model_config(overrides)
    m = len(config["label_names"])
    oof = {c: np.full((len(labels), m), np.nan, np.float32) for c in CONDITIONS}
    t0 = time.time()
    for k in range(folds):
        torch.manual_seed(train_cfg.get("seed", 0))
        model = build_model(copy.deepcopy(config))
        train_idx, test_idx = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
        fold_data = without_fold_in_voice_stats(data, k, fold_of)
        train_fusion(model, fold_data, train_idx, train_cfg, log=lambda s: log(f"[{name} fold {k}] {s}"))
        for cond, mask in CONDITIONS.items():
            oof[cond][test_idx] = predict_real(model, fold_data, test_idx, mask)
    result = {"name": name, "model": overrides, "folds": folds, "train": train_cfg, "seconds": time.time() - t0,
              "dataset": "iemocap_dev_av", "split": f"{folds}-fold stratified cross-validation (pooled out-of-fold)",
              "n": int(len(labels)), "labels": config["label_names"],
              "metrics": {c: scores(p, labels, m) for c, p in oof.items()},
              "fold_of": fold_of.tolist(), "oof": {c: p.tolist() for c, p in oof.items()}}
    out_dir.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result) + "\n")
    return result


def cut3(value: float) -> str:
    """Three decimals, cut rather than rounded (numbers are never rounded up)."""
    import math
    return f"{math.floor(float(value) * 1000 + 1e-9) / 1000:.3f}"


def table(results: dict, conditions=("fused",)) -> str:
    head = ["Model", "input", "Avg Acc (7)", "Avg F1 (7)", "Avg Acc (6 present)", "Avg F1 (6 present)", "top-1 acc",
            "macro-F1 (top-1)", "n"]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for name, r in results.items():
        for c in conditions:
            s = r["metrics"][c]
            lines.append(" | ".join([name, c] + [cut3(s[k]) for k in ("avg_acc", "avg_f1", "avg_acc_present", "avg_f1_present", "top1_accuracy",
                                                                   "macro_f1")]
                                    + [str(s["n"])]))
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.default_model.crossval", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", nargs="+", default=["table3", "table5"], choices=sorted(ABLATIONS))
    ap.add_argument("--folds", type=int, default=CV_FOLDS)
    ap.add_argument("--epochs", type=int, default=DEFAULT_TRAIN["epochs"])
    ap.add_argument("--out", help="results folder (default training/runs/default_cv/<feature cache version>)")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS),
                    help="training seeds of the default run (the ablation tables are seed 0)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tables-only", action="store_true", help="print the tables of finished runs")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    args.out = args.out or str(runs_dir())
    if args.tables_only:
        for run in args.runs:
            done = {}
            for n, overrides in ABLATIONS[run].items():   # a row run under another name (MBT = MER-SEM-MBT)
                same = [k for table_ in ABLATIONS.values() for k, o in table_.items() if o == overrides]
                found = [Path(args.out) / f"{k}.json" for k in same if (Path(args.out) / f"{k}.json").exists()]
                if found:
                    done[n] = json.loads(found[0].read_text())
            conds = tuple(CONDITIONS) if run in ("table3", "default") else ("fused",)
            print(f"\n{run}\n" + table(done, conds))
            if run == "default" and seed_runs(Path(args.out)):
                print("\ntraining seeds\n" + seed_table(seed_runs(Path(args.out))))
        return
    data = load_caches()
    train_cfg = {**DEFAULT_TRAIN, "epochs": args.epochs}
    out_dir = Path(args.out)
    summary = {}
    done: dict[str, dict] = {}
    for run in args.runs:
        results = {}
        for name, overrides in ABLATIONS[run].items():
            key = json.dumps(overrides, sort_keys=True)
            results[name] = done.get(key) or run_cv(name, overrides, data, args.folds, train_cfg, out_dir, log=lambda s: print(s, flush=True))
            done[key] = results[name]
        if run == "default":
            for seed in [s for s in args.seeds if s != train_cfg["seed"]]:
                run_cv("MER-SEM-MBT", ABLATIONS[run]["MER-SEM-MBT"], data, args.folds, {**train_cfg, "seed": seed}, out_dir,
                       log=lambda s: print(s, flush=True))
            runs = seed_runs(out_dir)
            print(f"\ntraining seeds (iemocap_dev_av, {args.folds}-fold CV, n=72)\n" + seed_table(runs), flush=True)
            summary["default_seeds"] = seed_spread(runs)
        conds = tuple(CONDITIONS) if run in ("table3", "default") else ("fused",)
        print(f"\n{run} (iemocap_dev_av, {args.folds}-fold CV, n=72)\n" + table(results, conds), flush=True)
        summary[run] = {name: {c: {k: r["metrics"][c][k] for k in ("avg_acc", "avg_f1", "avg_acc_present", "avg_f1_present", "top1_accuracy", "macro_f1", "n")}
                               for c in CONDITIONS} for name, r in results.items()}
    summary["baselines"] = constant_baselines(data["real"]["labels"].numpy(), len(model_config({})["label_names"]))
    summary["text_checkpoint"] = data.get("text_checkpoint")
    summary["train"] = train_cfg
    summary["folds"] = args.folds
    old = json.loads((out_dir / "summary.json").read_text()) if (out_dir / "summary.json").exists() else {}
    summary = {**old, **summary}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
