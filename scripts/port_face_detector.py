#!/usr/bin/env python3
"""Ports MediaPipe BlazeFace full range (.tflite in the devDependency @mediapipe/face_detection)
to ONNX: public/models/face_detector.onnx, opset 17, dynamic batch.

    node scripts/run-python.mjs scripts/port_face_detector.py [--variant full|short] [--out PATH]

ONNX I/O: ``image`` [B, S, S, 3] float32 RGB 0..255 (S = 192; the graph maps it to [-1, 1]);
``regressors`` [B, 2304, 16] and ``classificators`` [B, 2304, 1] (raw logits). Decoding:
src/features/face/decode.ts and training/mer/features/face_align.py.
Also writes the model-parity golden case (src/features/face/__golden__/detector_parity.json)
that the TypeScript test checks with onnxruntime-node.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from mer.face_detector import ONNX_PATH, export_onnx, load_blazeface  # noqa: E402

GOLDEN = ROOT / "src" / "features" / "face" / "__golden__" / "detector_parity.json"


def parity_input(size: int) -> np.ndarray:
    """A deterministic smooth test image [1, S, S, 3] in 0..255 (no dataset needed)."""
    y, x = np.mgrid[0:size, 0:size] / size
    img = np.stack([128 + 100 * np.sin(6 * x + 2 * y), 128 + 90 * np.cos(5 * y - 3 * x),
                    128 + 80 * np.sin(4 * (x + y) + 1)], axis=-1)
    return np.round(img)[None].astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", default="full", choices=["full", "short"])
    ap.add_argument("--out", default=str(ONNX_PATH))
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = load_blazeface(args.variant)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out)
    onnx.checker.check_model(onnx.load(str(out)))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    if args.variant == "full" and out == ONNX_PATH:
        x = parity_input(model.input_size)
        with torch.no_grad():
            reg, logit = (t.numpy() for t in model(torch.from_numpy(x)))
        sel = np.argsort(-logit[0, :, 0])[:32]
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps({
            "input": "parity_input(192) in scripts/port_face_detector.py: R,G,B = round(128 + 100 sin(6x + 2y)), round(128 + 90 cos(5y - 3x)), round(128 + 80 sin(4(x + y) + 1)), x = col/192, y = row/192",
            "logits": [round(float(v), 5) for v in logit[0, :, 0]],
            "regressor_anchors": sel.tolist(),
            "regressors": [[round(float(v), 4) for v in reg[0, i]] for i in sel],
        }, separators=(",", ":")))
        print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
