"""Browser-made feature files (``npm run prepare-dataset -- ... --with-pcm``) against the Python
twins of the front ends, per clip and overall, as JSON on stdout.

    PYTHONPATH=training /usr/bin/python3 scripts/compare-browser-features.py OUT_DIR [--json-lines]

Three comparisons, because they fail for different reasons:
- ``logmel_dsp``: the browser's log-mel against ``mer.features.logmel.log_mel_patches`` on the
  *same* waveform (the browser's decoded PCM, stored by ``--with-pcm``): the DSP twins, which
  must agree within 1e-4 (the golden-test tolerance). The browser's audio mask is voice activity
  (Silero VAD, run only in the browser) on top of the -50 dBFS energy floor the twin computes, so
  it must lie within the twin's energy mask; ``vad_removed`` counts the loud segments the detector
  found no voice in (music, noise, breath, the other speaker's crosstalk below threshold...).
- ``logmel_decoder``: the same against the twin fed by Debian's ffmpeg (what
  ``mer.data.prepare`` decodes with): adds the decoders' difference (resampling, AAC).
- ``faces``: the browser's crops against ``mer.features.face_align.video_face_crops`` (frames
  from ffmpeg, the PyTorch detector port): masks, and the pixel differences where both found a face.
  The twin takes frames as Chromium's ``<video>`` shows them (``face_align.frames_at``: timeline
  from the first frame, picture scaled to its display aspect ratio); what remains is the
  decoders' colour conversion and scaling, and its effect on detection.
The source videos come from the manifest named in OUT_DIR/prepared.json.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def face_stats(python_faces: np.ndarray, python_mask: np.ndarray, b: dict) -> dict:
    both = (python_mask > 0) & (b["visual_mask"] > 0)
    per_segment = np.abs(python_faces - b["faces"]).reshape(len(python_faces), -1).mean(axis=1)
    return {"browser_found": int((b["visual_mask"] > 0).sum()), "python_found": int((python_mask > 0).sum()),
            "same_mask": bool(np.array_equal(python_mask > 0, b["visual_mask"] > 0)),
            "mean_abs": float(per_segment[both].mean()) if both.any() else None,
            "worst_segment_mean_abs": float(per_segment[both].max()) if both.any() else None,
            "max_abs": float(np.abs(python_faces - b["faces"])[both].max()) if both.any() else None,
            "segment_mean_abs": [round(float(v), 5) for v in per_segment[both]]}


def compare_clip(row: dict, source: dict, features: dict) -> dict:
    from mer.data.prepare import decode_pcm16k
    from mer.features.face_align import video_face_crops
    from mer.features.logmel import log_mel_patches
    with np.load(row["features"]) as z:
        b = {k: z[k] for k in z.files}
    video = source.get("video") or source.get("audio")
    out: dict = {"id": row["id"], "segments": int(len(b["log_mel"]))}
    if "pcm" in b:
        mel, mask = log_mel_patches(b["pcm"].astype(np.float32), features["audio"])
        same_t = mel.shape == b["log_mel"].shape
        voice, loud = b["audio_mask"] > 0, mask > 0
        out["logmel_dsp"] = {"max_abs": float(np.abs(mel - b["log_mel"]).max()) if same_t else None,
                             "same_segments": same_t, "mask_within_energy": bool(same_t and not np.any(voice & ~loud)),
                             "energy_segments": int(loud.sum()), "voice_segments": int(voice.sum()),
                             "vad_removed": int((loud & ~voice).sum()) if same_t else None}
    pcm = decode_pcm16k(video)
    mel, mask = log_mel_patches(pcm, features["audio"])
    t = min(len(mel), len(b["log_mel"]))
    d = np.abs(mel[:t] - b["log_mel"][:t])
    out["logmel_decoder"] = {"python_segments": int(len(mel)), "max_abs": float(d.max()), "mean_abs": float(d.mean()),
                             "p99_abs": float(np.quantile(d, 0.99)),
                             # a segment with a voice must be loud in the twin too (ffmpeg's decode)
                             "mask_within_energy": float(np.mean(~((b["audio_mask"][:t] > 0) & (mask[:t] <= 0)))),
                             "pcm_samples": [int(len(b["pcm"])) if "pcm" in b else None, int(len(pcm))]}
    faces, vmask = video_face_crops(video, len(b["log_mel"]), features["face"])
    out["faces"] = face_stats(faces, vmask, b)
    return out


def summarise(clips: list[dict]) -> dict:
    def values(path):
        out = []
        for c in clips:
            v = c
            for k in path:
                v = v.get(k) if isinstance(v, dict) else None
            if v is not None:
                out.append(v)
        return out
    def faces(key):
        seg_means = [v for c in clips if key in c for v in c[key]["segment_mean_abs"]]
        return {
            "same_mask_clips": sum(values((key, "same_mask"))),
            "mask_disagreements": int(sum(abs(c[key]["browser_found"] - c[key]["python_found"]) for c in clips if key in c)),
            "found_browser_python": [sum(values((key, "browser_found"))), sum(values((key, "python_found")))],
            "mean_abs": float(np.mean(seg_means)) if seg_means else None,
            "segment_mean_abs_p95": float(np.quantile(seg_means, 0.95)) if seg_means else None,
            "segment_mean_abs_max": float(np.max(seg_means)) if seg_means else None,
        }
    dsp = values(("logmel_dsp", "max_abs"))
    return {
        "clips": len(clips),
        "segments": int(sum(c["segments"] for c in clips)),
        "logmel_dsp_max_abs": max(dsp) if dsp else None,
        "logmel_dsp_masks_within_energy": all(values(("logmel_dsp", "mask_within_energy"))),
        "vad_voice_of_loud_segments": [sum(values(("logmel_dsp", "voice_segments"))), sum(values(("logmel_dsp", "energy_segments")))],
        "logmel_decoder_max_abs": max(values(("logmel_decoder", "max_abs"))),
        "logmel_decoder_mean_abs": float(np.mean(values(("logmel_decoder", "mean_abs")))),
        "logmel_decoder_mask_within_energy": float(np.mean(values(("logmel_decoder", "mask_within_energy")))),
        "logmel_decoder_same_segment_count": sum(c["logmel_decoder"]["python_segments"] == c["segments"] for c in clips),
        "faces": faces("faces"),
    }


def main(argv=None) -> None:
    import torch
    torch.set_num_threads(1)
    from mer.config import load_features
    from mer.data.manifest import read_manifest
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="the --out folder of npm run prepare-dataset")
    ap.add_argument("--json-lines", action="store_true", help="print each clip's comparison as it is made (stderr)")
    args = ap.parse_args(argv)
    out_dir = Path(args.out_dir)
    prepared = json.loads((out_dir / "prepared.json").read_text())
    sources = {r["id"]: r for r in read_manifest(prepared["source"])}
    features = load_features()
    clips = []
    for row in read_manifest(out_dir / "manifest.jsonl"):
        if not row.get("features") or row["id"] not in sources:
            continue
        clips.append(compare_clip(row, sources[row["id"]], features))
        if args.json_lines:
            print(json.dumps(clips[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"summary": summarise(clips), "clips": clips}))


if __name__ == "__main__":
    main()
