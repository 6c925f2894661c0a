"""Write public/models/MODEL_CARD.md from its template and the measured results: the default
run's cross-validation, the ablations, the unimodal tracks' JSON files and the export report.
A result that is not there yet is written as "not yet measured", never guessed.

    python -m mer.default_model.card [--out public/models/MODEL_CARD.md]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..config import REPO_ROOT
from ..pretrain.cross_corpus import CORPUS_NAMES, PART_NAMES, PARTS, REPORT
from .build import OUT_RUN, truncate, unimodal_metrics
from .crossval import ABLATIONS, CONDITIONS, cut3, runs_dir, scores, seed_runs, seed_table, table

TEMPLATE = Path(__file__).with_name("MODEL_CARD.template.md")


def _runs(folder: Path, names) -> dict:
    out = {}
    for n, overrides in names.items():
        same = [k for t in ABLATIONS.values() for k, o in t.items() if o == overrides]
        found = [folder / f"{k}.json" for k in same if (folder / f"{k}.json").exists()]
        if found:
            out[n] = json.loads(found[0].read_text())
    return out


def results_split(run: dict) -> str:
    """The same predictions on the 44 clips where the labelled speaker is on camera and the 28 where he is not."""
    from .features import load_caches
    data = load_caches()
    wrong = np.asarray(data["real"]["wrong_face"])
    labels = data["real"]["labels"].numpy()
    lines = ["Split by camera (same out-of-fold predictions):", "",
             "input | clips | Avg Acc (7) | Avg F1 (7) | top-1 acc", "--- | --- | --- | --- | ---"]
    for c in CONDITIONS:
        p = np.asarray(run["oof"][c], dtype=np.float32)
        for name, sel in (("Ses01M_* (speaker on camera)", ~wrong), ("Ses01F_* (the woman on camera)", wrong)):
            s = scores(p[sel], labels[sel], p.shape[1])
            lines.append(f"{c} | {name}, n = {s['n']} | {cut3(s['avg_acc'])} | {cut3(s['avg_f1'])} | {cut3(s['top1_accuracy'])}")
    return "\n".join(lines)


def baselines_text() -> str:
    from .crossval import dev_clip_baselines
    names, b = dev_clip_baselines()
    major = b["always_majority_class"]
    return (f"- always answering the most frequent class ({names[major['class']]}): top-1 accuracy "
            f"{cut3(major['top1_accuracy'])}, macro-F1 {cut3(major['macro_f1'])};\n"
            f"- every class on: Avg Acc {cut3(b['every_class_on']['avg_acc'])}, Avg F1 {cut3(b['every_class_on']['avg_f1'])};\n"
            f"- no class on: Avg Acc {cut3(b['no_class_on']['avg_acc'])}, Avg F1 {cut3(b['no_class_on']['avg_f1'])}.")


def held_out_speech_table() -> str:
    path = OUT_RUN / "held_out_speech.json"
    if not path.exists():
        return "*not yet measured*"
    rows = json.loads(path.read_text())
    lines = ["dataset (held-out speakers) | n | top-1 acc | macro-F1 (top-1) | always the most frequent class | chance",
             "--- | --- | --- | --- | --- | ---"]
    for r in rows.values():
        s, b = r["metrics"], r["baselines"]
        lines.append(f"{r['dataset']} | {s['n']} | {cut3(s['top1_accuracy'])} | {cut3(s['macro_f1'])} | "
                     f"{cut3(b['always_majority_class']['top1_accuracy'])} | {cut3(1 / r.get('classes', 7))}")
    return "\n".join(lines)


def cross_corpus_table() -> str:
    """The voice recipes on a corpus they never heard (``mer.pretrain.cross_corpus``), beside the
    constant baseline and how much of the corpus went to the most-predicted class."""
    if not REPORT.exists():
        return "*not yet measured*"
    results = json.loads(REPORT.read_text())["results"]
    lines = ["corpus left out (all its speakers) | n | classes | recipe | top-1 acc | macro-F1 | always the most frequent class "
             "| most-predicted class (share)", "--- | --- | --- | --- | --- | --- | --- | ---"]
    for corpus, name in CORPUS_NAMES.items():
        for part in PARTS:
            r = results.get(part, {}).get(corpus)
            if r:
                top = max(r["predicted_share"], key=r["predicted_share"].get)
                lines.append(f"{name} | {r['n']} | {len(r['classes'])} | {PART_NAMES[part]} | {cut3(r['top1_accuracy'])} | "
                             f"{cut3(r['macro_f1'])} | {cut3(r['always_majority_class'])} | {top} ({cut3(r['predicted_share'][top])})")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.default_model.card", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO_ROOT / "public" / "models" / "MODEL_CARD.md"))
    args = ap.parse_args(argv)
    folder = runs_dir()
    text = TEMPLATE.read_text()
    default = _runs(folder, ABLATIONS["default"])
    if default:
        run = default["MER-SEM-MBT"]
        text = text.replace("RESULTS_TABLE", table(default, tuple(CONDITIONS)))
        text = text.replace("RESULTS_SPLIT", results_split(run))
    else:
        text = text.replace("RESULTS_TABLE", "*not yet measured*").replace("RESULTS_SPLIT", "")
    seeds = seed_runs(folder)
    text = text.replace("SEEDS_TABLE", seed_table(seeds) if len(seeds) > 1 else "*only seed 0 measured*")
    parts = []
    for key, title in (("table3", "Table 3's shape (SEM and MBT on or off)"), ("table5", "Table 5's shape (cross-modal encoder; all with SEM)")):
        rows = _runs(folder, ABLATIONS[key])
        missing = [n for n in ABLATIONS[key] if n not in rows]
        body = table(rows, ("fused",)) if rows else ""
        note = f"\n\n*not yet measured:* {', '.join(missing)} (the ablation job was still running)" if missing else ""
        parts.append(f"**{title}**, fused input, n = 72:\n\n{body}{note}")
    text = text.replace("ABLATION_TABLES", "\n\n".join(parts))
    text = text.replace("BASELINES", baselines_text())
    text = text.replace("HELD_OUT_SPEECH", held_out_speech_table())
    text = text.replace("CROSS_CORPUS", cross_corpus_table())
    uni = unimodal_metrics()
    lines = ["dataset | split | metric | n | value", "--- | --- | --- | --- | ---"]
    lines += [f"{e['dataset']} | {e['split']} | {e['name']} | {e['n']} | {e['value']}" for e in uni]
    for part, file in (("visual (FER2013)", "visual_fer.json"), ("audio (EmoDB)", "audio_emodb.json"), ("text", "text_bert.json")):
        if not (REPO_ROOT / "training" / "checkpoints" / file).exists():
            lines.append(f"{part} | | *not yet measured* | | ")
    text = text.replace("UNIMODAL_TABLE", "\n".join(lines))
    build = OUT_RUN / "build.json"
    if build.exists():
        b = json.loads(build.read_text())
        loss = b["avg_f1_loss_vs_fp32"]
        text = text.replace("PRECISION", (
            f"`fusion.onnx` is **{b['shipped_precision']}** ({b['file']['bytes']:,} bytes, {b['parameters']:,} parameters). "
            f"On the 72 clips the int8 file lost up to {truncate(loss['int8'])} Avg F1 against fp32 over the four input "
            f"conditions. The limit is 0.01, so int8 is shipped only if it stays within that; fp16 lost {truncate(loss['fp16'])}. "
            f"Largest probability difference to fp32: int8 {truncate(b['max_prob_diff_vs_fp32']['int8'])}, "
            f"fp16 {truncate(b['max_prob_diff_vs_fp32']['fp16'])}. These are in-sample comparisons of the same final "
            f"model, so they measure quantisation, not accuracy."))
    else:
        text = text.replace("PRECISION", "*not yet measured*")
    Path(args.out).write_text(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
