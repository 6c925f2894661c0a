"""Tiny generated data for tests and smoke runs.

- ``make_synthetic``: tri-modal feature files with a learnable label signal and their manifest
  (``python -m mer.data.synthetic OUT_DIR [--n 64]``).
- ``make_dai_tree``: raw media in Dai et al. 2021's layouts (IEMOCAP_RAW_PROCESSED or
  MOSEI_RAW_PROCESSED: meta.pkl, 30 fps JPEG frames of a drawn face the face detector finds,
  16 kHz speech-like WAV, split lists), for the README recipe end to end
  (``python -m mer.data.synthetic OUT_DIR --dai iemocap``).
"""
from __future__ import annotations

import argparse
import pickle
import wave
from pathlib import Path

import numpy as np

from .labels import label_names
from .manifest import write_manifest


def make_synthetic(out_dir: str | Path, n: int = 48, label_set: str = "ekman7", text_dim: int = 16,
                   face_channels: int = 1, face_size: int = 48, max_t: int = 4, seed: int = 0,
                   random_frames: int = 2) -> Path:
    out_dir = Path(out_dir)
    (out_dir / "features").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    names = label_names(label_set)
    m = len(names)
    text_protos = rng.normal(size=(m, text_dim)).astype(np.float32)
    rows = []
    for i in range(n):
        c = i % m
        t = int(rng.integers(1, max_t + 1))
        log_mel = rng.normal(-4, 1, size=(t, 96, 64)).astype(np.float32)
        log_mel[:, :, (c * 9) % 64: (c * 9) % 64 + 8] += 3.0            # a class-specific mel band
        faces = rng.uniform(0, 0.3, size=(t, face_channels, face_size, face_size)).astype(np.float32)
        r0 = (c * face_size) // m
        faces[:, :, r0: r0 + max(2, face_size // m)] = 0.9              # a class-specific bright row band
        rand = np.repeat(faces[:, None], random_frames, axis=1) + rng.uniform(0, 0.05, (t, random_frames, 1, 1, 1)).astype(np.float32)
        text_cls = text_protos[c] + rng.normal(0, 0.3, text_dim).astype(np.float32)
        audio_mask = np.ones(t, np.float32)
        visual_mask = np.ones(t, np.float32)
        if t > 1 and i % 5 == 0:
            visual_mask[-1] = 0.0
            faces[-1] = 0.0
        path = out_dir / "features" / f"s{i:04d}.npz"
        np.savez(path, log_mel=log_mel, audio_mask=audio_mask, faces=faces, visual_mask=visual_mask,
                 faces_random=np.clip(rand, 0, 1), faces_random_mask=np.ones((t, random_frames), np.float32),
                 text_cls=text_cls)
        split = "train" if i % 4 else ("valid" if i % 8 == 0 else "test")
        rows.append({"id": f"s{i:04d}", "split": split, "labels": [names[c]], "transcript": f"sample {i}",
                     "features": str(path), "source": "synthetic"})
    manifest = out_dir / "manifest.jsonl"
    write_manifest(manifest, rows)
    return manifest


def drawn_face(width: int = 160, height: int = 120, shift: float = 0.0, mouth_open: float = 0.07) -> np.ndarray:
    """An RGB ``[H, W, 3]`` uint8 frame with one frontal cartoon face (hair, skin, eyes, brows,
    nose, mouth) that BlazeFace detects (score about 0.8-0.9 at this size)."""
    r = 0.25 * height
    cx, cy = width / 2 + shift * r, height / 2
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.zeros((height, width, 3), np.float32) + np.array([90, 110, 130], np.float32)
    img[((x - cx) / (r * 1.05)) ** 2 + ((y - cy + 0.25 * r) / (r * 1.2)) ** 2 < 1] = [40, 30, 20]
    skin = ((x - cx) / (r * 0.85)) ** 2 + ((y - cy) / (r * 1.1)) ** 2 < 1
    img[skin] = [224, 172, 140]
    img[skin] *= (1.0 - 0.25 * ((x[skin] - cx) / r) ** 2)[:, None]
    for ex in (-0.35, 0.35):
        ox = x - cx - ex * r
        img[(ox / (0.16 * r)) ** 2 + ((y - cy + 0.15 * r) / (0.08 * r)) ** 2 < 1] = [240, 240, 240]
        img[(ox / (0.07 * r)) ** 2 + ((y - cy + 0.15 * r) / (0.07 * r)) ** 2 < 1] = [30, 20, 10]
        img[(np.abs(y - (cy - 0.32 * r)) < 0.04 * r) & (np.abs(ox) < 0.2 * r)] = [50, 35, 25]
    img[(np.abs(x - cx) < 0.06 * r) & (y > cy - 0.05 * r) & (y < cy + 0.25 * r)] *= 0.8
    img[((x - cx) / (0.3 * r)) ** 2 + ((y - cy - 0.5 * r) / (mouth_open * r)) ** 2 < 1] = [150, 60, 60]
    return np.clip(img, 0, 255).astype(np.uint8)


def speech_like(seconds: float, f0: float = 130.0, sample_rate: int = 16000, seed: int = 0) -> np.ndarray:
    """Voiced-speech-like float32 PCM: harmonics of a wavering f0 under formant-like weights,
    syllables at about 4 Hz, a little noise; well above the silence threshold."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 1.3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / sample_rate
    formants = (500.0, 1500.0, 2500.0)
    wave_ = sum(np.sin(k * phase) * sum(np.exp(-((k * f0 - f) / 200.0) ** 2) for f in formants) for k in range(1, 30))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6.28)) ** 2
    pcm = 0.3 * wave_ / np.abs(wave_).max() * syllables + 0.005 * rng.normal(size=t.size)
    return pcm.astype(np.float32)


def write_wav(path: Path, pcm: np.ndarray, sample_rate: int = 16000) -> None:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(sample_rate)
        fh.writeframes((np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes())


def _write_frames(folder: Path, prefix: str, seconds: float, fps: int = 30, size=(160, 120), seed: int = 0) -> None:
    import torch
    import torchvision.io as io
    rng = np.random.default_rng(seed)
    for n in range(int(round(seconds * fps))):
        frame = drawn_face(size[0], size[1], shift=0.2 * np.sin(n / 9 + seed), mouth_open=0.04 + 0.06 * rng.random())
        io.write_jpeg(torch.from_numpy(frame).permute(2, 0, 1).contiguous(), str(folder / f"{prefix}{n}.jpg"), quality=90)


IEMOCAP_DAI_LABELS = ("ang", "exc", "fru", "hap", "neu", "sad")


def make_dai_tree(root: str | Path, dataset: str = "iemocap", per_split: tuple[int, int, int] = (4, 2, 2),
                  seconds: float = 1.2, split_folder: str | None = None, seed: int = 0,
                  frame_size: tuple[int, int] = (160, 120)) -> Path:
    """Raw media in Dai et al. 2021's layout under ``root`` (``dataset`` iemocap or mosei), with
    ``per_split`` utterances for train / valid / test, ``frame_size`` (width, height) JPEG frames,
    and the split lists in ``split_folder``
    (default Dai's release spelling ``<DATASET>_SPLIT``). MOSEI's last test clip has no emotion
    (an all-zero label vector), as some CMU-MOSEI clips do. Returns ``root``."""
    root = Path(root)
    name = dataset.upper()
    if name not in ("IEMOCAP", "MOSEI"):
        raise ValueError(f"dataset {dataset!r}: valid are ['iemocap', 'mosei']")
    main = root / f"{name}_RAW_PROCESSED"
    splits = root / (split_folder or f"{name}_SPLIT")
    main.mkdir(parents=True, exist_ok=True)
    splits.mkdir(parents=True, exist_ok=True)
    meta, index = {}, 0
    for split, count in zip(("train", "valid", "test"), per_split):
        ids = []
        for _ in range(count):
            i = index
            index += 1
            if name == "IEMOCAP":
                gender = "MF"[i % 2]
                uid = f"Ses01{gender}_impro0{i % 9 + 1}_{gender}{i:03d}"      # speaker on the L side
                folder = main / "Ses01" / uid
                folder.mkdir(parents=True, exist_ok=True)
                label = IEMOCAP_DAI_LABELS[i % len(IEMOCAP_DAI_LABELS)]
                write_wav(folder / "audio_L.wav", speech_like(seconds, 110 + 10 * (i % 5), seed=seed + i))
                write_wav(folder / "audio_R.wav", speech_like(seconds, 200, seed=seed + 100 + i) * 0.1)
                _write_frames(folder, "image_L_", seconds, seed=seed + i, size=frame_size)
                _write_frames(folder, "image_R_", seconds, seed=seed + 50 + i, size=frame_size)
            else:
                uid = f"clip{i:03d}_{i % 3}"
                folder = main / uid
                folder.mkdir(parents=True, exist_ok=True)
                label = [0.0] * 6
                if not (split == "test" and _ == count - 1):
                    label[i % 6] = 1.0 + (i % 3) / 3
                write_wav(folder / "audio.wav", speech_like(seconds, 110 + 10 * (i % 5), seed=seed + i))
                _write_frames(folder, "image_", seconds, seed=seed + i, size=frame_size)
            meta[uid] = {"text": f"utterance number {i} says something", "label": label}
            ids.append(uid)
        (splits / f"{split}_split.txt").write_text("\n".join(ids) + "\n")
    with open(main / "meta.pkl", "wb") as fh:
        pickle.dump(meta, fh)
    return root


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.data.synthetic", description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--text-dim", type=int, default=16)
    ap.add_argument("--dai", choices=("iemocap", "mosei"), help="write raw media in Dai et al.'s layout instead")
    ap.add_argument("--per-split", type=int, nargs=3, default=(4, 2, 2), metavar=("TRAIN", "VALID", "TEST"))
    ap.add_argument("--seconds", type=float, default=1.2, help="--dai: length of each utterance")
    ap.add_argument("--frame-size", type=int, nargs=2, default=(160, 120), metavar=("W", "H"), help="--dai: frame size")
    args = ap.parse_args(argv)
    if args.dai:
        print(make_dai_tree(args.out_dir, args.dai, tuple(args.per_split), args.seconds, frame_size=tuple(args.frame_size)))
    else:
        print(make_synthetic(args.out_dir, args.n, text_dim=args.text_dim))


if __name__ == "__main__":
    main()
