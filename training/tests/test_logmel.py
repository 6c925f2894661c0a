"""The Python log-mel front end: reproduces the shared golden vectors (the TypeScript twin is
checked against the same files by src/features/audio/logmel.test.ts), streaming equals the
whole-signal result, and the pieces match their definitions in docs/CONTRACTS.md."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mer.features.logmel import (LogMelStream, load_audio_params, log_mel_patches, mel_weight_matrix,
                                 segment_count)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "src/features/audio/__golden__"
YAMNET = ROOT.parent / "shared/weights/yamnet/yamnet.tflite"
HEADER = json.loads((GOLDEN / "cases.json").read_text())
PCM = np.fromfile(GOLDEN / "pcm.f32", "<f4")
MEL = np.fromfile(GOLDEN / "logmel.f32", "<f4")
PARAMS = load_audio_params()


def _case(c):
    pcm = PCM[c["pcm_offset"]:c["pcm_offset"] + c["samples"]]
    n = c["segment_count"] * 96 * 64
    return pcm, MEL[c["logmel_offset"]:c["logmel_offset"] + n].reshape(-1, 96, 64)


def test_golden_params_are_the_configs():
    # audio.vad (the browser's voice-activity detector) is not part of the log-mel DSP.
    assert HEADER["params"] == {k: v for k, v in PARAMS.items() if k != "vad"}


@pytest.mark.parametrize("case", HEADER["cases"], ids=[c["name"] for c in HEADER["cases"]])
def test_reproduces_golden(case):
    pcm, expected = _case(case)
    log_mel, mask = log_mel_patches(pcm, PARAMS)
    assert log_mel.dtype == np.float32 and mask.dtype == np.float32
    assert log_mel.shape == expected.shape
    assert np.max(np.abs(log_mel - expected)) <= HEADER["tolerance"]
    assert mask.astype(int).tolist() == case["audio_mask"]


@pytest.mark.parametrize("case", HEADER["cases"], ids=[c["name"] for c in HEADER["cases"]])
def test_stream_equals_whole(case):
    pcm, _ = _case(case)
    whole, mask = log_mel_patches(pcm, PARAMS)
    stream = LogMelStream(PARAMS)
    out = []
    sizes = [1, 999, 15600, 160]
    at = i = 0
    while at < pcm.size:
        out += list(stream.push(pcm[at:at + sizes[i % 4]]))
        at += sizes[i % 4]
        i += 1
    out += list(stream.flush())
    assert len(out) == whole.shape[0]
    np.testing.assert_array_equal(np.stack([p for p, _ in out]), whole)
    assert [m for _, m in out] == mask.tolist()


def test_segment_count_and_padding():
    assert [segment_count(n, PARAMS) for n in (0, 1, 15360, 15361)] == [1, 1, 1, 2]
    # The last frame of a patch reaches 240 samples into the next segment: a click there shows.
    x = np.zeros(2 * 15360, np.float32)
    x[15360 + 100] = 1.0
    log_mel, mask = log_mel_patches(x, PARAMS)
    assert log_mel[0, -1].max() > np.log(0.001) + 1 and mask.tolist() == [0.0, 1.0]  # the click is in segment 1


def test_matches_a_direct_dft():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(15360).astype(np.float32) * 0.1
    log_mel, _ = log_mel_patches(x, PARAMS)
    k = 37
    frame = np.zeros(512)
    frame[:400] = x[160 * k:160 * k + 400] * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400))
    n = np.arange(512)
    dft = np.abs(np.exp(-2j * np.pi * np.outer(np.arange(257), n) / 512) @ frame)
    ref = np.log(dft @ mel_weight_matrix(64, 257, 16000, 125, 7500) + 0.001)
    np.testing.assert_allclose(log_mel[0, k], ref, atol=1e-5)


def test_silence_threshold_is_minus_50_dbfs():
    t = np.arange(8000) / 16000
    loud = (10 ** (-47 / 20) * np.sin(2 * np.pi * 300 * t)).astype(np.float32)   # RMS -50 dBFS + 0
    quiet = (10 ** (-54 / 20) * np.sin(2 * np.pi * 300 * t)).astype(np.float32)  # RMS -57 dBFS
    assert log_mel_patches(loud * 1.01, PARAMS)[1].tolist() == [1.0]
    assert log_mel_patches(quiet, PARAMS)[1].tolist() == [0.0]


@pytest.mark.skipif(not YAMNET.exists(), reason="yamnet.tflite not on this machine")
def test_mel_matrix_matches_yamnet_int8_copy():
    from mer.tflite import read_tflite

    m = read_tflite(YAMNET)
    int8_mel = m.tensor("yamnet_frames/tf_op_layer_MatMul_2/MatMul_2").dequantized()  # [64, 257]
    ours = mel_weight_matrix(64, 257, 16000, 125, 7500)
    assert np.max(np.abs(int8_mel.T - ours)) < 0.005
