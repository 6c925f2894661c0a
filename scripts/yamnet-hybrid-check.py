"""Explains the YAMNet parity gap: runs yamnet.tflite op by op in numpy (mer.tflite.evaluate)
with TFLite's hybrid int8 kernels emulated, on the patches of the last
scripts/yamnet-tflite-parity.mjs run, and compares with what the real runtime returned there.
If this matches the runtime, the graph reading is exact and the remaining PyTorch-vs-runtime
differences come only from the runtime quantizing activations to int8.
Run: node scripts/run-python.mjs scripts/yamnet-hybrid-check.py [--cache DIR] [--limit N]"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from mer.backbones.yamnet import DEFAULT_TFLITE
from mer.tflite import evaluate, read_tflite

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=ROOT / "training/.cache/yamnet_parity")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    meta = json.loads((a.cache / "meta.json").read_text())
    n = meta["count"] if not a.limit else min(a.limit, meta["count"])
    waves = np.fromfile(a.cache / "waves.f32", "<f4").reshape(-1, meta["window"])
    rt_scores = np.fromfile(a.cache / "tflite_scores.f32", "<f4").reshape(-1, 521)
    rt_mel = np.fromfile(a.cache / "tflite_logmel.f32", "<f4").reshape(-1, 96, 64)
    model = read_tflite(DEFAULT_TFLITE)
    agree = 0
    score_diff = mel_diff = 0.0
    for i in range(n):
        v = evaluate(model, [waves[i][None]], hybrid=True)
        s, mel = v[model.outputs[0]][0], v[model.outputs[1]]
        agree += int(s.argmax() == rt_scores[i].argmax())
        score_diff = max(score_diff, float(np.abs(s - rt_scores[i]).max()))
        mel_diff = max(mel_diff, float(np.abs(mel - rt_mel[i]).max()))
    report = {"patches": n, "top1_agreement_numpy_hybrid_vs_runtime": agree / n,
              "max_abs_score_diff": score_diff, "max_abs_logmel_diff": mel_diff}
    (a.cache / "hybrid_report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
