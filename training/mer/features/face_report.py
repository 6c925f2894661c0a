"""Measurements behind the face-crop parameters (training/configs/features.json ``face``).

    node scripts/run-python.mjs -m mer.features.face_report clips [--out DIR]
    node scripts/run-python.mjs -m mer.features.face_report fer [--n 600] [--out DIR]
    node scripts/run-python.mjs -m mer.features.face_report grid [--out DIR]

``clips``: detection rate on the segment-centre frames of ../shared/data/iemocap_dev_av (one
frame per 0.96 s segment), with the prominent face's score and size; saves the crops (npz)
and a contact sheet PNG. ``fer``: where the detector puts the eyes in FER2013 test faces
(each 48 x 48 face centred on a 3x larger edge-replicated canvas): median eye-midpoint height
and inter-ocular distance as fractions of the face image side -> ``eye_y``, ``eye_dist``.
``grid``: FER2013 samples next to our crops from the clips, as one PNG. ``parity-inputs``:
inputs and PyTorch outputs for scripts/face-tflite-parity.mjs (the port against TFLite itself).
Outputs go to training/runs/face (gitignored).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from mer.features.face_align import (FaceDetection, align_face_crop, crop_kwargs, detect_faces, frames_at, load_face_params,
                                     pick_prominent_face, segment_count)

ROOT = Path(__file__).resolve().parents[3]
CLIPS = ROOT.parent / "shared" / "data" / "iemocap_dev_av" / "clips"
FER = ROOT.parent / "shared" / "data" / "fer2013"
OUT = ROOT / "training" / "runs" / "face"


def _save_png(arr: np.ndarray, path: Path, scale: int = 1) -> None:
    from PIL import Image
    im = Image.fromarray(np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8))
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.NEAREST)
    im.save(path)


def _sheet(tiles: list[np.ndarray], cols: int, pad: int = 2) -> np.ndarray:
    s = tiles[0].shape[0]
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.ones((rows * (s + pad) + pad, cols * (s + pad) + pad), np.float32)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[pad + r * (s + pad): pad + r * (s + pad) + s, pad + c * (s + pad): pad + c * (s + pad) + s] = t
    return sheet


def clips(out: Path) -> dict:
    from mer.face_detector import load_blazeface
    import torch
    torch.set_num_threads(1)
    model = load_blazeface("full")
    params = load_face_params()
    crop_p = params["crop"]
    rows, crops, times = [], [], []
    t0 = time.time()
    for path in sorted(CLIPS.glob("*.mp4")):
        t_count = segment_count(path)
        frames, idx = frames_at(path, [0.96 * t + 0.48 for t in range(t_count)])
        for t, (frame, fi) in enumerate(zip(frames, idx)):
            t1 = time.time()
            dets = detect_faces(model, frame)
            times.append(time.time() - t1)
            det = pick_prominent_face(dets, float(params["min_score"]))
            row = {"clip": path.stem, "segment": t, "frame": fi, "n_dets": len(dets),
                   "scores": [round(d.score, 4) for d in dets],
                   "face": None if det is None else {"score": det.score, "box": det.box, "keypoints": det.keypoints}}
            rows.append(row)
            if det is not None:
                crop, _ = align_face_crop(frame, det, **crop_kwargs(params))
                crops.append(crop[0])
    out.mkdir(parents=True, exist_ok=True)
    found = [r for r in rows if r["face"] is not None]
    sizes = [r["face"]["box"][2] for r in found]
    summary = {"frames": len(rows), "clips": len({r["clip"] for r in rows}), "with_face": len(found),
               "rate": len(found) / max(1, len(rows)),
               "clips_all_frames_found": sum(all(r["face"] for r in rows if r["clip"] == c) for c in {r["clip"] for r in rows}),
               "box_w_median": float(np.median(sizes)) if sizes else None,
               "score_median": float(np.median([r["face"]["score"] for r in found])) if found else None,
               "multi_face_frames": sum(r["n_dets"] > 1 for r in rows),
               "seconds_per_frame": float(np.mean(times)), "total_s": time.time() - t0,
               "params": params}
    (out / "clips.json").write_text(json.dumps({"summary": summary, "rows": rows}))
    np.savez_compressed(out / "clip_crops.npz", crops=np.array(crops))
    if crops:
        _save_png(_sheet(crops[:: max(1, len(crops) // 96)][:96], 12), out / "clip_crops.png", 2)
    print(json.dumps(summary, indent=1))
    return summary


def fer(out: Path, n: int = 600, seed: int = 0) -> dict:
    from PIL import Image
    from mer.face_detector import load_blazeface
    import torch
    torch.set_num_threads(1)
    model = load_blazeface("full")
    files = sorted((FER / "test").glob("*/*.jpg"))
    rng = np.random.default_rng(seed)
    files = [files[i] for i in rng.choice(len(files), size=min(n, len(files)), replace=False)]
    eye_y, eye_dist, eye_x, scores, misses, iod_box, box_w = [], [], [], [], 0, [], []
    for f in files:
        g = np.asarray(Image.open(f).convert("L"))
        s = g.shape[0]
        canvas = np.pad(g, s, mode="edge")
        rgb = np.repeat(canvas[..., None], 3, axis=2)
        det = pick_prominent_face(detect_faces(model, rgb), 0.5)
        if det is None:
            misses += 1
            continue
        (rx, ry), (lx, ly) = det.keypoints[0], det.keypoints[1]
        eye_y.append(((ry + ly) / 2 - s) / s)
        eye_x.append(((rx + lx) / 2 - s) / s)
        eye_dist.append(float(np.hypot(lx - rx, ly - ry)) / s)
        iod_box.append(float(np.hypot(lx - rx, ly - ry)) / det.box[2])
        box_w.append(det.box[2] / s)
        scores.append(det.score)
    q = lambda v: [round(float(x), 4) for x in np.percentile(v, [10, 25, 50, 75, 90])]  # noqa: E731
    summary = {"n": len(files), "detected": len(eye_y), "missed": misses,
               "eye_y_p10_25_50_75_90": q(eye_y), "eye_x_p10_25_50_75_90": q(eye_x),
               "eye_dist_p10_25_50_75_90": q(eye_dist), "iod_over_box_w_p10_25_50_75_90": q(iod_box),
               "eye_y": round(float(np.median(eye_y)), 3), "eye_dist_unfloored": round(float(np.median(eye_dist)), 3),
               # crop parameters: the floor is FER's median IOD / box width, and eye_dist is the
               # median of the floored IOD (what align_face_crop scales by), as fractions of the side
               "iod_min_box": round(float(np.median(iod_box)), 3),
               "eye_dist": round(float(np.median(np.maximum(eye_dist, np.median(iod_box) * np.array(box_w)))), 3),
               "score_median": float(np.median(scores)),
               "samples": {"eye_y": eye_y, "eye_dist": eye_dist, "box_w": box_w}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "fer_eyes.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "samples"}, indent=1))
    return summary


def _recrop(out: Path, rows: list[dict]) -> tuple[list[np.ndarray], list[float]]:
    """Crops of the stored prominent faces with the current features.json parameters."""
    crop_p = load_face_params()["crop"]
    crops, scores = [], []
    by_clip: dict[str, list[dict]] = {}
    for r in rows:
        by_clip.setdefault(r["clip"], []).append(r)
    for clip, rs in by_clip.items():
        frames, _ = frames_at(CLIPS / f"{clip}.mp4", [0.96 * r["segment"] + 0.48 for r in rs])
        for r, frame in zip(rs, frames):
            f = r["face"]
            det = FaceDetection(f["score"], f["box"], f["keypoints"])
            crop, _ = align_face_crop(frame, det, **crop_kwargs(crop_p))
            crops.append(crop[0])
            scores.append(f["score"])
    return crops, scores


def grid(out: Path, n: int = 48, seed: int = 1) -> None:
    """FER2013 test faces (left) next to our crops of the clips' prominent faces (right), with
    the current crop parameters; and the lowest-scoring clip detections (to judge min_score)."""
    from PIL import Image
    files = sorted((FER / "test").glob("*/*.jpg"))
    rng = np.random.default_rng(seed)
    fer_tiles = [np.asarray(Image.open(files[i]).convert("L"), np.float32) / 255
                 for i in rng.choice(len(files), n, replace=False)]
    rows = [r for r in json.loads((out / "clips.json").read_text())["rows"] if r["face"] is not None]
    pick = sorted(rng.choice(len(rows), min(n, len(rows)), replace=False))
    ours, _ = _recrop(out, [rows[i] for i in pick])
    left, right = _sheet(fer_tiles, 6), _sheet(ours, 6)
    h = max(left.shape[0], right.shape[0])
    pad = lambda a: np.pad(a, ((0, h - a.shape[0]), (0, 0)), constant_values=1)  # noqa: E731
    _save_png(np.concatenate([pad(left), np.ones((h, 12), np.float32), pad(right)], axis=1), out / "fer_vs_clips.png", 2)
    print(f"wrote {out / 'fer_vs_clips.png'} (left FER2013 test, right our crops of the dev clips)")
    low = sorted(rows, key=lambda r: r["face"]["score"])[:36]
    crops, scores = _recrop(out, low)
    _save_png(_sheet(crops, 12), out / "clip_low_score_crops.png", 2)
    print(f"wrote {out / 'clip_low_score_crops.png'}: the 36 lowest-scoring prominent faces, scores "
          f"{[round(s, 3) for s in sorted(scores)]}")


def parity_inputs(out: Path, clips: int = 4) -> None:
    """Inputs for scripts/face-tflite-parity.mjs: the 7 views of a few real frames (and the
    synthetic parity image) as ``inputs.f32`` [N, 192, 192, 3] in 0..255, with the PyTorch
    port's outputs ``torch_regressors.f32`` [N, 2304, 16] and ``torch_logits.f32`` [N, 2304]."""
    import torch
    from mer.face_detector import load_blazeface
    from mer.features.face_align import plan_views, view_tensor
    torch.set_num_threads(1)
    model = load_blazeface("full")
    views = []
    for path in sorted(CLIPS.glob("*.mp4"))[:: max(1, 72 // clips)][:clips]:
        (frame,), _ = frames_at(path, [0.48])
        views += [view_tensor(frame, v) for v in plan_views(frame.shape[1], frame.shape[0])]
    y, x = np.mgrid[0:192, 0:192] / 192
    views.append(np.round(np.stack([128 + 100 * np.sin(6 * x + 2 * y), 128 + 90 * np.cos(5 * y - 3 * x),
                                    128 + 80 * np.sin(4 * (x + y) + 1)], -1)).astype(np.float32))
    batch = np.stack(views).astype(np.float32)
    with torch.no_grad():
        reg, logit = model(torch.from_numpy(batch))
    out.mkdir(parents=True, exist_ok=True)
    batch.tofile(out / "inputs.f32")
    reg.numpy().astype(np.float32).tofile(out / "torch_regressors.f32")
    logit.numpy()[..., 0].astype(np.float32).tofile(out / "torch_logits.f32")
    (out / "meta.json").write_text(json.dumps({"count": len(batch), "size": 192, "anchors": 2304}))
    print(f"wrote {len(batch)} inputs to {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description="face-crop measurements")
    ap.add_argument("what", choices=["clips", "fer", "grid", "parity-inputs"])
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--n", type=int, default=600)
    a = ap.parse_args()
    out = Path(a.out)
    if a.what == "clips":
        clips(out)
    elif a.what == "parity-inputs":
        parity_inputs(Path(a.out))
    elif a.what == "fer":
        fer(out, a.n)
    else:
        grid(out)


if __name__ == "__main__":
    main()
