"""Prepares the YAMNet port check against the real TFLite runtime (scripts/yamnet-tflite-parity.mjs).

Cuts real speech into YAMNet's own input, 15,600-sample waveform patches at 16 kHz (a hop of
15,360 = our segment), from ../shared/data/iemocap_dev_av clips (decoded with ffmpeg) and
../shared/data/emodb/wav (22.05 kHz, resampled by ffmpeg), and runs the PyTorch port on them two
ways: (a) after a float replica of the .tflite's in-graph front end (its dequantized DFT and mel
matrices: like with like for the top-class check) and (b) after our float front end
(mer.features.logmel, what the app computes). Writes training/.cache/yamnet_parity/
{waves.f32, ours_logmel.f32, meta.json}.
Run: node scripts/run-python.mjs scripts/yamnet-parity-prepare.py [--max-clips N]
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import torch

from mer.backbones.yamnet import DEFAULT_TFLITE, YAMNet
from mer.features.logmel import _Geometry, load_audio_params
from mer.tflite import read_tflite

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "training/.cache/yamnet_parity"
WINDOW, HOP = 15600, 15360


def decode_16k(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, "<f4").copy()


def tflite_front_end(waves: np.ndarray) -> np.ndarray:
    """Float replica of yamnet.tflite's own front end (ops 0-14): [P, 15600] -> [P, 96, 64]."""
    m = read_tflite(DEFAULT_TFLITE)
    window = m.tensor("yamnet_frames/tf_op_layer_Mul/Mul/y").dequantized()[0]           # [400]
    dft_re = m.tensor("yamnet_frames/tf_op_layer_MatMul/MatMul").dequantized()          # [257, 512]
    dft_im = m.tensor("yamnet_frames/tf_op_layer_MatMul_1/MatMul_1").dequantized()
    mel = m.tensor("yamnet_frames/tf_op_layer_MatMul_2/MatMul_2").dequantized()         # [64, 257]
    mel_bias = m.tensor("yamnet_frames/tf_op_layer_MatMul_2/MatMul_21").dequantized()
    idx = np.arange(96)[:, None] * 160 + np.arange(400)[None]
    frames = waves[:, idx] * window                                                     # [P, 96, 400]
    frames = np.pad(frames, ((0, 0), (0, 0), (56, 56)))
    mag = np.sqrt((frames @ dft_re.T) ** 2 + (frames @ dft_im.T) ** 2)
    return np.log(mag @ mel.T + mel_bias).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-clips", type=int, default=0, help="limit clips per source (0 = all)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    out = args.out
    sources = [("iemocap_dev_av", sorted((SHARED / "data/iemocap_dev_av/clips").glob("*.mp4"))),
               ("emodb", sorted((SHARED / "data/emodb/wav").glob("*.wav")))]
    waves, meta = [], []
    for source, files in sources:
        for f in files[:args.max_clips or None]:
            x = decode_16k(f)
            for k, start in enumerate(range(0, max(len(x) - WINDOW, 0) + 1, HOP)):
                if start + WINDOW > len(x):
                    break
                waves.append(x[start:start + WINDOW])
                meta.append({"source": source, "file": f.name, "start": start})
    w = np.stack(waves).astype(np.float32)
    torch.set_num_threads(2)
    net = YAMNet.from_tflite()
    g = _Geometry(load_audio_params())
    ours = np.stack([g.frames_log_mel(x, 96) for x in w]).astype(np.float32)
    theirs = tflite_front_end(w)
    with torch.no_grad():
        s_tfl = torch.cat([net.scores(torch.from_numpy(theirs[i:i + 64])[:, None]) for i in range(0, len(w), 64)])
        s_ours = torch.cat([net.scores(torch.from_numpy(ours[i:i + 64])[:, None]) for i in range(0, len(w), 64)])
    for i, m in enumerate(meta):
        m["torch_top_tflite_front_end"] = int(s_tfl[i].argmax())
        m["torch_top_ours"] = int(s_ours[i].argmax())
        m["torch_top5_tflite_front_end"] = s_tfl[i].topk(5).indices.tolist()
    out.mkdir(parents=True, exist_ok=True)
    w.tofile(out / "waves.f32")
    ours.tofile(out / "ours_logmel.f32")
    theirs.tofile(out / "replica_logmel.f32")
    s_tfl.numpy().astype(np.float32).tofile(out / "torch_scores.f32")
    (out / "meta.json").write_text(json.dumps({"window": WINDOW, "count": len(meta), "patches": meta}))
    print(f"{len(meta)} patches -> {out}")


if __name__ == "__main__":
    main()
