"""Writes the golden cases shared by the Python and TypeScript face code
(src/features/face/__golden__/), from the Python twin (``mer.features.face_align``):

    node scripts/run-python.mjs -m mer.features.face_golden

- ``face_cases.json``: view plans for several frame sizes; view tensors of a synthetic image;
  raw detector outputs (sparse, synthetic) of a 320 x 240 frame's views -> merged detections;
  eye-aligned crops of a synthetic image (level, rotated, tiny, large, at the border,
  degenerate eyes; grey and RGB).
- ``real_frames.json``: detections, prominent-face crop box and crop mean on a few real
  IEMOCAP frames (../shared, numbers only: no image data), which the TypeScript test
  re-derives with onnxruntime-node when ../shared is present.

TypeScript checks boxes within 1 px and crops within 1e-3 (src/features/face/*.test.ts);
training/tests/test_face_align.py checks that the Python code still reproduces the files.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mer.features.face_align import (FULL_RANGE, FaceDetection, align_face_crop, crop_kwargs, detect_faces,
                                     detections_from_views, frames_at, load_face_params,
                                     pick_prominent_face, plan_views, ssd_anchors, view_tensor)

ROOT = Path(__file__).resolve().parents[3]
GOLDEN_DIR = ROOT / "src" / "features" / "face" / "__golden__"
CLIPS = ROOT.parent / "shared" / "data" / "iemocap_dev_av" / "clips"
REAL_CASES = [("Ses01F_impro01_M002", 0), ("Ses01F_script02_1_M030", 1), ("Ses01M_impro03_M005", 0),
              ("Ses01M_impro06_M020", 2), ("Ses01F_impro05_M032", 1)]


def synthetic_image(width: int, height: int) -> np.ndarray:
    """Deterministic RGB test pattern ``[H, W, 3]`` uint8 (same formula in the TS tests)."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(7 * x + 13 * y) % 256, (x * x + 3 * y) % 256, (x * y + 50) % 256], -1).astype(np.uint8)


def _r(v, nd=6):
    return [_r(x, nd) for x in v] if isinstance(v, (list, tuple, np.ndarray)) else round(float(v), nd)


def _det(d: FaceDetection) -> dict:
    return {"score": _r(d.score, 7), "box": _r(d.box), "keypoints": _r(d.keypoints)}


def sparse_raw_outputs(views, rng) -> list[dict]:
    """Synthetic raw outputs: per view a few faces, each a cluster of neighbouring anchors
    with jittered regressors and logits (some below the threshold)."""
    g = 48
    entries = []
    for vi, _ in enumerate(views):
        for _ in range(int(rng.integers(0, 3))):
            cx, cy = int(rng.integers(0, g)), int(rng.integers(0, g))
            size = float(rng.uniform(8, 60))  # face side in input pixels
            kp = np.array([[-0.2, -0.15], [0.2, -0.15], [0, 0.05], [0, 0.25], [-0.45, -0.05], [0.45, -0.05]])
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    ax, ay = cx + dx, cy + dy
                    if not (0 <= ax < g and 0 <= ay < g) or rng.random() < 0.3:
                        continue
                    off = -np.array([dx, dy]) * 4 + rng.normal(0, 0.8, 2)
                    w = size * (1 + rng.normal(0, 0.05))
                    reg = [off[0], off[1], w, w] + list((off + kp * size + rng.normal(0, 0.5, (6, 2))).ravel())
                    entries.append({"view": vi, "anchor": ay * g + ax, "logit": round(float(rng.normal(1.0, 1.5)), 4),
                                    "reg": [round(float(v), 4) for v in reg]})
    return entries


def face_cases() -> dict:
    rng = np.random.default_rng(7)
    sizes = [(640, 480), (1280, 720), (480, 640), (48, 48), (100, 300), (191, 500), (320, 240)]
    plans = [{"width": w, "height": h, "views": [vars(v) for v in plan_views(w, h)]} for w, h in sizes]

    img = synthetic_image(37, 23)
    vviews = plan_views(37, 23, 12)
    vt = [{"view": vars(v), "tensor": _r(view_tensor(img, v, 12).ravel(), 4)} for v in vviews]

    w, h = 320, 240
    views = plan_views(w, h)
    entries = sparse_raw_outputs(views, rng)
    anchors = ssd_anchors(**FULL_RANGE)
    outs = []
    for vi in range(len(views)):
        reg = np.zeros((2304, 16))
        logit = np.full(2304, -20.0)
        for e in entries:
            if e["view"] == vi:
                reg[e["anchor"]] = e["reg"]
                logit[e["anchor"]] = e["logit"]
        outs.append((reg, logit))
    merged = detections_from_views(outs, views, w, h, 192, anchors, 0.5)

    aimg = synthetic_image(64, 48)

    def det(r, l, box=(10, 10, 30, 30)):
        return FaceDetection(0.9, list(box), [list(r), list(l), [0, 0], [0, 0], [0, 0], [0, 0]])

    align_specs = [
        ("level", det((25, 20), (39, 20)), dict(size=24, channels=1, eye_y=0.4, eye_dist=0.4)),
        ("rotated", det((24, 26), (36.1, 19)), dict(size=24, channels=1, eye_y=0.38, eye_dist=0.45)),
        ("tiny_upscaled", det((30.2, 22.7), (33.1, 23.4)), dict(size=24, channels=1, eye_y=0.4, eye_dist=0.4)),
        ("large_downscaled", det((5, 30), (60, 12)), dict(size=12, channels=1, eye_y=0.4, eye_dist=0.3)),
        ("border_clamp", det((1, 2), (9, 1)), dict(size=16, channels=1, eye_y=0.4, eye_dist=0.4)),
        ("degenerate_eyes", det((30, 20), (30, 20), (20, 10, 25, 30)), dict(size=16, channels=1, eye_y=0.4, eye_dist=0.4)),
        ("rgb", det((40, 30), (27, 25)), dict(size=16, channels=3, eye_y=0.42, eye_dist=0.35)),
        ("turned_head_floor", det((28, 20), (34, 21), (15, 8, 30, 30)), dict(size=24, channels=1, eye_y=0.4, eye_dist=0.34, iod_min_box=0.41)),
        ("floor_inactive", det((25, 20), (39, 20), (20, 10, 20, 20)), dict(size=24, channels=1, eye_y=0.4, eye_dist=0.34, iod_min_box=0.41)),
    ]
    aligns = []
    for name, d, p in align_specs:
        p = {"iod_min_box": 0.0, **p}
        crop, box = align_face_crop(aimg, d, **p)
        aligns.append({"name": name, "det": _det(d), "crop_params": p, "crop": _r(crop.ravel(), 6), "box": _r(box)})

    prominent = [
        {"dets": [_det(FaceDetection(0.9, [0, 0, 10, 10], [])), _det(FaceDetection(0.6, [0, 0, 20, 20], []))],
         "min_score": 0.5, "index": 1},
        {"dets": [_det(FaceDetection(0.9, [0, 0, 10, 10], [])), _det(FaceDetection(0.4, [0, 0, 20, 20], []))],
         "min_score": 0.5, "index": 0},
        {"dets": [_det(FaceDetection(0.3, [0, 0, 10, 10], []))], "min_score": 0.5, "index": None},
        {"dets": [_det(FaceDetection(0.7, [5, 5, 10, 10], [])), _det(FaceDetection(0.8, [0, 0, 10, 10], []))],
         "min_score": 0.5, "index": 1},
    ]
    for c in prominent:
        dets = [FaceDetection(d["score"], d["box"], []) for d in c["dets"]]
        p = pick_prominent_face(dets, c["min_score"])
        assert (None if p is None else dets.index(p)) == c["index"]

    return {
        "synthetic_image": "R = (7x + 13y) % 256, G = (x*x + 3y) % 256, B = (x*y + 50) % 256 (x column, y row)",
        "anchors": {"full": {"count": int(len(anchors)), "sum": _r(anchors.sum(), 6)},
                    "short": {"count": int(len(ssd_anchors(128, (8, 16, 16, 16), 1.0))),
                              "sum": _r(ssd_anchors(128, (8, 16, 16, 16), 1.0).sum(), 6)}},
        "plans": plans,
        "view_tensors": {"width": 37, "height": 23, "input_size": 12, "cases": vt},
        "decode": {"width": w, "height": h, "min_score": 0.5, "background_logit": -20.0, "entries": entries,
                   "detections": [_det(d) for d in merged]},
        "align": {"width": 64, "height": 48, "cases": aligns},
        "prominent": prominent,
    }


def real_frames() -> dict | None:
    if not CLIPS.exists():
        return None
    from mer.face_detector import load_blazeface
    model = load_blazeface("full")
    params = load_face_params()
    cases = []
    for clip, seg in REAL_CASES:
        (frame,), (idx,) = frames_at(CLIPS / f"{clip}.mp4", [0.96 * seg + 0.48])
        dets = detect_faces(model, frame)
        face = pick_prominent_face(dets, float(params["min_score"]))
        crop_box, crop_mean = None, None
        if face is not None:
            crop, crop_box = align_face_crop(frame, face, **crop_kwargs(params))
            crop_mean = float(crop.mean())
        cases.append({"clip": clip, "segment": seg, "frame": idx, "width": frame.shape[1], "height": frame.shape[0],
                      "detections": [_det(d) for d in dets], "crop_box": None if crop_box is None else _r(crop_box),
                      "crop_mean": None if crop_mean is None else _r(crop_mean)})
    return {"clips_dir": "../shared/data/iemocap_dev_av/clips", "min_score": float(params["min_score"]),
            "crop": params["crop"], "cases": cases}


def main() -> None:
    import torch
    torch.set_num_threads(2)
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    (GOLDEN_DIR / "face_cases.json").write_text(json.dumps(face_cases(), separators=(",", ":")))
    print(f"wrote {GOLDEN_DIR / 'face_cases.json'}")
    real = real_frames()
    if real is not None:
        (GOLDEN_DIR / "real_frames.json").write_text(json.dumps(real, indent=1))
        print(f"wrote {GOLDEN_DIR / 'real_frames.json'}")


if __name__ == "__main__":
    main()
