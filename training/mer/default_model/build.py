"""The final default model: trained on all 72 real clips + composed triples, exported with H2's
exporter, the shipped precision chosen by measurement, and public/models/metrics.json written.

    python -m mer.default_model.build [--out public/models] [--epochs 8]

Steps: train (mer.default_model.fusion_training) -> training/runs/default_fusion/model.pt
({config, model}: `python -m mer.export` loads it too) -> fp32/fp16/int8 ONNX in
training/runs/default_fusion/export -> all three run with onnxruntime-node on the 72 real clips'
raw inputs (log-mel patches, face crops, I_t: what the browser feeds), Avg F1 compared with fp32
-> int8 shipped unless it loses more than 0.01 Avg F1 on any input condition, else fp16 ->
copied to ``<out>/fusion.onnx`` with ``fusion.json``; metrics.json from the cross-validation
summary and the unimodal checkpoints' JSON files.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import torch

from ..config import REPO_ROOT, TRAINING_DIR, load_config, load_features
from ..export import export_all, run_onnxruntime, sha256
from ..model import build_model
from .crossval import dev_clip_baselines, out_of_fold_voice_stats, runs_dir, scores, seed_runs, seed_spread
from .features import CACHE, DEFAULT_CONFIG, DEV_AV, VISUAL_SNAPSHOT, dev_av_rows, load_caches, sha256_file
from .fusion_training import CONDITIONS, DEFAULT_TRAIN, predict_real, train_fusion

OUT_RUN = TRAINING_DIR / "runs" / "default_fusion"
CHECKPOINTS = TRAINING_DIR / "checkpoints"
INT8_MAX_F1_LOSS = 0.01


def raw_inputs(data: dict, browser_dir: str | None = None) -> list[dict[str, np.ndarray]]:
    """The fused graph's inputs for each real clip: the files ``npm run prepare-dataset`` wrote
    (what the browser computed) when the caches were built from them, else the Python twins."""
    from ..data.prepare import browser_features, decode_pcm16k
    from ..features.face_align import video_face_crops
    from ..features.logmel import log_mel_patches
    features = load_features()
    from_browser = browser_features(browser_dir) if browser_dir else None
    feeds = []
    for i, row in enumerate(dev_av_rows()):
        assert row["id"] == data["real"]["ids"][i]
        path = DEV_AV / "clips" / f"{row['id']}.mp4"
        if from_browser is not None:
            with np.load(from_browser[row["id"]]) as z:
                mel, amask, faces, vmask = z["log_mel"], z["audio_mask"], z["faces"], z["visual_mask"]
        else:
            mel, amask = log_mel_patches(decode_pcm16k(str(path)), features["audio"])
            faces, vmask = video_face_crops(path, len(mel), features["face"])
        feeds.append({"log_mel": np.asarray(mel, np.float32)[None], "faces": np.asarray(faces, np.float32)[None],
                      "text_cls": data["real"]["text"][i].numpy()[None].astype(np.float32),
                      "audio_mask": np.asarray(amask, np.float32)[None], "visual_mask": np.asarray(vmask, np.float32)[None],
                      "text_mask": np.ones((1, 1), np.float32)})
    return feeds


def onnx_scores(path: Path, feeds: list[dict], labels: np.ndarray, m: int) -> dict:
    out = {}
    for cond, keep in CONDITIONS.items():
        batch = []
        for f in feeds:
            g = dict(f)
            if not keep[0]:
                g["audio_mask"] = np.zeros_like(f["audio_mask"])
            if not keep[1]:
                g["visual_mask"] = np.zeros_like(f["visual_mask"])
            if not keep[2]:
                g["text_mask"] = np.zeros_like(f["text_mask"])
                g["text_cls"] = np.zeros_like(f["text_cls"])
            batch.append(g)
        ok = [i for i, g in enumerate(batch) if g["audio_mask"].any() or g["visual_mask"].any() or g["text_mask"].any()]
        res = run_onnxruntime(path, [batch[i] for i in ok])
        probs = np.full((len(feeds), m), np.nan, np.float32)
        probs[ok] = np.stack([r["fused"][0] for r in res])
        out[cond] = {"probs": probs, "scores": scores(probs, labels, m)}
    return out


def truncate(value: float, digits: int = 4) -> float:
    """Cut (never round up) a metric to ``digits`` decimals for the manifest and the model card."""
    import math
    return math.floor(float(value) * 10 ** digits + 1e-9) / 10 ** digits   # 1e-9: 0.5861 stays 0.5861


def _emodb_entries(info: dict) -> list[dict]:
    """Both speaker-held-out protocols: 5 folds of two speakers, and leave-one-speaker-out (the
    protocol most EmoDB papers report)."""
    protocols = (("five_fold", "5-fold speaker-held-out cross-validation"),
                 ("leave_one_speaker_out", "leave-one-speaker-out cross-validation (10 folds)"))
    out = []
    for key, protocol in protocols:
        cv = info.get("speaker_held_out", {}).get(key)
        if not cv:
            continue
        split = f"{protocol} (audio classifier of the EmoDB track, not the fused model's audio branch)"
        out.append({"name": "accuracy (7 classes incl. boredom)", "dataset": "EmoDB", "split": split, "n": cv["n"],
                    "value": truncate(cv["accuracy"])})
        if "ekman6_accuracy_without_boredom" in cv:
            out.append({"name": "accuracy (6 Ekman classes, boredom utterances left out)", "dataset": "EmoDB", "split": split,
                        "n": cv["ekman6_n"], "value": truncate(cv["ekman6_accuracy_without_boredom"])})
    return out


def _speech_entries(info: dict) -> list[dict]:
    """The speech-emotion audio backbone's own classifier (mer.pretrain.speech) on held-out speakers."""
    from .heldout import BACKBONE_DATASETS
    out = []
    split = "speakers held out (audio backbone's classifier, fixed epochs, nothing selected on them)"
    for key, r in info.get("held_out", {}).items():
        dataset = BACKBONE_DATASETS.get(key, key)
        for metric, name in (("top1_accuracy", f"top-1 accuracy ({len(r['classes'])} classes)"),
                             ("macro_f1", "macro-F1"), ("always_majority_class", "baseline: always the most frequent class")):
            out.append({"name": f"{name} (audio backbone's classifier)", "dataset": dataset, "split": split,
                        "n": r["n"], "value": truncate(r[metric])})
    return out


def _fer_entries(info: dict) -> list[dict]:
    out = []
    for key in ("fer2013_test", "ckplus"):
        m = info.get("metrics", {}).get(key)
        if m:
            for metric in ("accuracy", "macro_f1"):
                out.append({"name": f"{metric.replace('_', '-')} (visual backbone's classifier)", "dataset": m["dataset"],
                            "split": m["split"], "n": m["n"], "value": truncate(m[metric])})
    return out


def _text_entries(info: dict) -> list[dict]:
    test = info.get("metrics", {}).get("test", {})
    # IEMOCAP's mapped labels hold 4 of the 7 classes: "accuracy" is the argmax among those 4 (as
    # the text track has always reported it), "accuracy_7way" the argmax over all 7, as the app decides.
    rows = [("goemotions", "macro_f1", "macro f1", "GoEmotions (Ekman grouping)", "test"),
            ("meld", "weighted_f1", "weighted f1", "MELD (text)", "test"),
            ("iemocap", "accuracy", "accuracy, argmax among the 4 classes IEMOCAP's labels hold",
             "IEMOCAP transcripts", "test (session 5)"),
            ("iemocap", "accuracy_7way", "accuracy, argmax over all 7 classes", "IEMOCAP transcripts", "test (session 5)"),
            ("iemocap", "weighted_f1", "weighted f1", "IEMOCAP transcripts", "test (session 5)")]
    out = []
    for key, metric, name, dataset, split in rows:
        if key in test and metric in test[key]:
            out.append({"name": f"{name} (text encoder's classifier)", "dataset": dataset,
                        "split": split, "n": test[key]["n"], "value": truncate(test[key][metric])})
    return out


def unimodal_metrics() -> list[dict]:
    """Metrics entries from the unimodal tracks' checkpoint JSON files, when present: a
    ``manifest_metrics`` list in the manifest's form ({name, dataset, split, n, value}), or the
    EmoDB track's own layout."""
    entries = []
    if (CHECKPOINTS / "audio_speech.json").exists():
        entries += _speech_entries(json.loads((CHECKPOINTS / "audio_speech.json").read_text()))
    path = CHECKPOINTS / "audio_emodb.json"
    if path.exists():
        entries += _emodb_entries(json.loads(path.read_text()))
    fer_json = VISUAL_SNAPSHOT.with_suffix(".json") if VISUAL_SNAPSHOT.with_suffix(".json").exists() else CHECKPOINTS / "visual_fer.json"
    if fer_json.exists():   # the numbers of the visual weights actually shipped
        entries += _fer_entries(json.loads(fer_json.read_text()))
    if (CHECKPOINTS / "text_bert.json").exists():
        entries += _text_entries(json.loads((CHECKPOINTS / "text_bert.json").read_text()))
    for name in ("visual_fer.json", "audio_emodb.json", "text_bert.json"):
        path = CHECKPOINTS / name
        if path.exists():
            info = json.loads(path.read_text())
            for e in info.get("manifest_metrics") or info.get("metrics_list") or []:
                if {"name", "dataset", "split", "n", "value"} <= set(e):
                    entries.append({k: e[k] for k in ("name", "dataset", "split", "n", "value")})
    return entries


def cross_corpus_metrics() -> list[dict]:
    """The voice recipes with one speech corpus left out (mer.pretrain.cross_corpus), when measured:
    not a part's own classifier on its test data, so apart from ``unimodal_metrics``."""
    from ..pretrain.cross_corpus import REPORT, manifest_metrics
    return manifest_metrics(json.loads(REPORT.read_text())["results"]) if REPORT.exists() else []


def cv_metrics(run_path: Path | None = None) -> list[dict]:
    run_path = run_path or runs_dir() / "MER-SEM-MBT.json"
    if not run_path.exists():
        return []
    run = json.loads(run_path.read_text())
    folds = run["folds"]
    out = []
    dataset = "iemocap_dev_av (72 clips, IEMOCAP Ses01 male speaker)"
    split = f"{folds}-fold stratified cross-validation, pooled out-of-fold"
    for cond in CONDITIONS:
        s = run["metrics"][cond]
        for key, label in METRIC_NAMES.items():
            if key in s:
                out.append({"name": f"{label} ({CONDITION_NAMES[cond]}, 7 classes)", "dataset": dataset,
                            "split": split, "n": s["n"], "value": truncate(s[key])})
    return out + seed_metrics(seed_runs(run_path.parent), dataset, split) + baseline_metrics(dataset, split)


def seed_metrics(runs: list[dict], dataset: str, split: str) -> list[dict]:
    """The same protocol's top-1 and Avg F1 as the mean over its training seeds, with their range:
    the entries above are seed 0's (the shipped model), and a seed moves them by several clips."""
    if len(runs) < 2:
        return []
    out = []
    for cond, s in seed_spread(runs).items():
        for key in ("top1_accuracy", "avg_f1"):
            v, label = s[key], METRIC_NAMES[key]
            out.append({"name": f"{label} ({CONDITION_NAMES[cond]}, 7 classes), mean of {len(runs)} training seeds",
                        "dataset": dataset, "split": split, "n": s["n"], "value": truncate(v["mean"]),
                        "min": truncate(v["min"]), "max": truncate(v["max"]), "seeds": s["seeds"]})
    return out


# metrics.json names of the CV scores (src/pipeline/reliability.ts reads the top-1 ones).
METRIC_NAMES = {"top1_accuracy": "top-1 accuracy", "macro_f1": "macro-F1 of top-1", "avg_f1": "Avg F1", "avg_acc": "Avg Acc"}
CONDITION_NAMES = {"audio": "voice only", "visual": "face only", "text": "words only",
                   "no_text": "fused, voice + face without the words", "fused": "fused, with the words"}


def baseline_metrics(dataset: str, split: str) -> list[dict]:
    names, b = dev_clip_baselines()
    name = names[b["always_majority_class"]["class"]]
    return [{"name": f"baseline: always '{name}', top-1 accuracy", "dataset": dataset, "split": split, "n": b["n"],
             "value": truncate(b["always_majority_class"]["top1_accuracy"])},
            {"name": "baseline: every class on, Avg F1 (7 classes)", "dataset": dataset, "split": split, "n": b["n"],
             "value": truncate(b["every_class_on"]["avg_f1"])}]


def held_out_metrics(result: dict) -> list[dict]:
    """metrics.json entries for the fused model, voice only, on speakers nobody trained on."""
    out = []
    for r in result.values():
        s, b = r["metrics"], r["baselines"]
        split = "speakers held out from every training stage; voice only through the fused graph"
        out.append({"name": "top-1 accuracy (fused graph, voice only)", "dataset": r["dataset"], "split": split,
                    "n": s["n"], "value": truncate(s["top1_accuracy"])})
        out.append({"name": "macro-F1 of top-1 (fused graph, voice only)", "dataset": r["dataset"], "split": split,
                    "n": s["n"], "value": truncate(s["macro_f1"])})
        out.append({"name": "baseline: always the most frequent class, top-1 accuracy", "dataset": r["dataset"],
                    "split": split, "n": s["n"], "value": truncate(b["always_majority_class"]["top1_accuracy"])})
    return out


def label_name(index: int) -> str:
    from ..config import load_features
    return list(load_features()["labels"])[int(index)]


def held_out_words_metrics(result: dict) -> list[dict]:
    """metrics.json entries for the fused model's words path on IEMOCAP session 5 (heldout.held_out_words)."""
    s, b = result["metrics"], result["baselines"]
    present = s["classes_present"]

    def entry(name: str, value: float) -> dict:
        return {"name": name, "dataset": result["dataset"], "split": "test (session 5); words only through the fused graph",
                "n": s["n"], "value": truncate(value)}
    return [entry("top-1 accuracy (fused graph, words only, 7 classes)", s["top1_accuracy"]),
            entry("macro-F1 of top-1 (fused graph, words only)", s["macro_f1"]),
            entry(f"Avg F1 over the {present} classes present (fused graph, words only, threshold 0.5)", s["avg_f1_present"]),
            entry(f"baseline: always '{label_name(b['always_majority_class']['class'])}', top-1 accuracy",
                  b["always_majority_class"]["top1_accuracy"]),
            entry(f"baseline: every class on, Avg F1 over the {present} classes present", b["every_class_on_present_avg_f1"])]


def held_out_entries() -> list[dict]:
    """The held-out results a build wrote beside its model, as metrics.json entries."""
    out = []
    speech, words = OUT_RUN / "held_out_speech.json", OUT_RUN / "held_out_words.json"
    if speech.exists():
        out += held_out_metrics(json.loads(speech.read_text()))
    if words.exists():
        out += held_out_words_metrics(json.loads(words.read_text()))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.default_model.build", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO_ROOT / "public" / "models"))
    ap.add_argument("--epochs", type=int, default=DEFAULT_TRAIN["epochs"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-train", action="store_true", help="reuse training/runs/default_fusion/model.pt")
    ap.add_argument("--metrics-only", action="store_true", help="only rewrite <out>/metrics.json")
    args = ap.parse_args(argv)
    if args.metrics_only:
        metrics = cv_metrics() + held_out_entries() + unimodal_metrics() + cross_corpus_metrics()
        (Path(args.out) / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
        print(json.dumps(metrics, indent=1))
        return
    torch.set_num_threads(args.threads)
    data = load_caches()
    labels = data["real"]["labels"].numpy()
    OUT_RUN.mkdir(parents=True, exist_ok=True)
    ckpt = OUT_RUN / "model.pt"
    torch.manual_seed(0)
    overrides = None
    configured = load_config(DEFAULT_CONFIG)["model"]["visual"]["backbone"].get("pretrained_path")
    if VISUAL_SNAPSHOT.exists() and sha256_file(configured) != sha256_file(VISUAL_SNAPSHOT):
        print(f"{configured} changed since the caches were built: exporting with the weights the caches used "
              f"({VISUAL_SNAPSHOT}); rebuild the caches to move to the new one", flush=True)
        overrides = {"model": {"visual": {"backbone": {**load_config(DEFAULT_CONFIG)["model"]["visual"]["backbone"],
                                                       "pretrained_path": str(VISUAL_SNAPSHOT)}}}}
    config = load_config(DEFAULT_CONFIG, overrides)
    model = build_model(config)
    if args.skip_train and ckpt.exists():
        model.load_state_dict(torch.load(ckpt)["model"])
    else:
        train_cfg = {**DEFAULT_TRAIN, "epochs": args.epochs}
        train_fusion(model, out_of_fold_voice_stats(data), np.arange(len(labels)), train_cfg, log=lambda s: print(s, flush=True))
        torch.save({"config": {k: v for k, v in config.items() if k != "label_names"}, "model": model.state_dict(),
                    "train": train_cfg, "text_checkpoint": data.get("text_checkpoint")}, ckpt)
    model.eval()
    m = model.num_classes
    in_sample = {c: scores(predict_real(model, data, np.arange(len(labels)), k), labels, m) for c, k in CONDITIONS.items()}
    from .heldout import held_out_speech, held_out_words
    speech = held_out_speech(model)
    (OUT_RUN / "held_out_speech.json").write_text(json.dumps(speech, indent=1) + "\n")
    if data.get("text_checkpoint"):
        words = held_out_words(model, data["text_checkpoint"])
        (OUT_RUN / "held_out_words.json").write_text(json.dumps(words, indent=1) + "\n")
    else:   # no text encoder behind these caches: no words path to score (and no stale one)
        (OUT_RUN / "held_out_words.json").unlink(missing_ok=True)
    export_dir = OUT_RUN / "export"
    info = export_all(model, export_dir, check=True)
    real_features = json.loads((CACHE / "latest.json").read_text()).get("real_features", "python twins")
    feeds = raw_inputs(data, None if real_features == "python twins" else real_features)
    measured = {p: onnx_scores(export_dir / name, feeds, labels, m)
                for p, name in (("fp32", "fusion.onnx"), ("fp16", "fusion_fp16.onnx"), ("int8", "fusion_int8.onnx"))}
    loss = {p: max(measured["fp32"][c]["scores"]["avg_f1"] - measured[p][c]["scores"]["avg_f1"] for c in CONDITIONS)
            for p in ("fp16", "int8")}
    max_prob_diff = {p: float(max(np.nanmax(np.abs(measured[p][c]["probs"] - measured["fp32"][c]["probs"])) for c in CONDITIONS))
                     for p in ("fp16", "int8")}
    shipped = "int8" if loss["int8"] <= INT8_MAX_F1_LOSS else "fp16"
    src = export_dir / {"int8": "fusion_int8.onnx", "fp16": "fusion_fp16.onnx"}[shipped]
    out = Path(args.out)
    shutil.copyfile(src, out / "fusion.onnx")
    report = {"shipped_precision": shipped, "avg_f1_loss_vs_fp32": loss, "max_prob_diff_vs_fp32": max_prob_diff,
              "parity_max_abs_random_inputs": info.get("parity_max_abs"),
              "onnx_in_sample": {p: {c: {k: v["scores"][k] for k in ("avg_acc", "avg_f1", "n")} for c, v in r.items()}
                                 for p, r in measured.items()},
              "torch_in_sample": {c: {k: s[k] for k in ("avg_acc", "avg_f1", "n")} for c, s in in_sample.items()},
              "parameters": info["parameters"], "labels": info["labels"], "inputs": info["inputs"], "outputs": info["outputs"],
              "text_checkpoint": data.get("text_checkpoint"),
              "text_checkpoint_sha256": sha256_file(data.get("text_checkpoint")),
              "visual_pretrained": config["model"]["visual"]["backbone"].get("pretrained_path"),
              "file": {"path": "fusion.onnx", "bytes": (out / "fusion.onnx").stat().st_size, "sha256": sha256(out / "fusion.onnx")}}
    (OUT_RUN / "build.json").write_text(json.dumps(report, indent=1) + "\n")
    (out / "fusion.json").write_text(json.dumps({**{k: v for k, v in info.items() if k != "files"},
                                                 "shipped_precision": shipped, "file": report["file"]}, indent=1) + "\n")
    metrics = cv_metrics() + held_out_entries() + unimodal_metrics() + cross_corpus_metrics()
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("shipped_precision", "avg_f1_loss_vs_fp32", "max_prob_diff_vs_fp32", "file")}, indent=1))


if __name__ == "__main__":
    main()
