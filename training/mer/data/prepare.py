"""Turn media rows of a manifest into feature files, with the browser's own front ends (their
Python twins, proven equal by golden tests): log-mel patches and silence mask
(``mer.features.logmel``), aligned face crops and face mask (``mer.features.face_align``), and
optionally I_t from a trained text encoder.

  python -m mer.data.prepare MANIFEST --out NEW_MANIFEST [--random-frames 2]
                             [--text-checkpoint training/checkpoints/text_bert.pt]
                             [--browser-features DIR]

``--browser-features DIR`` takes each row's features from the folder ``npm run prepare-dataset``
wrote (the app's own pipeline in headless Chromium, training/README.md "Features from the
browser") instead of computing them here; rows it lacks are computed as usual.

Per row: T from the audio (docs/CONTRACTS.md), centre frames ``0.96 t + 0.48`` s (the evaluation
frames) and, for training, ``--random-frames`` extra frames at uniform random times inside each
segment (seeded by the row id). ``video`` may be a video file or a frame-file prefix of the Dai
et al. layouts (``.../image_L_`` -> ``image_L_<n>.jpg`` at 30 fps). Feature files are written
once (``--features-dir``, default training/.cache/features/<manifest name>) and reused.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import random
import subprocess
from pathlib import Path

import numpy as np

from ..config import TRAINING_DIR, load_features
from .manifest import read_manifest, write_manifest

FRAME_FOLDER_FPS = 30.0


def decode_pcm16k(path: str) -> np.ndarray:
    """Mono 16 kHz float32 with Debian's ffmpeg: the mean of the channels, as the browser
    (docs/CONTRACTS.md). Not ``-ac 1``: ffmpeg's stereo downmix is (L + R) / sqrt(2), 3 dB above the
    mean (log-mel + 0.35), found by comparing with browser-made features (scripts/compare-browser-features.py)."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels",
                            "-of", "csv=p=0", path], capture_output=True, text=True).stdout.split()
    channels = int(probe[0]) if probe and probe[0].isdigit() else 1
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vn", "-map", "0:a:0", "-ac", str(channels), "-ar", "16000",
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    pcm = np.frombuffer(out, np.float32)
    pcm = pcm[: len(pcm) - len(pcm) % channels].reshape(-1, channels)
    return pcm.mean(axis=1, dtype=np.float64).astype(np.float32) if channels > 1 else pcm[:, 0].copy()


class FrameSource:
    """RGB frames at given times from a video file or a numbered frame-file prefix."""

    def __init__(self, video: str) -> None:
        self.video = video
        self.files = None
        if not Path(video).is_file():
            files = glob.glob(glob.escape(video) + "*.jpg")
            numbered = {int(Path(f).stem[len(Path(video).name):]): f for f in files
                        if Path(f).stem[len(Path(video).name):].isdigit()}
            if not numbered:
                raise FileNotFoundError(f"{video}: neither a video file nor a prefix of numbered .jpg frames")
            self.files = [numbered[k] for k in sorted(numbered)]

    def duration(self) -> float:
        if self.files is not None:
            return len(self.files) / FRAME_FOLDER_FPS
        from ..features.face_align import frame_times
        times = frame_times(self.video)
        return float(times[-1]) if len(times) else 0.0

    def frames(self, times: list[float]) -> list[np.ndarray]:
        if self.files is None:
            from ..features.face_align import frames_at
            return frames_at(self.video, times)[0]
        import torchvision.io as io
        out = []
        for t in times:
            index = int(np.clip(np.floor(t * FRAME_FOLDER_FPS + 1e-6), 0, len(self.files) - 1))
            out.append(io.read_image(self.files[index], io.ImageReadMode.RGB).permute(1, 2, 0).numpy())
        return out


def face_crops(frames: list[np.ndarray], face_params: dict, model) -> tuple[np.ndarray, np.ndarray]:
    from ..features.face_align import align_face_crop, detect_faces, pick_prominent_face
    crop = face_params["crop"]
    size, channels = int(crop["size"]), int(crop["channels"])
    faces = np.zeros((len(frames), channels, size, size), np.float32)
    mask = np.zeros(len(frames), np.float32)
    for i, frame in enumerate(frames):
        det = pick_prominent_face(detect_faces(model, frame), float(face_params["min_score"]))
        if det is not None:
            faces[i], _ = align_face_crop(frame, det, size, channels, float(crop["eye_y"]), float(crop["eye_dist"]))
            mask[i] = 1.0
    return faces, mask


def prepare_row(row: dict, features: dict, random_frames: int, face_model=None, text_fn=None,
                face_cache: bool = True) -> dict:
    from ..features.logmel import log_mel_patches
    out: dict[str, np.ndarray] = {}
    audio_src = row.get("audio") or (row.get("video") if row.get("video") and Path(row["video"]).is_file() else None)
    seg = float(features["audio"]["segment_seconds"])
    t_count = None
    if audio_src:
        pcm = decode_pcm16k(audio_src)
        out["log_mel"], out["audio_mask"] = log_mel_patches(pcm, features["audio"])
        t_count = len(out["log_mel"])
    if row.get("video"):
        source = FrameSource(row["video"])
        if t_count is None:
            t_count = max(1, int(np.ceil(source.duration() / seg - 1e-9)))
        if face_model is None:
            from ..features.face_align import _default_model
            face_model = _default_model()
        centres = [seg * t + seg / 2 for t in range(t_count)]
        if source.files is None:   # a video file: the face module's own (cached) centre-frame crops
            from ..features.face_align import video_face_crops
            faces, mask = video_face_crops(row["video"], t_count, features["face"], model=face_model, cache=face_cache)
        else:
            faces, mask = face_crops(source.frames(centres), features["face"], face_model)
        out["faces"], out["visual_mask"] = faces.astype(np.float16), mask
        if random_frames > 0:
            rng = random.Random(int(hashlib.sha256(row["id"].encode()).hexdigest()[:8], 16))
            times = [seg * t + rng.random() * seg for t in range(t_count) for _ in range(random_frames)]
            rf, rm = face_crops(source.frames(times), features["face"], face_model)
            out["faces_random"] = rf.reshape((t_count, random_frames) + rf.shape[1:]).astype(np.float16)
            out["faces_random_mask"] = rm.reshape(t_count, random_frames)
    if text_fn is not None and row.get("transcript"):
        out["text_cls"] = text_fn(row["transcript"])
    return out


def text_feature_fn(checkpoint: str, tokenizer_dir: str | None):
    """I_t from a ``mer.pretrain.text`` checkpoint (the compact BERT the browser runs)."""
    import torch
    from ..text.export import load_checkpoint
    from ..text.tokenizer import BertWordPieceTokenizer
    bert, _ = load_checkpoint(checkpoint)
    features = load_features()
    tok = BertWordPieceTokenizer.from_dir(tokenizer_dir or str(TRAINING_DIR.parent / "public" / "models" / features["text"]["path"]),
                                          int(features["text"]["max_length"]))

    @torch.no_grad()
    def encode(text: str) -> np.ndarray:
        batch = tok(text)
        return bert.cls_feature(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])[0].numpy()
    return encode


def browser_features(folder: str | Path) -> dict[str, str]:
    """``{row id: feature file}`` of a folder made by ``npm run prepare-dataset`` (its manifest.jsonl;
    the files hold log_mel, audio_mask, faces, visual_mask and text_cls as the browser computed them)."""
    manifest = Path(folder) / "manifest.jsonl"
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest} missing: make the folder with `npm run prepare-dataset -- MANIFEST --out {folder}`")
    return {r["id"]: r["features"] for r in read_manifest(manifest) if r.get("features")}


def prepare_manifest(src: str, dst: str, features_dir: str | None = None, random_frames: int = 2,
                     text_checkpoint: str | None = None, tokenizer_dir: str | None = None, quiet: bool = False,
                     face_cache: bool = True, browser_dir: str | None = None) -> int:
    """Audio/visual features go to one ``.npz`` per row (``features``); I_t, when a text checkpoint
    is given, to a separate small ``.npz`` (``text_cls``), so a new text encoder does not redo faces.
    With ``browser_dir``, rows found there take the browser's feature files instead."""
    from tqdm import tqdm
    features = load_features()
    rows = read_manifest(src)
    from_browser = browser_features(browser_dir) if browser_dir else {}
    folder = Path(features_dir or TRAINING_DIR / ".cache" / "features" / Path(src).stem)
    folder.mkdir(parents=True, exist_ok=True)
    text_fn = text_feature_fn(text_checkpoint, tokenizer_dir) if text_checkpoint else None
    av_tag = hashlib.sha256(json.dumps([features, random_frames], sort_keys=True).encode()).hexdigest()[:8]
    text_tag = None
    if text_checkpoint:
        h = hashlib.sha256(Path(text_checkpoint).read_bytes()).hexdigest()[:8]
        text_tag = hashlib.sha256(json.dumps([features["text"], h]).encode()).hexdigest()[:8]
    out_rows = []
    for row in tqdm(rows, desc="features", disable=quiet):
        new = dict(row)
        key = hashlib.sha256(row["id"].encode()).hexdigest()[:16]
        if (row.get("video") or row.get("audio")) and not row.get("features") and row["id"] in from_browser:
            new = {k: v for k, v in new.items() if k not in ("video", "audio")}
            new["features"] = from_browser[row["id"]]
        elif (row.get("video") or row.get("audio")) and not row.get("features"):
            target = folder / f"{key}-{av_tag}.npz"
            if not target.exists():
                frames = random_frames if row["split"] != "test" else 0
                _save(target, prepare_row(row, features, frames, face_cache=face_cache))
            new = {k: v for k, v in new.items() if k not in ("video", "audio")}
            new["features"] = str(target)
        if text_fn is not None and row.get("transcript") and not row.get("text_cls"):
            target = folder / f"{key}-text-{text_tag}.npz"
            if not target.exists():
                _save(target, {"text_cls": text_fn(row["transcript"])})
            new["text_cls"] = str(target)
        out_rows.append(new)
    return write_manifest(dst, out_rows)


def _save(target: Path, arrays: dict) -> None:
    tmp = target.with_name(target.stem + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(target)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.data.prepare", description=__doc__.split("\n\n")[0])
    ap.add_argument("manifest")
    ap.add_argument("--out", required=True, help="the manifest to write (rows point at feature files)")
    ap.add_argument("--features-dir")
    ap.add_argument("--random-frames", type=int, default=2, help="random frames per segment for training rows")
    ap.add_argument("--text-checkpoint", help="mer.pretrain.text checkpoint: store I_t for precomputed text")
    ap.add_argument("--tokenizer", help="tokenizer folder (default public/models/text)")
    ap.add_argument("--browser-features", metavar="DIR",
                    help="take features from this `npm run prepare-dataset` folder instead of the Python twins")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (face detector, text encoder)")
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    count = prepare_manifest(args.manifest, args.out, args.features_dir, args.random_frames,
                             args.text_checkpoint, args.tokenizer, browser_dir=args.browser_features)
    print(json.dumps({"manifest": args.out, "rows": count}))


if __name__ == "__main__":
    main()
