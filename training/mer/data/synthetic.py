"""Tiny generated tri-modal data with a learnable label signal, for tests and smoke runs:
``python -m mer.data.synthetic OUT_DIR [--n 64]`` writes ``manifest.jsonl`` and feature files."""
from __future__ import annotations

import argparse
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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.data.synthetic", description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=48)
    ap.add_argument("--text-dim", type=int, default=16)
    args = ap.parse_args(argv)
    print(make_synthetic(args.out_dir, args.n, text_dim=args.text_dim))


if __name__ == "__main__":
    main()
