"""The audio front end: YAMNet/VGGish log-mel patches, the Python twin of
``src/features/audio/logmel.ts`` (docs/CONTRACTS.md, "Audio front end").

16 kHz mono float32 in [-1, 1] -> ``T = max(1, ceil(N / 15360))`` patches ``[96, 64]`` of
``ln(mel(|rfft512(hann400 * frame)|) + 0.001)`` with 25 ms frames every 10 ms, plus an
``audio_mask`` that is 0 for silent segments (RMS of the real samples below -50 dBFS).
The mel matrix is TensorFlow's ``linear_to_mel_weight_matrix`` computed in float (not the
int8 copy inside yamnet.tflite). Everything is computed in float64 and returned as float32,
like the TypeScript side, so the two agree within 1e-4 on the shared golden vectors
(``src/features/audio/__golden__``).

``LogMelStream`` produces the same patches from a stream of chunks, keeping only one
segment of samples, for long files.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterator

import numpy as np

FEATURES_JSON = Path(__file__).resolve().parents[2] / "configs" / "features.json"


def load_audio_params(path: str | Path = FEATURES_JSON) -> dict:
    """The ``audio`` section of training/configs/features.json (the source of truth)."""
    return dict(json.loads(Path(path).read_text())["audio"])


def hertz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """HTK mel scale, as TensorFlow: ``1127 ln(1 + f / 700)``."""
    return 1127.0 * np.log1p(np.asarray(f, np.float64) / 700.0)


def mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sample_rate: float,
                      lower_edge_hertz: float, upper_edge_hertz: float) -> np.ndarray:
    """``[num_spectrogram_bins, num_mel_bins]`` float64, the semantics of TensorFlow's
    ``tf.signal.linear_to_mel_weight_matrix``: triangles in mel space over the bin centre
    frequencies ``linspace(0, sr/2, bins)``, the DC bin weighted 0."""
    nyquist = sample_rate / 2.0
    bin_mel = hertz_to_mel(np.linspace(0.0, nyquist, num_spectrogram_bins))[1:, None]
    edges = np.linspace(hertz_to_mel(lower_edge_hertz), hertz_to_mel(upper_edge_hertz), num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    lower_slopes = (bin_mel - lower) / (center - lower)
    upper_slopes = (upper - bin_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(lower_slopes, upper_slopes))
    return np.concatenate([np.zeros((1, num_mel_bins)), weights], axis=0)


def periodic_hann(length: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(length) / length)


class _Geometry:
    """Derived sizes and the precomputed window and mel matrix for one parameter set."""

    def __init__(self, p: dict):
        self.sr = int(p["sample_rate"])
        self.frame_length = int(p["frame_length"])
        self.hop = int(p["hop_length"])
        self.fft_size = int(p["fft_size"])
        self.mel_bins = int(p["mel_bins"])
        self.patch_frames = int(p["patch_frames"])
        self.log_offset = float(p["log_offset"])
        self.segment = int(round(float(p["segment_seconds"]) * self.sr))          # 15360
        self.window_samples = (self.patch_frames - 1) * self.hop + self.frame_length  # 15600
        self.silence_ms = 10.0 ** (float(p["silence_dbfs"]) / 10.0)  # mean-square threshold
        self.window = periodic_hann(self.frame_length)
        self.mel = mel_weight_matrix(self.mel_bins, self.fft_size // 2 + 1, self.sr,
                                     float(p["fmin"]), float(p["fmax"]))

    def frames_log_mel(self, samples: np.ndarray, n_frames: int) -> np.ndarray:
        """Log-mel of frames ``k = 0..n_frames-1`` of ``samples`` (long enough) -> float64."""
        x = np.ascontiguousarray(samples, np.float64)
        frames = np.lib.stride_tricks.as_strided(
            x, shape=(n_frames, self.frame_length), strides=(x.strides[0] * self.hop, x.strides[0]))
        spec = np.abs(np.fft.rfft(frames * self.window, n=self.fft_size, axis=1))
        return np.log(spec @ self.mel + self.log_offset)

    def is_voiced(self, real: np.ndarray) -> bool:
        if real.size == 0:
            return False
        x = real.astype(np.float64)
        return float(np.mean(x * x)) >= self.silence_ms


def segment_count(num_samples: int, audio_params: dict) -> int:
    """``T = max(1, ceil(N / segment_samples))``."""
    seg = int(round(float(audio_params["segment_seconds"]) * int(audio_params["sample_rate"])))
    return max(1, math.ceil(num_samples / seg))


def log_mel_patches(pcm16k: np.ndarray, audio_params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Whole-signal front end: ``(log_mel [T, 96, 64] float32, audio_mask [T] float32)``."""
    g = _Geometry(audio_params)
    pcm = np.asarray(pcm16k, np.float32).reshape(-1)
    n = pcm.size
    t_count = segment_count(n, audio_params)
    padded = np.zeros(t_count * g.segment + g.window_samples - g.segment, np.float64)
    padded[:n] = pcm
    log_mel = g.frames_log_mel(padded, t_count * g.patch_frames)
    log_mel = log_mel.reshape(t_count, g.patch_frames, g.mel_bins).astype(np.float32)
    mask = np.array([g.is_voiced(pcm[t * g.segment:(t + 1) * g.segment]) for t in range(t_count)], np.float32)
    return log_mel, mask


class LogMelStream:
    """Streaming twin of ``log_mel_patches``: ``push`` chunks of 16 kHz samples, get each
    completed ``(patch [96, 64] float32, mask float)`` as soon as its 15,600-sample window is
    in; ``flush`` at the end emits the zero-padded tail. Concatenating everything equals
    ``log_mel_patches`` on the whole signal."""

    def __init__(self, audio_params: dict):
        self._g = _Geometry(audio_params)
        self._buf = np.zeros(0, np.float32)
        self._emitted = 0

    def _patch(self, window: np.ndarray, real: np.ndarray) -> tuple[np.ndarray, float]:
        g = self._g
        lm = g.frames_log_mel(window, g.patch_frames).astype(np.float32)
        self._emitted += 1
        return lm, float(g.is_voiced(real))

    def push(self, chunk: np.ndarray) -> Iterator[tuple[np.ndarray, float]]:
        g = self._g
        self._buf = np.concatenate([self._buf, np.asarray(chunk, np.float32).reshape(-1)])
        while self._buf.size >= g.window_samples:
            yield self._patch(self._buf[:g.window_samples], self._buf[:g.segment])
            self._buf = self._buf[g.segment:]

    def flush(self) -> Iterator[tuple[np.ndarray, float]]:
        g = self._g
        remaining = self._buf.size
        count = math.ceil(remaining / g.segment) if remaining else (0 if self._emitted else 1)
        tail = np.zeros(count * g.segment + g.window_samples - g.segment, np.float32)
        tail[:remaining] = self._buf
        for t in range(count):
            real = self._buf[t * g.segment:min(remaining, (t + 1) * g.segment)]
            yield self._patch(tail[t * g.segment:t * g.segment + g.window_samples], real)
        self._buf = np.zeros(0, np.float32)
