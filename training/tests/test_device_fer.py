"""The prepared GPU job (training/scripts/device_fer.py) end to end on the CPU: tiny packed faces,
one epoch per run, then ``mer.pretrain.fer import`` of what it hands back. A lent GPU runs the same
script with --device cuda --amp bf16; CI never has one, so this keeps the job from rotting."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from mer.pretrain import fer

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "device_fer.py"


def test_device_job_runs_on_cpu_and_its_output_imports(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for split, n in (("train", 48), ("validation", 16)):
        fer.pack_faces(rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), rng.integers(0, 7, n), tmp_path / "pack",
                       f"fer2013_{split}")
    env = {**os.environ, "MER_FER_PACK": str(tmp_path / "pack"), "MER_FER_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": str(SCRIPT.parents[1])}
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(SCRIPT), "run", "--device", "cpu", "--amp", "off", "--budget", "1",
                           "--max-epochs", "1", "--batch-size", "16", "--out", str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["small.json", "small.log", "small_best.pt", "student.json", "student.log", "student_best.pt",
                     "teacher.json", "teacher.log"]
    assert len(names) <= 8   # the device tool hands back at most 8 files
    assert "distilling from" in (out / "student.log").read_text()
    history = json.loads((out / "teacher.json").read_text())["state"]["history"]
    assert len(history) == 1

    # Back here: scored on the (tiny, monkeypatched) test split and written as the app's checkpoint.
    data = {s: (rng.integers(0, 256, (8, 48, 48), dtype=np.uint8), rng.integers(0, 7, 8)) for s in ("validation", "test")}
    monkeypatch.setattr(fer, "load_fer2013", lambda split: data[split])
    monkeypatch.setattr(fer, "load_ckplus", lambda: (data["test"][0], data["test"][1] % 6))
    fer.main(["import", str(out / "student_best.pt"), "--out", str(tmp_path / "visual_fer_gpu.pt")])
    meta = json.loads((tmp_path / "visual_fer_gpu.json").read_text())
    assert meta["architecture"]["widths"] == [32, 32, 64, 128, 256]
    assert meta["training"]["teacher"].endswith("best.pt") and meta["training"]["real_crop_aug"] == 0.3
    assert json.loads((out / "small.json").read_text())["args"]["real_crop_aug"] == 0.0
    assert meta["metrics"]["fer2013_test"]["n"] == 8
    state = torch.load(tmp_path / "visual_fer_gpu.pt")
    assert all(v.dtype == torch.float16 for v in state.values() if v.is_floating_point())
