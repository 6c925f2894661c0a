"""FER2013 pretraining of the visual backbone: data reading, augmentation, a short training run,
resume and export, on tiny generated faces."""
import argparse
import json

import numpy as np
import pytest
import torch
from PIL import Image

from mer.pretrain import fer


def _write_faces(root, per_class=3, seed=0):
    rng = np.random.default_rng(seed)
    for folder in ("angry", "happy", "neutral", "contempt"):
        (root / folder).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 256, (48, 48), dtype=np.uint8)).save(root / folder / f"{i}.png")


def test_labels_follow_features_json_and_map_dataset_folders():
    assert fer.LABELS == ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
    for folder in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral", "anger", "sadness"):
        assert fer.FOLDER_TO_LABEL[folder] in fer.LABELS
    assert "contempt" not in fer.FOLDER_TO_LABEL


def test_read_face_folder_skips_unknown_classes_and_caches(tmp_path):
    _write_faces(tmp_path / "faces")
    x, y = fer.read_face_folder(tmp_path / "faces")
    assert x.shape == (9, 48, 48) and x.dtype == np.uint8
    assert sorted(set(y.tolist())) == [fer.LABELS.index(n) for n in ("anger", "happiness", "neutral")]
    cached = fer.load_cached("faces", tmp_path / "faces", cache_dir=tmp_path / "cache")
    assert (tmp_path / "cache" / "faces_x.npy").exists()
    again = fer.load_cached("faces", tmp_path / "missing", cache_dir=tmp_path / "cache")
    assert np.array_equal(cached[0], again[0]) and np.array_equal(cached[1], again[1])


def test_read_face_folder_fails_clearly_when_empty(tmp_path):
    with pytest.raises(FileNotFoundError, match="emotion"):
        fer.read_face_folder(tmp_path)


def test_augment_keeps_shape_and_range_and_crops():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(16, 1, 48, 48)
    out = fer.augment(x, gen)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.allclose(out, x)
    assert fer.augment(x, gen, crop=40).shape == (16, 1, 40, 40)


def test_identity_affine_grid_reproduces_the_image():
    """The hand-written sampling grid equals F.affine_grid's (align_corners=False)."""
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(4, 1, 48, 48)
    out = fer.augment(x, gen, max_rotate=0, scale=(1, 1), max_shift=0, jitter=0, erase_p=0)
    flipped = out.flip(3)
    assert all(torch.allclose(o, x_, atol=1e-5) or torch.allclose(f, x_, atol=1e-5)
               for o, f, x_ in zip(out, flipped, x))


def test_classification_metrics_by_hand():
    probs = np.eye(7)[[0, 0, 3, 3]]
    m = fer.classification_metrics(probs, np.array([0, 3, 3, 3]))
    assert m["n"] == 4 and m["accuracy"] == 0.75
    # F1: anger 2/3, happiness 0.8 -> macro 0.7333 over the two classes present.
    assert m["macro_f1"] == pytest.approx(0.7333, abs=1e-4)
    assert m["recall"] == {"anger": 1.0, "happiness": pytest.approx(0.6667, abs=1e-4)}


def _args(tmp_path, **kw):
    base = dict(run="test", arch="face_resnet", epochs=2, batch_size=8, lr=0.05, warmup_epochs=1, weight_decay=5e-4,
                label_smoothing=0.1, dropout=0.0, widths=[4, 4, 8, 8, 16], blocks=[1, 1, 1, 1],
                first_layer_stride=2, train_crop=40, threads=1, seed=0, limit=0, log_every=1, restart=False,
                no_export=False, out=str(tmp_path / "visual_fer.pt"))
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture
def tiny_fer(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    data = {split: (rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), rng.integers(0, 7, n))
            for split, n in (("train", 16), ("validation", 8), ("test", 8))}
    monkeypatch.setattr(fer, "load_fer2013", lambda split: data[split])
    monkeypatch.setattr(fer, "load_ckplus", lambda: (data["test"][0], data["test"][1] % 6))
    monkeypatch.setattr(fer, "CACHE_DIR", tmp_path / "cache")
    return data


def test_two_step_training_resume_and_export(tmp_path, tiny_fer):
    logs = []
    result = fer.train(_args(tmp_path, epochs=1), logs.append)
    assert result["state"]["epoch"] == 1 and len(result["state"]["history"]) == 1
    assert (tmp_path / "cache" / "fer_test" / "last.pt").exists()
    # Asking for one more epoch resumes after the first instead of starting over.
    logs.clear()
    result = fer.train(_args(tmp_path, epochs=2), logs.append)
    assert any("resumed" in line for line in logs)
    assert [h["epoch"] for h in result["state"]["history"]] == [1, 2]

    info = fer.export(result, _args(tmp_path, epochs=2), logs.append)
    state = torch.load(tmp_path / "visual_fer.pt")
    assert all(v.dtype == torch.float16 for k, v in state.items() if v.is_floating_point())
    meta = json.loads((tmp_path / "visual_fer.json").read_text())
    assert meta["labels"] == list(fer.LABELS)
    assert meta["metrics"]["fer2013_test"]["n"] == 8
    assert info["architecture"]["widths"] == [4, 4, 8, 8, 16]
    model = fer.load_checkpoint(tmp_path / "visual_fer.pt")
    assert model(torch.rand(2, 1, 48, 48)).shape == (2, 7)

    # A new run can start from the exported weights (fine-tuning).
    logs.clear()
    tuned = fer.train(_args(tmp_path, run="tune", epochs=1, lr=0.0, init_from=str(tmp_path / "visual_fer.pt")),
                      logs.append)
    assert any("initialised from" in line for line in logs)
    state = tuned["model"].state_dict()
    assert torch.allclose(state["classifier.weight"], model.state_dict()["classifier.weight"], atol=1e-6)


def test_training_loss_decreases_on_learnable_data(tmp_path, monkeypatch):
    """Two classes told apart by brightness: a few steps must lower the loss."""
    torch.manual_seed(0)
    x = np.concatenate([np.full((32, 48, 48), 40, np.uint8), np.full((32, 48, 48), 210, np.uint8)])
    y = np.array([0] * 32 + [3] * 32)
    monkeypatch.setattr(fer, "load_fer2013", lambda split: (x, y))
    monkeypatch.setattr(fer, "CACHE_DIR", tmp_path / "cache")
    result = fer.train(_args(tmp_path, epochs=3, batch_size=16, lr=0.05, train_crop=0), lambda _: None)
    history = result["state"]["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_pack_round_trip_is_near_lossless(tmp_path):
    """A device run reads FER2013 from a JPEG mosaic; faces come back in order, close to the input."""
    rng = np.random.default_rng(1)
    # Smooth faces (like real ones) rather than white noise, which JPEG cannot keep.
    base = rng.integers(0, 256, (130, 6, 6)).astype(np.float32)
    x = torch.nn.functional.interpolate(torch.from_numpy(base).unsqueeze(1), size=(48, 48), mode="bilinear",
                                        align_corners=False).squeeze(1).round().clamp(0, 255).numpy().astype(np.uint8)
    y = rng.integers(0, 7, 130)
    fer.pack_faces(x, y, tmp_path, "faces")      # 130 faces: a second, partly filled mosaic row
    back, labels = fer.unpack_faces(tmp_path, "faces")
    assert back.shape == x.shape and back.dtype == np.uint8
    assert (labels == y).all()
    assert np.abs(back.astype(int) - x.astype(int)).mean() < 1.0


def test_fer2013_loads_from_the_pack_without_shared(tmp_path, monkeypatch):
    x = np.full((3, 48, 48), 128, np.uint8)
    fer.pack_faces(x, np.array([0, 1, 2]), tmp_path / "pack", "fer2013_validation")
    monkeypatch.setattr(fer, "PACK_DIR", tmp_path / "pack")
    monkeypatch.setattr(fer, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(fer, "FER2013_DIR", tmp_path / "no_shared")
    got, labels = fer.load_fer2013("validation")
    assert got.shape == (3, 48, 48) and labels.tolist() == [0, 1, 2]


def test_real_crop_look_keeps_shape_and_range():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(32, 1, 48, 48)
    out = fer.real_crop_look(x, gen, p=1.0)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.allclose(out, x)
    # Blur and upscaling remove fine detail: less pixel-to-pixel change than the white-noise input.
    assert (out[..., 1:] - out[..., :-1]).abs().mean() < (x[..., 1:] - x[..., :-1]).abs().mean()
    assert torch.equal(fer.real_crop_look(x, gen, p=0.0), x)


def test_distillation_from_a_teacher_and_real_crop_look(tmp_path, tiny_fer):
    """One epoch with a teacher (a finished run's checkpoint) and the real-video look switched on."""
    teacher = fer.train(_args(tmp_path, run="teacher", epochs=1, no_export=True), lambda _: None)
    fer.export(teacher, _args(tmp_path, run="teacher", epochs=1, out=str(tmp_path / "teacher.pt")), lambda _: None)
    logs = []
    student = fer.train(_args(tmp_path, run="student", epochs=1, teacher=str(tmp_path / "teacher.pt"), kd_weight=0.7,
                              kd_temperature=2.0, real_crop_aug=0.5, device="cpu", amp="off"), logs.append)
    assert any("distilling from" in line for line in logs)
    assert np.isfinite(student["state"]["history"][0]["train_loss"])


def test_distillation_loss_is_zero_when_student_matches_teacher():
    logits = torch.randn(4, 7)
    assert float(fer.distillation_loss(logits, logits, 4.0)) == pytest.approx(0.0, abs=1e-6)
    assert float(fer.distillation_loss(logits, -logits, 4.0)) > 0


def test_real_clip_metrics_score_the_app_crops_per_clip(tmp_path, monkeypatch):
    """Per clip the mean softmax over segments with a face; a clip without a face is left out."""
    from mer.default_model import features as dm_features

    rows = [{"id": "a", "label": 3}, {"id": "b", "label": 6}, {"id": "c", "label": 3}]
    monkeypatch.setattr(dm_features, "dev_av_rows", lambda: rows)
    (tmp_path / "features").mkdir()
    lines = []
    for i, r in enumerate(rows):
        faces = np.full((4, 1, 48, 48), 0.1 + 0.2 * i, np.float32)
        mask = np.array([1, 1, 0, 1] if r["id"] != "c" else [0, 0, 0, 0], np.float32)
        np.savez(tmp_path / "features" / f"{r['id']}.npz", faces=faces, visual_mask=mask)
        lines.append(json.dumps({"id": r["id"], "split": "dev", "labels": ["x"], "features": f"features/{r['id']}.npz"}))
    (tmp_path / "manifest.jsonl").write_text("\n".join(lines) + "\n")

    class AlwaysHappy(torch.nn.Module):
        def forward(self, x):
            return torch.eye(7)[[3] * len(x)] * 5

    m = fer.real_clip_metrics(AlwaysHappy(), tmp_path)
    assert m["n"] == 2 and m["accuracy"] == 0.5      # clip c has no face
    assert m["baseline_always_majority"] == {"label": "happiness", "accuracy": 0.5}
