"""Turn media rows of a manifest into feature files, with the browser's own front ends (their
Python twins, proven equal by golden tests): log-mel patches and silence mask
(``mer.features.logmel``), aligned face crops and face mask (``mer.features.face_align``), and
optionally I_t from a trained text encoder.

  python -m mer.data.prepare MANIFEST --out NEW_MANIFEST [--config MODEL_CONFIG] [--workers N]
                             [--device auto|cpu|cuda] [--random-frames 2]
                             [--text-checkpoint training/checkpoints/text_bert.pt]
                             [--browser-features DIR]

``--config``: crop the faces at the size and channels that model config takes (``model.face``;
the paper configs: 3x224x224) instead of features.json's (the app's front end, 1x48x48); the
rest of the face alignment is features.json's. ``--workers N``: N processes, each with its own
face detector (on ``--device``), one row at a time. Feature files are compressed
(``np.savez_compressed``; face crops as uint8, i.e. within 0.5/255 of the float crop, log-mel
as fp16, i.e. within 0.004 at |x| < 8); ``--float32`` keeps the float values. Rows already
prepared are skipped (each file is written atomically), so an interrupted run resumes; a row
that fails is reported and left out of the new manifest.

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
import os
import random
import subprocess
import sys
import time
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


def text_feature_fn(checkpoint: str, tokenizer_dir: str | None, device: str = "cpu"):
    """I_t from a ``mer.pretrain.text`` checkpoint (the compact BERT the browser runs), on ``device``."""
    import torch
    from ..device import resolve_device
    from ..text.export import load_checkpoint
    from ..text.tokenizer import BertWordPieceTokenizer
    dev = resolve_device(device)
    bert, _ = load_checkpoint(checkpoint)
    bert = bert.to(dev)
    features = load_features()
    tok = BertWordPieceTokenizer.from_dir(tokenizer_dir or str(TRAINING_DIR.parent / "public" / "models" / features["text"]["path"]),
                                          int(features["text"]["max_length"]))

    @torch.no_grad()
    def encode(text: str) -> np.ndarray:
        batch = {k: v.to(dev) for k, v in tok(text).items() if k in ("input_ids", "attention_mask", "token_type_ids")}
        return bert.cls_feature(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])[0].float().cpu().numpy()
    return encode


def browser_features(folder: str | Path) -> dict[str, str]:
    """``{row id: feature file}`` of a folder made by ``npm run prepare-dataset`` (its manifest.jsonl;
    the files hold log_mel, audio_mask, faces, visual_mask and text_cls as the browser computed them)."""
    manifest = Path(folder) / "manifest.jsonl"
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest} missing: make the folder with `npm run prepare-dataset -- MANIFEST --out {folder}`")
    return {r["id"]: r["features"] for r in read_manifest(manifest) if r.get("features")}


def features_for_config(config_path: str | None) -> dict:
    """features.json, with the face crop a model config asks for (``model.face``) when given."""
    features = load_features()
    if config_path:
        from ..config import load_config
        face = load_config(config_path)["model"]["face"]
        features["face"]["crop"] = {**features["face"]["crop"], "size": int(face["size"]), "channels": int(face["channels"])}
    return features


class _OnDevice:
    """The face detector on a device, taking and giving CPU tensors as ``detect_faces`` expects."""

    def __init__(self, model, device) -> None:
        self.model, self.device = model.to(device), device
        self.input_size = getattr(model, "input_size", 192)

    def __call__(self, batch):
        return tuple(t.float().cpu() for t in self.model(batch.to(self.device)))


_WORKER: dict = {}


def _init_worker(device: str, threads: int) -> None:
    import torch
    torch.set_num_threads(threads)
    from ..device import resolve_device
    from ..features.face_align import _default_model
    dev = resolve_device(device)
    _WORKER["model"] = _default_model() if dev.type == "cpu" else _OnDevice(_default_model(), dev)


def _prepare_job(job: tuple) -> tuple[str, int, str | None]:
    """One row's audio/visual features into ``target``: (row id, segments, error or None)."""
    row, features, frames, face_cache, target, compress = job
    try:
        arrays = prepare_row(row, features, frames, face_model=_WORKER.get("model"), face_cache=face_cache)
        _save(Path(target), arrays, compress)
        return row["id"], int(max(len(arrays.get("log_mel", [])), len(arrays.get("faces", [])))), None
    except Exception as exc:   # reported per row; the run goes on
        return row["id"], 0, f"{type(exc).__name__}: {exc}"


def prepare_manifest(src: str, dst: str, features_dir: str | None = None, random_frames: int = 2,
                     text_checkpoint: str | None = None, tokenizer_dir: str | None = None, quiet: bool = False,
                     face_cache: bool = True, browser_dir: str | None = None, config: str | None = None,
                     workers: int = 1, device: str = "cpu", compress: bool = True, threads: int = 1) -> dict:
    """Audio/visual features go to one ``.npz`` per row (``features``); I_t, when a text checkpoint
    is given, to a separate small ``.npz`` (``text_cls``), so a new text encoder does not redo faces.
    With ``browser_dir``, rows found there take the browser's feature files instead.
    Returns ``{"rows", "prepared", "segments", "seconds", "segments_per_s", "failures"}``."""
    from tqdm import tqdm
    features = features_for_config(config)
    rows = read_manifest(src)
    from_browser = browser_features(browser_dir) if browser_dir else {}
    folder = Path(features_dir or TRAINING_DIR / ".cache" / "features" / Path(src).stem)
    folder.mkdir(parents=True, exist_ok=True)
    text_fn = text_feature_fn(text_checkpoint, tokenizer_dir, device) if text_checkpoint else None
    av_tag = hashlib.sha256(json.dumps([features, random_frames] + (["u8"] if compress else []),
                                       sort_keys=True).encode()).hexdigest()[:8]
    text_tag = None
    if text_checkpoint:
        h = hashlib.sha256(Path(text_checkpoint).read_bytes()).hexdigest()[:8]
        text_tag = hashlib.sha256(json.dumps([features["text"], h]).encode()).hexdigest()[:8]

    key = lambda row: hashlib.sha256(row["id"].encode()).hexdigest()[:16]
    media = lambda row: (row.get("video") or row.get("audio")) and not row.get("features")
    targets, jobs = {}, []
    for row in rows:
        if media(row) and row["id"] not in from_browser:
            target = folder / f"{key(row)}-{av_tag}.npz"
            targets[row["id"]] = target
            if not target.exists():
                frames = random_frames if row["split"] != "test" else 0
                jobs.append((row, features, frames, face_cache, str(target), compress))
    started, segments, failures = time.time(), 0, {}
    if jobs:
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(device, threads))
            results = pool.map(_prepare_job, jobs, chunksize=1)
        else:
            pool = None
            _init_worker(device, threads)
            results = map(_prepare_job, jobs)
        try:
            for row_id, count, error in tqdm(results, total=len(jobs), desc="features", disable=quiet):
                segments += count
                if error:
                    failures[row_id] = error
                    print(f"{row_id}: {error}", file=sys.stderr)
        finally:
            if pool is not None:
                pool.shutdown()
    seconds = time.time() - started

    out_rows = []
    for row in rows:
        if row["id"] in failures:
            continue
        new = dict(row)
        if media(row) and row["id"] in from_browser:
            new = {k: v for k, v in new.items() if k not in ("video", "audio")}
            new["features"] = from_browser[row["id"]]
        elif media(row):
            new = {k: v for k, v in new.items() if k not in ("video", "audio")}
            new["features"] = str(targets[row["id"]])
        if text_fn is not None and row.get("transcript") and not row.get("text_cls"):
            target = folder / f"{key(row)}-text-{text_tag}.npz"
            if not target.exists():
                _save(target, {"text_cls": text_fn(row["transcript"])}, compress=False)
            new["text_cls"] = str(target)
        out_rows.append(new)
    count = write_manifest(dst, out_rows)
    return {"manifest": str(dst), "rows": count, "prepared": len(jobs) - len(failures), "segments": segments,
            "seconds": round(seconds, 2), "segments_per_s": round(segments / seconds, 3) if segments else None,
            "workers": workers, "face_crop": features["face"]["crop"], "failures": failures}


def compress_arrays(arrays: dict) -> dict:
    """uint8 face crops (round(255 x)), fp16 log-mel; masks and I_t unchanged."""
    out = {}
    for k, v in arrays.items():
        if k in ("faces", "faces_random"):
            out[k] = np.round(np.clip(np.asarray(v, np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)
        elif k == "log_mel":
            out[k] = np.asarray(v).astype(np.float16)
        else:
            out[k] = v
    return out


def _save(target: Path, arrays: dict, compress: bool = True) -> None:
    tmp = target.with_name(target.stem + f".{os.getpid()}.tmp.npz")
    if compress:
        np.savez_compressed(tmp, **compress_arrays(arrays))
    else:
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
    ap.add_argument("--config", help="model config whose model.face (size, channels) the crops are made for "
                    "(default: features.json, the app's front end)")
    ap.add_argument("--workers", type=int, default=1, help="processes, each with its own face detector")
    ap.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"),
                    help="where the face detectors and the text encoder run (default cpu; auto = CUDA when available)")
    ap.add_argument("--float32", action="store_true", help="store float features (default: uint8 crops, fp16 log-mel)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process (face detector, text encoder)")
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    summary = prepare_manifest(args.manifest, args.out, args.features_dir, args.random_frames,
                               args.text_checkpoint, args.tokenizer, browser_dir=args.browser_features,
                               config=args.config, workers=args.workers, device=args.device,
                               compress=not args.float32, threads=args.threads)
    print(json.dumps(summary))
    if summary["failures"]:
        sys.exit(f"{len(summary['failures'])} rows failed (left out of {args.out}): see above")


if __name__ == "__main__":
    main()
