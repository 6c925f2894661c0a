"""Face detection decoding and eye alignment: the Python twin of ``src/features/face/``
(docs/CONTRACTS.md, "Face crops").

Pipeline for one RGB frame (``uint8 [H, W, 3]``), identical in TypeScript:

1. ``plan_views``: square views of the frame the detector looks at: the whole frame
   letterboxed (centred, black borders), plus overlapping tiles (side 0.6 * min(W, H),
   at least 1/3 overlap) so that faces small in a wide shot are seen at 2-3x the scale.
2. ``view_tensor``: each view resized to the detector's 192 x 192 input by averaging
   k x k bilinear samples per output pixel (k = ceil(view side / 192): an area-like
   filter that does not alias when shrinking), RGB 0..255 float32, NHWC.
3. The network (``mer.face_detector.BlazeFace`` here, ``face_detector.onnx`` in the
   browser) gives raw regressors ``[N, 16]`` and logits ``[N]`` per view.
4. ``decode_detections``: MediaPipe's SSD anchor decoding (full range: 48 x 48 anchors,
   fixed size, offsets scaled by 192), sigmoid scores with raw logits clipped to +-100.
5. ``weighted_nms`` (MediaPipe's WEIGHTED algorithm, IoU > 0.3) per view; tile detections
   touching an inner tile edge are dropped (a face cut by the tile); then all views' detections,
   in source pixels, are merged by a second weighted NMS.
6. ``pick_prominent_face``: the largest box among detections with score >= min_score.
7. ``align_face_crop``: rotate about the eye midpoint so the eyes are level, scale so the
   inter-ocular distance (floored at ``iod_min_box`` x box width, for turned heads) is
   ``eye_dist * size``, eye midpoint at ``(0.5, eye_y) * size``;
   bilinear sampling with edge clamp (k x k supersampling when shrinking), grey BT.601 / 255.

Coordinates are continuous pixel coordinates: pixel (i, j) covers [j, j+1) x [i, i+1), its
centre is (j + 0.5, i + 0.5); a box is ``[x, y, w, h]``. Keypoints, in MediaPipe's order:
0 right eye, 1 left eye (the subject's: the right eye is on the image's left in an unmirrored
frontal face), 2 nose tip, 3 mouth centre, 4 right ear tragion, 5 left ear tragion.

Arithmetic is float64 (as JavaScript numbers); outputs float32.

``video_face_crops`` turns a video file into the per-segment ``[T, C, S, S]`` crops and
``[T]`` mask training uses (frames at segment centres via Debian's ffmpeg), cached in
``training/.cache/faces``. Like the browser (``src/features/face/track.ts``, issue 16) it tracks,
then re-detects: a segment whose previous segment (same 32-segment window) had a face runs the
detector on one view around that face (``search_face``) and searches all views only on a miss.
"""
from __future__ import annotations

import hashlib
import json
import math
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

FEATURES_JSON = Path(__file__).resolve().parents[2] / "configs" / "features.json"
CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "faces"

# MediaPipe's face_detection_full_range graph options (SsdAnchorsCalculator,
# TensorsToDetectionsCalculator, NonMaxSuppressionCalculator).
FULL_RANGE = dict(input_size=192, strides=(4,), interpolated_scale_aspect_ratio=0.0)
SHORT_RANGE = dict(input_size=128, strides=(8, 16, 16, 16), interpolated_scale_aspect_ratio=1.0)
NUM_KEYPOINTS = 6
KEYPOINT_NAMES = ("right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion", "left_ear_tragion")
SCORE_CLIP = 100.0
NMS_IOU = 0.3
DECODE_MIN_SCORE = 0.5
# View planning.
TILE_FRACTION = 0.6
TILE_MIN_OVERLAP = 1.0 / 3.0
TILE_EDGE_MARGIN = 0.02
# Track, then re-detect (src/features/face/track.ts): tracking view side in face sizes (for faces
# too large for a tile), its minimum side, the edge margin that makes a miss, and the window
# (WINDOW_SEGMENTS of src/decode/windows.ts) whose first segment always searches fully.
TRACK_VIEW_FACES = 3
TRACK_MIN_SIDE = 192
TRACK_EDGE_MARGIN = 0.05
TRACK_WINDOW = 32


def load_face_params(path: str | Path = FEATURES_JSON) -> dict:
    """The ``face`` section of training/configs/features.json (the source of truth)."""
    return dict(json.loads(Path(path).read_text())["face"])


@dataclass
class FaceDetection:
    score: float
    box: list[float]                       # [x, y, w, h]
    keypoints: list[list[float]] = field(default_factory=list)  # 6 x [x, y]

    def to_json(self) -> dict:
        return {"score": self.score, "box": list(self.box), "keypoints": [list(k) for k in self.keypoints]}


# ---------------------------------------------------------------- anchors and decoding

def ssd_anchors(input_size: int = 192, strides: Sequence[int] = (4,),
                interpolated_scale_aspect_ratio: float = 0.0, anchor_offset: float = 0.5) -> np.ndarray:
    """Anchor centres ``[N, 2]`` (x, y) in [0, 1], MediaPipe's SsdAnchorsCalculator with
    ``fixed_anchor_size`` (every anchor is 1 x 1) and aspect ratio 1: consecutive layers with
    the same stride share one grid, each adding 1 anchor per cell (2 with an interpolated scale)."""
    per_layer = 1 + (1 if interpolated_scale_aspect_ratio > 0 else 0)
    out = []
    i = 0
    while i < len(strides):
        j, n = i, 0
        while j < len(strides) and strides[j] == strides[i]:
            n += per_layer
            j += 1
        g = math.ceil(input_size / strides[i])
        ys, xs = np.meshgrid((np.arange(g) + anchor_offset) / g, (np.arange(g) + anchor_offset) / g, indexing="ij")
        cell = np.stack([xs.ravel(), ys.ravel()], axis=1)
        out.append(np.repeat(cell, n, axis=0))
        i = j
    return np.concatenate(out, axis=0)


def decode_detections(regressors: np.ndarray, logits: np.ndarray, anchors: np.ndarray,
                      input_size: int = 192, min_score: float = DECODE_MIN_SCORE) -> list[FaceDetection]:
    """Raw outputs of one view (``[N, 16]``, ``[N]`` or ``[N, 1]``) -> detections with score >=
    ``min_score`` in normalised view coordinates [0, 1], in anchor order."""
    reg = np.asarray(regressors, np.float64).reshape(-1, 16)
    raw = np.clip(np.asarray(logits, np.float64).reshape(-1), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-raw))
    dets = []
    for i in np.nonzero(scores >= min_score)[0]:
        ax, ay = anchors[i]
        r = reg[i] / input_size
        cx, cy, w, h = r[0] + ax, r[1] + ay, r[2], r[3]
        kps = [[r[4 + 2 * k] + ax, r[5 + 2 * k] + ay] for k in range(NUM_KEYPOINTS)]
        dets.append(FaceDetection(float(scores[i]), [cx - w / 2, cy - h / 2, w, h], kps))
    return dets


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    iy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def weighted_nms(dets: list[FaceDetection], iou_threshold: float = NMS_IOU) -> list[FaceDetection]:
    """MediaPipe's WEIGHTED non-maximum suppression: take the best remaining detection, average
    the box corners and keypoints of every remaining detection overlapping it (IoU > threshold,
    itself included) weighted by score, keep the best score; repeat."""
    remaining = sorted(dets, key=lambda d: -d.score)  # stable: ties keep input order
    out = []
    while remaining:
        top = remaining[0]
        cand = [d for d in remaining if iou(d.box, top.box) > iou_threshold]
        rest = [d for d in remaining if iou(d.box, top.box) <= iou_threshold]
        if not cand:  # a NaN box cannot overlap itself
            break
        total = sum(d.score for d in cand)
        x0 = sum(d.box[0] * d.score for d in cand) / total
        y0 = sum(d.box[1] * d.score for d in cand) / total
        x1 = sum((d.box[0] + d.box[2]) * d.score for d in cand) / total
        y1 = sum((d.box[1] + d.box[3]) * d.score for d in cand) / total
        kps = [[sum(d.keypoints[k][c] * d.score for d in cand) / total for c in (0, 1)]
               for k in range(len(top.keypoints))]
        out.append(FaceDetection(top.score, [x0, y0, x1 - x0, y1 - y0], kps))
        remaining = rest
    return out


# ---------------------------------------------------------------- views and preprocessing

@dataclass(frozen=True)
class View:
    x: float      # top-left of the square in source pixels (may be negative: letterbox)
    y: float
    side: float
    tile: bool    # a tile (drop detections cut by its inner edges) or the whole frame


def _round_half_up(x: float) -> int:
    """JavaScript's Math.round: Python's round() goes to even on .5 (234.5 -> 234, the browser 235),
    which shifted one tile row of portrait 640x853 frames by a pixel."""
    return math.floor(x + 0.5)


def plan_views(width: int, height: int, input_size: int = 192, tiles: bool = True) -> list[View]:
    """The whole frame letterboxed, then (for frames at least ``input_size`` on the short side)
    a grid of overlapping square tiles of side ``round(0.6 * min(W, H))``, row by row."""
    side = max(width, height)
    views = [View((width - side) / 2, (height - side) / 2, side, False)]
    if not tiles or min(width, height) < input_size:
        return views
    t = _round_half_up(TILE_FRACTION * min(width, height))

    def starts(length: int) -> list[int]:
        if length <= t:
            return [0]
        n = math.ceil((length - t) / (t * (1 - TILE_MIN_OVERLAP)) - 1e-9) + 1
        return [_round_half_up(i * (length - t) / (n - 1)) for i in range(n)]

    views += [View(x, y, t, True) for y in starts(height) for x in starts(width)]
    return views


def _axis_samples(start: float, side: float, out: int, length: int):
    """Per-axis supersampled bilinear taps: index pairs, weights and in-image flags, for
    ``out * k`` sample positions ``start + (u + (i + 0.5) / k) * side / out``."""
    s = side / out
    k = max(1, math.ceil(s - 1e-9))
    pos = start + (np.arange(out)[:, None] + (np.arange(k)[None, :] + 0.5) / k) * s
    pos = pos.ravel()
    inside = (pos >= 0) & (pos < length)
    f = pos - 0.5
    i0 = np.floor(f)
    w = f - i0
    i0 = i0.astype(np.int64)
    return np.clip(i0, 0, length - 1), np.clip(i0 + 1, 0, length - 1), w, inside, k


def view_tensor(image: np.ndarray, view: View, input_size: int = 192) -> np.ndarray:
    """``[S, S, 3]`` float32 RGB 0..255: the view resized (k x k bilinear supersampling per
    pixel), black outside the frame."""
    img = np.asarray(image, np.float64)[..., :3]
    h, w = img.shape[:2]
    y0, y1, wy, iny, ky = _axis_samples(view.y, view.side, input_size, h)
    x0, x1, wx, inx, kx = _axis_samples(view.x, view.side, input_size, w)
    rows = img[y0] * (1 - wy)[:, None, None] + img[y1] * wy[:, None, None]
    vals = rows[:, x0] * (1 - wx)[None, :, None] + rows[:, x1] * wx[None, :, None]
    vals *= (iny[:, None] & inx[None, :])[..., None]
    return vals.reshape(input_size, ky, input_size, kx, 3).mean(axis=(1, 3)).astype(np.float32)


def _touches_inner_edge(box: Sequence[float], view: View, width: int, height: int) -> bool:
    return near_inner_edge(box, view, width, height, TILE_EDGE_MARGIN)


def detections_from_views(outputs: Sequence[tuple[np.ndarray, np.ndarray]], views: Sequence[View],
                          width: int, height: int, input_size: int = 192, anchors: np.ndarray | None = None,
                          min_score: float = DECODE_MIN_SCORE) -> list[FaceDetection]:
    """Raw network outputs per view -> merged detections in source pixels (steps 4-5)."""
    if anchors is None:
        anchors = ssd_anchors(**FULL_RANGE) if input_size == 192 else ssd_anchors(**SHORT_RANGE)
    merged = []
    for (reg, logit), v in zip(outputs, views):
        for d in weighted_nms(decode_detections(reg, logit, anchors, input_size, min_score)):
            box = [v.x + d.box[0] * v.side, v.y + d.box[1] * v.side, d.box[2] * v.side, d.box[3] * v.side]
            if v.tile and _touches_inner_edge(box, v, width, height):
                continue
            kps = [[v.x + k[0] * v.side, v.y + k[1] * v.side] for k in d.keypoints]
            merged.append(FaceDetection(d.score, box, kps))
    return weighted_nms(merged)


def detect_faces(model, image: np.ndarray, min_score: float = DECODE_MIN_SCORE, tiles: bool = True,
                 views: Sequence[View] | None = None) -> list[FaceDetection]:
    """All faces in an RGB frame (``[H, W, 3]`` uint8), in source pixels, best first.
    ``model`` is ``mer.face_detector.BlazeFace`` (or any callable on a ``[B, S, S, 3]`` torch
    tensor returning (regressors, logits)). ``views``: look only at these (the tracking view)."""
    import torch

    h, w = image.shape[:2]
    s = int(getattr(model, "input_size", 192))
    views = list(views) if views is not None else plan_views(w, h, s, tiles)
    batch = np.stack([view_tensor(image, v, s) for v in views])
    with torch.no_grad():
        reg, logit = model(torch.from_numpy(batch))
    outs = [(reg[i].numpy(), logit[i].numpy()) for i in range(len(views))]
    anchors = ssd_anchors(**(FULL_RANGE if s == 192 else SHORT_RANGE))
    return detections_from_views(outs, views, w, h, s, anchors, min_score)


def pick_prominent_face(dets: Sequence[FaceDetection], min_score: float) -> FaceDetection | None:
    """The largest box (area) among detections with score >= ``min_score``; ties: higher score."""
    best = None
    for d in dets:
        if d.score < min_score:
            continue
        if best is None or (d.box[2] * d.box[3], d.score) > (best.box[2] * best.box[3], best.score):
            best = d
    return best


# ---------------------------------------------------------------- alignment

def alignment_transform(det: FaceDetection, size: int, eye_y: float, eye_dist: float,
                        iod_min_box: float = 0.0):
    """(centre m, unit eye direction (cos, sin), scale in crop pixels per source pixel): a crop
    point o maps to ``m + R (o - c) / scale`` with ``c = (0.5, eye_y) * size``. The
    inter-ocular distance used for the scale is floored at ``iod_min_box * box width``: a turned
    head foreshortens the eyes, and without the floor its crop would be zoomed in."""
    (rx, ry), (lx, ly) = det.keypoints[0], det.keypoints[1]
    dx, dy = lx - rx, ly - ry
    d = math.hypot(dx, dy)
    cos, sin = (dx / d, dy / d) if d >= 1e-6 else (1.0, 0.0)
    d = max(d, iod_min_box * det.box[2])
    if d < 1e-6:  # degenerate eyes and no floor: typical spacing for the box
        d = max(0.4 * det.box[2], 1e-3)
    return ((rx + lx) / 2, (ry + ly) / 2), (cos, sin), eye_dist * size / d


def align_face_crop(image: np.ndarray, det: FaceDetection, size: int = 48, channels: int = 1,
                    eye_y: float = 0.4, eye_dist: float = 0.4, iod_min_box: float | None = None) -> tuple[np.ndarray, list[float]]:
    """``([C, S, S] float32 in [0, 1], box)``: the eye-aligned crop (grey BT.601 for C = 1,
    RGB for C = 3) and the axis-aligned bounding box ``[x, y, w, h]`` of the crop square in
    source pixels. ``iod_min_box`` None = features.json's value, so callers unaware of it
    still match the browser (prefer ``align_face_crop(img, det, **crop_kwargs(params))``)."""
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    img = np.asarray(image, np.float64)[..., :3]
    h, w = img.shape[:2]
    if iod_min_box is None:
        iod_min_box = float(load_face_params()["crop"].get("iod_min_box", 0.0))
    (mx, my), (c, s), scale = alignment_transform(det, size, eye_y, eye_dist, iod_min_box)
    k = max(1, math.ceil(1 / scale - 1e-9))
    o = (np.arange(size)[:, None] + (np.arange(k)[None, :] + 0.5) / k).ravel()  # [S*k]
    ox = o[None, :] - 0.5 * size
    oy = o[:, None] - eye_y * size
    sx = mx + (c * ox - s * oy) / scale
    sy = my + (s * ox + c * oy) / scale
    fx, fy = sx - 0.5, sy - 0.5
    x0, y0 = np.floor(fx), np.floor(fy)
    wx, wy = (fx - x0)[..., None], (fy - y0)[..., None]
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    xa, xb = np.clip(x0, 0, w - 1), np.clip(x0 + 1, 0, w - 1)
    ya, yb = np.clip(y0, 0, h - 1), np.clip(y0 + 1, 0, h - 1)
    vals = ((img[ya, xa] * (1 - wx) + img[ya, xb] * wx) * (1 - wy)
            + (img[yb, xa] * (1 - wx) + img[yb, xb] * wx) * wy)            # [S*k, S*k, 3]
    vals = vals.reshape(size, k, size, k, 3).mean(axis=(1, 3)) / 255.0
    if channels == 1:
        crop = (0.299 * vals[..., 0] + 0.587 * vals[..., 1] + 0.114 * vals[..., 2])[None]
    else:
        crop = vals.transpose(2, 0, 1)
    corners = [(0, 0), (size, 0), (0, size), (size, size)]
    cx = [mx + (c * (u - 0.5 * size) - s * (v - eye_y * size)) / scale for u, v in corners]
    cy = [my + (s * (u - 0.5 * size) + c * (v - eye_y * size)) / scale for u, v in corners]
    box = [min(cx), min(cy), max(cx) - min(cx), max(cy) - min(cy)]
    return crop.astype(np.float32), box


def crop_kwargs(params: dict) -> dict:
    """``align_face_crop`` keyword arguments from features.json's ``face`` (or its ``crop``) block."""
    c = params.get("crop", params)
    return dict(size=int(c["size"]), channels=int(c["channels"]), eye_y=float(c["eye_y"]),
                eye_dist=float(c["eye_dist"]), iod_min_box=float(c.get("iod_min_box", 0.0)))


# ---------------------------------------------------------------- videos (offline)

def segment_count(path: str | Path, segment_seconds: float = 0.96, sample_rate: int = 16000) -> int:
    """T as docs/CONTRACTS.md: ``max(1, ceil(N / 15360))`` from the audio duration, or
    ``ceil(duration / 0.96)`` without an audio track."""
    def probe(stream: str) -> float | None:
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries",
                            "stream=duration", "-of", "csv=p=0", str(path)], capture_output=True, text=True)
        vals = [v for v in r.stdout.split() if v not in ("", "N/A")]
        return float(vals[0]) if vals else None
    audio = probe("a:0")
    if audio is not None:
        n = round(audio * sample_rate)
        return max(1, math.ceil(n / round(segment_seconds * sample_rate)))
    video = probe("v:0") or 0.0
    return max(1, math.ceil(video / segment_seconds - 1e-9))


def frame_times(path: str | Path) -> np.ndarray:
    """Presentation times (s) of every video frame, in display order, on the browser's clock: a
    ``<video>``'s currentTime 0 is the first frame, while ffmpeg's timestamps keep the stream's
    start offset (0.066 s in the IEMOCAP clips, two frames: measured against Chromium)."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=best_effort_timestamp_time", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True, check=True)
    pts = np.sort(np.array([float(v.strip(",")) for v in r.stdout.split() if v.strip(",") not in ("", "N/A")]))
    return pts - pts[0] if pts.size else pts


def display_size(width: int, height: int, sample_aspect_ratio: str) -> tuple[int, int]:
    """The size a browser shows a video at: Chromium stretches non-square pixels by scaling the
    height up when SAR < 1 and the width up when SAR > 1 (the dev clips: 640x480 at SAR 9:16 are
    shown as 640x853). Face crops must come from these frames, as the browser draws them."""
    try:
        num, den = (int(v) for v in sample_aspect_ratio.split(":"))
    except ValueError:
        return width, height
    if num <= 0 or den <= 0 or num == den:
        return width, height
    if num < den:
        return width, int(round(height * den / num))
    return int(round(width * num / den)), height


def frames_at(path: str | Path, times: Sequence[float]) -> tuple[list[np.ndarray], list[int]]:
    """RGB frames shown at ``times`` (the last frame starting at or before t, clamped to the
    first/last frame: what a seeking ``<video>`` shows), decoded with Debian's ffmpeg."""
    pts = frame_times(path)
    if pts.size == 0:
        raise ValueError(f"{path}: no video frames")
    idx = [int(np.clip(np.searchsorted(pts, t + 1e-6, side="right") - 1, 0, pts.size - 1)) for t in times]
    wanted = sorted(set(idx))
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream=width,height,sample_aspect_ratio", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True, check=True)
    fields = r.stdout.strip().split(",")
    w, h = display_size(int(fields[0]), int(fields[1]), fields[2] if len(fields) > 2 else "1:1")
    expr = "+".join(f"eq(n\\,{i})" for i in wanted)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select={expr},scale={w}:{h}:flags=bilinear+accurate_rnd+full_chroma_int,setsar=1",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    n = len(raw) // (w * h * 3)
    frames = np.frombuffer(raw[: n * w * h * 3], np.uint8).reshape(n, h, w, 3)
    by_index = {i: frames[min(j, n - 1)] for j, i in enumerate(wanted)}
    return [by_index[i] for i in idx], idx


_MODEL = None


def track_view(previous: Sequence[float], width: int, height: int) -> View:
    """The square view around the previous face's box (track.ts ``trackView``): side the larger
    of a tile's, TRACK_VIEW_FACES face sizes and TRACK_MIN_SIDE, at most the frame's larger side;
    centred on the box, shifted inside the frame where it fits, letterboxed where it does not."""
    bx, by, bw, bh = previous
    tile = _round_half_up(TILE_FRACTION * min(width, height))
    side = _round_half_up(min(max(width, height), max(tile, TRACK_MIN_SIDE, TRACK_VIEW_FACES * max(bw, bh))))

    def place(centre: float, length: int) -> float:
        if side >= length:
            return (length - side) / 2
        return min(length - side, max(0, _round_half_up(centre - side / 2)))

    return View(place(bx + bw / 2, width), place(by + bh / 2, height), side, False)


def near_inner_edge(box: Sequence[float], view: View, width: int, height: int, margin: float | None = None) -> bool:
    """The box lies within ``margin`` (default TRACK_EDGE_MARGIN; tiles use TILE_EDGE_MARGIN) of the
    view's side from a view edge inside the frame (track.ts ``nearInnerEdge``)."""
    m = (TRACK_EDGE_MARGIN if margin is None else margin) * view.side
    x, y, bw, bh = box
    return ((view.x > 0 and x < view.x + m) or (view.y > 0 and y < view.y + m)
            or (view.x + view.side < width and x + bw > view.x + view.side - m)
            or (view.y + view.side < height and y + bh > view.y + view.side - m))


def search_face(detect, previous: Sequence[float] | None, width: int, height: int,
                min_score: float) -> tuple[FaceDetection | None, str]:
    """track.ts ``searchFace``: with a previous box, the face in its tracking view unless that
    is a miss (nothing at ``min_score``, or the face near an inner view edge); else (and without
    one) the prominent face of all views. ``detect(views)`` runs the detector (None = all views).
    Returns the face and ``"track"`` or ``"full"``."""
    if previous is not None:
        view = track_view(previous, width, height)
        face = pick_prominent_face(detect([view]), min_score)
        if face is not None and not near_inner_edge(face.box, view, width, height):
            return face, "track"
    return pick_prominent_face(detect(None), min_score), "full"


def _default_model():
    global _MODEL
    if _MODEL is None:
        from mer.face_detector import load_blazeface
        _MODEL = load_blazeface("full")
    return _MODEL


def video_face_crops(path: str | Path, num_segments: int | None = None, params: dict | None = None,
                     model=None, cache: bool = True, return_detections: bool = False, track: bool = True):
    """Per-segment face crops of a video: ``(faces [T, C, S, S] float32, mask [T] float32)``
    (and the chosen detections when ``return_detections``). Frames at segment centres
    ``0.96 t + 0.48`` s; no face -> zeros and mask 0. ``track``: track, then re-detect, as the
    browser (``search_face``); False searches all views on every segment (the browser's
    ``?faces=full``). Cached under training/.cache/faces by file content and parameters."""
    params = params or load_face_params()
    crop_p = params["crop"]
    size, channels = int(crop_p["size"]), int(crop_p["channels"])
    path = Path(path)
    t_count = num_segments or segment_count(path)
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:16] + hashlib.sha256(
        json.dumps([params, t_count, 3 if track else 2], sort_keys=True).encode()).hexdigest()[:8]
    cache_file = CACHE_DIR / f"{path.stem}-{key}.npz"
    if cache and cache_file.exists() and not return_detections:
        z = np.load(cache_file)
        return z["faces"], z["mask"]
    model = model or _default_model()
    frames, _ = frames_at(path, [0.96 * t + 0.48 for t in range(t_count)])
    faces = np.zeros((t_count, channels, size, size), np.float32)
    mask = np.zeros(t_count, np.float32)
    chosen: list[FaceDetection | None] = []
    previous = None
    for t, frame in enumerate(frames):
        h, w = frame.shape[:2]
        tracked = previous if track and t % TRACK_WINDOW else None
        det, _ = search_face(lambda views: detect_faces(model, frame, views=views), tracked, w, h, float(params["min_score"]))
        previous = det.box if det is not None else None
        chosen.append(det)
        if det is not None:
            faces[t], _ = align_face_crop(frame, det, **crop_kwargs(params))
            mask[t] = 1.0
    if cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache_file, faces=faces, mask=mask)
    return (faces, mask, chosen) if return_detections else (faces, mask)
