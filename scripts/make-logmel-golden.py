"""Writes the log-mel golden vectors shared by the Python and TypeScript front ends
(src/features/audio/__golden__/): synthetic 16 kHz signals (float32 PCM), the log-mel patches
and silence masks training/mer/features/logmel.py computes for them, and a JSON header.
Run: node scripts/run-python.mjs scripts/make-logmel-golden.py
Both twins must reproduce logmel.f32 within 1e-4 max abs (tests: logmel.test.ts, test_logmel.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mer.features.logmel import load_audio_params, log_mel_patches

OUT = Path(__file__).resolve().parents[1] / "src/features/audio/__golden__"
SR = 16000


def _t(n: int) -> np.ndarray:
    return np.arange(n) / SR


def speech_like(n: int, rng: np.random.Generator) -> np.ndarray:
    """A vowel-like harmonic source (f0 gliding 110-190 Hz) through three formant resonances,
    with syllable-rate amplitude modulation and a near-silent gap in the second segment."""
    t = _t(n)
    f0 = 150 + 40 * np.sin(2 * np.pi * 1.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = np.zeros(n)
    for h in range(1, 40):
        fh = h * f0
        gain = sum(np.exp(-0.5 * ((fh - fc) / bw) ** 2) for fc, bw in ((700, 120), (1200, 150), (2600, 250)))
        x += (gain + 0.02) / h * np.sin(h * phase) * (fh < 7800)
    x *= 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    x += 0.003 * rng.standard_normal(n)
    gap = (np.arange(n) >= 15360) & (np.arange(n) < 2 * 15360)
    x[gap] = 1e-4 * rng.standard_normal(int(gap.sum()))  # about -80 dBFS: masked
    return 0.3 * x / np.max(np.abs(x[~gap]))


def cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(1234)
    chirp_n = 19000
    t = _t(chirp_n)
    f_start, f_end = 100.0, 7800.0
    k = (f_end - f_start) / (chirp_n / SR)
    return [
        ("empty", np.zeros(0)),
        ("silence", np.zeros(3200)),
        ("sine_1khz", 0.5 * np.sin(2 * np.pi * 1000 * _t(15460))),  # 2 segments, a short tail
        ("quiet_sine_-60dbfs", 10 ** (-57 / 20) * np.sin(2 * np.pi * 440 * _t(4000))),  # RMS -60 dBFS
        ("chirp_100_7800", 0.8 * np.sin(2 * np.pi * (f_start * t + 0.5 * k * t * t))),
        ("white_noise", np.clip(0.1 * rng.standard_normal(6000), -1, 1)),
        ("clipped_square", np.clip(3 * np.sign(np.sin(2 * np.pi * 220 * _t(5000))), -1, 1)),
        ("speech_like", speech_like(2 * 15360 + 3000, rng)),
    ]


def main() -> None:
    params = load_audio_params()
    OUT.mkdir(parents=True, exist_ok=True)
    pcm_all, mel_all, header = [], [], []
    pcm_off = mel_off = 0
    for name, x in cases():
        pcm = x.astype(np.float32)
        log_mel, mask = log_mel_patches(pcm, params)
        header.append({"name": name, "samples": int(pcm.size), "pcm_offset": pcm_off,
                       "segment_count": int(log_mel.shape[0]), "logmel_offset": mel_off,
                       "audio_mask": mask.astype(int).tolist()})
        pcm_all.append(pcm)
        mel_all.append(log_mel.reshape(-1))
        pcm_off += pcm.size
        mel_off += log_mel.size
    np.concatenate(pcm_all).astype("<f4").tofile(OUT / "pcm.f32")
    np.concatenate(mel_all).astype("<f4").tofile(OUT / "logmel.f32")
    (OUT / "cases.json").write_text(json.dumps(
        {"_comment": "Written by scripts/make-logmel-golden.py. pcm.f32 / logmel.f32 are little-endian float32; "
                     "offsets count floats; log-mel is [segment_count, patch_frames, mel_bins] row-major.",
         "params": params, "tolerance": 1e-4, "cases": header}, indent=1) + "\n")
    print(f"{len(header)} cases, {pcm_off} samples, {mel_off // (params['patch_frames'] * params['mel_bins'])} patches -> {OUT}")


if __name__ == "__main__":
    main()
