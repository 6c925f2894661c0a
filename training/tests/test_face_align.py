"""Face detection decoding and alignment (mer.features.face_align, mer.face_detector): the
Python twin still reproduces the golden cases the TypeScript tests check, the PyTorch BlazeFace
matches the exported graph's golden outputs, and the contract's geometry holds."""
from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from mer.features import face_align as fa
from mer.features.face_golden import GOLDEN_DIR, face_cases, synthetic_image

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT.parent / "shared" / "data" / "iemocap_dev_av" / "clips"


def _close(a, b, tol):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k], tol)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y, tol)
    elif isinstance(a, float) or isinstance(b, float):
        assert abs(a - b) <= tol, (a, b)
    else:
        assert a == b


def test_python_reproduces_golden_cases():
    stored = json.loads((GOLDEN_DIR / "face_cases.json").read_text())
    _close(json.loads(json.dumps(face_cases())), stored, 1e-5)


def test_anchor_counts_match_mediapipe():
    assert fa.ssd_anchors(**fa.FULL_RANGE).shape == (2304, 2)
    assert fa.ssd_anchors(**fa.SHORT_RANGE).shape == (896, 2)


def test_alignment_puts_eyes_at_contract_positions():
    size, eye_y, eye_dist = 48, 0.4, 0.4
    for angle in np.linspace(-3, 3, 7):
        r = np.array([100.0, 80.0])
        l = r + 30 * np.array([math.cos(angle), math.sin(angle)])
        det = fa.FaceDetection(0.9, [0, 0, 50, 50], [list(r), list(l)] + [[0, 0]] * 4)
        (mx, my), (c, s), scale = fa.alignment_transform(det, size, eye_y, eye_dist)
        for u, target in ((0.5 - eye_dist / 2) * size, r), ((0.5 + eye_dist / 2) * size, l):
            ox, oy = u - 0.5 * size, 0.0
            src = (mx + (c * ox - s * oy) / scale, my + (s * ox + c * oy) / scale)
            assert np.allclose(src, target, atol=1e-9)


def test_constant_image_crop_is_exact_grey():
    img = np.zeros((20, 30, 3), np.uint8) + np.array([200, 100, 50], np.uint8)
    det = fa.FaceDetection(0.9, [0, 0, 10, 10], [[10, 10], [18, 11]] + [[0, 0]] * 4)
    crop, _ = fa.align_face_crop(img, det, 16, 1, 0.4, 0.4)
    assert crop.shape == (1, 16, 16) and crop.dtype == np.float32
    assert np.allclose(crop, (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255, atol=1e-6)


def test_weighted_nms_merges_by_score():
    d = lambda s, b: fa.FaceDetection(s, b, [[0, 0]] * 6)  # noqa: E731
    out = fa.weighted_nms([d(0.6, [2, 0, 10, 10]), d(0.9, [0, 0, 10, 10]), d(0.8, [50, 50, 5, 5])])
    assert len(out) == 2 and out[0].score == 0.9
    assert out[0].box[0] == pytest.approx(1.2 / 1.5)


def test_view_tensor_letterbox_is_black():
    img = synthetic_image(40, 20)
    t = fa.view_tensor(img, fa.plan_views(40, 20, 8, tiles=False)[0], 8)
    assert t.shape == (8, 8, 3) and (t[0] == 0).all() and (t[4] > 0).any()


needs_tflite = pytest.mark.skipif(not (ROOT / "node_modules/@mediapipe/face_detection/face_detection_full_range.tflite").exists(),
                                  reason="@mediapipe/face_detection not installed (npm install)")


@needs_tflite
def test_pytorch_blazeface_matches_exported_golden(tmp_path):
    import onnx
    import torch
    from mer.face_detector import export_onnx, load_blazeface

    import importlib.util
    spec = importlib.util.spec_from_file_location("port", ROOT / "scripts" / "port_face_detector.py")
    port = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(port)
    model = load_blazeface("full")
    g = json.loads((GOLDEN_DIR / "detector_parity.json").read_text())
    with torch.no_grad():
        reg, logit = model(torch.from_numpy(port.parity_input(192)))
    assert np.abs(logit[0, :, 0].numpy() - np.array(g["logits"])).max() < 1e-4
    assert np.abs(reg[0].numpy()[g["regressor_anchors"]] - np.array(g["regressors"])).max() < 1e-3
    out = tmp_path / "fd.onnx"
    export_onnx(model, out)
    m = onnx.load(str(out))
    onnx.checker.check_model(m)
    assert [i.name for i in m.graph.input] == ["image"]
    assert sorted(o.name for o in m.graph.output) == ["classificators", "regressors"]


@needs_tflite
@pytest.mark.skipif(not CLIPS.exists() or shutil.which("ffmpeg") is None, reason="../shared clips or ffmpeg absent")
def test_video_face_crops_on_a_real_clip():
    clip = CLIPS / "Ses01F_impro01_M002.mp4"
    faces, mask, dets = fa.video_face_crops(clip, cache=False, return_detections=True)
    t = fa.segment_count(clip)
    params = fa.load_face_params()["crop"]
    assert faces.shape == (t, params["channels"], params["size"], params["size"]) and mask.shape == (t,)
    assert mask.sum() >= t - 1                         # the seated speaker's face is found
    assert np.all(faces[mask == 0] == 0)
    assert 0.1 < faces[mask == 1].mean() < 0.9
    real = json.loads((GOLDEN_DIR / "real_frames.json").read_text())["cases"][0]
    assert real["clip"] == clip.stem and real["segment"] == 0
    assert np.allclose(dets[0].box, real["detections"][0]["box"], atol=1e-3)


def test_track_view_matches_the_browser():
    # The same cases as src/features/face/track.test.ts.
    v = fa.track_view([300, 200, 80, 100], 1280, 720)
    assert v.side == round(0.6 * 720) and v.x + v.side / 2 == 340 and v.y + v.side / 2 == 250 and not v.tile
    assert fa.track_view([300, 200, 200, 180], 1280, 720).side == 600
    assert fa.track_view([-10, 400, 100, 100], 640, 480) == fa.View(0, 180, 300, False)
    assert fa.track_view([100, 100, 20, 20], 300, 200).side == fa.TRACK_MIN_SIDE
    assert fa.track_view([50, 50, 300, 300], 640, 480) == fa.View(0, -80, 640, False)


def test_search_face_tracks_and_falls_back_to_all_views():
    def face(box, score=0.9):
        return fa.FaceDetection(score, list(box), [[box[0] + box[2] / 2, box[1] + box[3] / 2]] * 6)

    def fake(tracked, full):
        calls = []

        def detect(views):
            calls.append(views)
            return tracked if views is not None else full
        return detect, calls

    f = face([210, 150, 80, 80])
    detect, calls = fake([f], [])
    assert fa.search_face(detect, [200, 140, 80, 80], 640, 480, 0.6) == (f, "track")
    assert calls == [[fa.track_view([200, 140, 80, 80], 640, 480)]]
    large = face([400, 200, 120, 120])
    detect, calls = fake([], [face([20, 20, 40, 40]), large])
    assert fa.search_face(detect, [200, 140, 80, 80], 640, 480, 0.6) == (large, "full") and calls[1] is None
    detect, calls = fake([], [f])
    assert fa.search_face(detect, None, 640, 480, 0.6) == (f, "full") and calls == [None]
    v = fa.track_view([200, 140, 80, 80], 640, 480)
    cut, whole = face([v.x + v.side - 50, 200, 80, 80]), face([v.x + v.side - 50, 200, 90, 90])
    assert fa.search_face(fake([cut], [whole])[0], [200, 140, 80, 80], 640, 480, 0.6) == (whole, "full")
    assert fa.search_face(fake([face([210, 150, 80, 80], 0.55)], [])[0], [200, 140, 80, 80], 640, 480, 0.6) == (None, "full")
