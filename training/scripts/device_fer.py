"""The prepared job for a lent GPU (DEVELOPERS.md, "A GPU, sometimes"): face classifiers on FER2013
for issue 13's target (PrivateTest >= 0.70 with a network small enough for the app).

One device call trains three runs side by side, sized to a time budget measured on the machine:
- ``teacher``: the compact ResNet18 shape at full width (64-512 channels, about 11 M parameters);
- ``small``: the shippable width (32-256, about 2.8 M, what ``default_fusion.yaml`` can load) from scratch;
- ``student``: the shippable width distilled from the teacher once it is done.
The teacher and the student train with the real-video look (``--real-crop-aug``), ``small`` without. What comes back (at most 8 files
under 16 MiB, the device tool's limit): each run's best weights in fp16 and its history.

Here, before the call (the tracked tree alone is near the 64 MiB a call may carry):
    PYTHONPATH=training /usr/bin/python3 -m mer.pretrain.fer pack        # training/.device/, ~49 MB
    /usr/bin/python3 training/scripts/device_fer.py aside                # heavy tracked files out of the tree
device run (carry ["training/.device"]):
    PYTHONUNBUFFERED=1 python3 training/scripts/device_fer.py run --budget 420 --out $OUT
then here:
    /usr/bin/python3 training/scripts/device_fer.py restore
    PYTHONPATH=training /usr/bin/python3 -m mer.pretrain.fer import <files_at>/student_best.pt \
        --out training/checkpoints/visual_fer_gpu.pt --real-crops <prepare-dataset folder of the dev clips>
``import`` scores the weights here, from ../shared, not on the device: FER2013 PrivateTest, CK+ and
the app's own crops of the 72 real dev clips.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ASIDE = REPO.parent / ".device_aside"
# Tracked files the job does not read, moved out of the tree for the call and back after it.
HEAVY = ("public/models", "training/checkpoints/text_bert.pt", "training/checkpoints/audio_speech.pt",
         "src/features/audio/__golden__", "src/features/face/__golden__", "bench/latest.json", "package-lock.json")

# The mini-Xception fine-tuned with the real-video look on the CPU lost ground everywhere (FER2013
# PrivateTest 0.624 -> 0.602, the dev clips' crops 0.319 -> 0.292): "small" is the plain recipe,
# the student gets both the look and the teacher, so the two answer whether they help a wider net.
RUNS = {
    "teacher": {"widths": [64, 64, 128, 256, 512], "real_crop_aug": 0.3},
    "small": {"widths": [32, 32, 64, 128, 256], "real_crop_aug": 0.0},
    "student": {"widths": [32, 32, 64, 128, 256], "real_crop_aug": 0.3, "teacher": "teacher"},
}
COMMON = ["--arch", "face_resnet", "--blocks", "2", "2", "2", "2", "--first-layer-stride", "2",
          "--lr", "0.1", "--warmup-epochs", "2", "--threads", "4", "--no-export",
          "--log-every", "100000"]
DEVICE = {"device": "cuda", "amp": "bf16", "batch_size": 128}   # the smoke test: cpu / off / a small batch


def cache_dir() -> Path:
    return Path(os.environ.get("MER_FER_CACHE", REPO / "training" / ".cache"))


def command(name: str, epochs: int, run: str | None = None) -> list[str]:
    spec = RUNS[name]
    cmd = [sys.executable, "-m", "mer.pretrain.fer", "train", "--run", run or f"gpu_{name}", "--epochs", str(epochs),
           "--widths", *map(str, spec["widths"]), "--real-crop-aug", str(spec["real_crop_aug"]), *COMMON, "--device", DEVICE["device"], "--amp", DEVICE["amp"],
           "--batch-size", str(DEVICE["batch_size"])]
    if "teacher" in spec:
        cmd += ["--teacher", str(cache_dir() / f"fer_gpu_{spec['teacher']}" / "best.pt")]
    return cmd


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "training"), "PYTHONUNBUFFERED": "1"}
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def epoch_seconds(run: str) -> float:
    import torch

    state = torch.load(cache_dir() / f"fer_{run}" / "last.pt", map_location="cpu")["state"]
    return float(state["history"][-1]["seconds"])


def collect(name: str, out: Path) -> None:
    """The run's best weights as fp16 (what ``mer.pretrain.fer import`` reads) and its history."""
    import torch

    run_dir = cache_dir() / f"fer_gpu_{name}"
    best = torch.load(run_dir / "best.pt", map_location="cpu")
    last = torch.load(run_dir / "last.pt", map_location="cpu")
    half = {k: (v.half() if v.is_floating_point() else v) for k, v in best["model"].items()}
    torch.save({"arch": best["arch"], "model": half, "epoch": best["epoch"], "state": last["state"],
                "args": last["args"]}, out / f"{name}_best.pt")
    (out / f"{name}.json").write_text(json.dumps({"state": last["state"], "args": last["args"]}, indent=1) + "\n")
    print(f"{name}: best epoch {best['epoch']} validation {last['state']['best_val_accuracy']}", flush=True)


def run(budget: float, out: Path, max_epochs: int = 120) -> None:
    import torch

    t0 = time.time()
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    print(f"torch {torch.__version__}, {gpu}, {DEVICE}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    # Probe: one epoch of the two widths side by side, as they will run.
    probes = [start(command(n, 1, run=f"probe_{n}"), out / f"probe_{n}.log") for n in ("teacher", "small")]
    if any(p.wait() for p in probes):
        sys.exit("probe failed: " + (out / "probe_teacher.log").read_text()[-2000:])
    s_teacher, s_small = epoch_seconds("probe_teacher"), epoch_seconds("probe_small")
    left = budget - (time.time() - t0)
    e_teacher = max(1, min(max_epochs, math.floor(0.5 * left / s_teacher)))
    e_student = max(1, min(max_epochs, math.floor(0.4 * left / s_small)))
    e_small = max(1, min(max_epochs, math.floor(0.9 * left / s_small)))
    print(f"epoch {s_teacher:.1f} s (teacher), {s_small:.1f} s (small); {left:.0f} s left -> epochs "
          f"teacher {e_teacher}, student {e_student}, small {e_small}", flush=True)
    small = start(command("small", e_small), out / "small.log")
    teacher = start(command("teacher", e_teacher), out / "teacher.log")
    if teacher.wait():
        sys.exit("teacher failed: " + (out / "teacher.log").read_text()[-2000:])
    student = start(command("student", e_student), out / "student.log")
    codes = {"student": student.wait(), "small": small.wait()}
    for name in ("small", "student"):
        if codes[name]:
            print(f"{name} failed:\n" + (out / f"{name}.log").read_text()[-2000:], flush=True)
        else:
            collect(name, out)
    last = torch.load(cache_dir() / "fer_gpu_teacher" / "last.pt", map_location="cpu")
    (out / "teacher.json").write_text(json.dumps({"state": last["state"], "args": last["args"]}, indent=1) + "\n")
    for probe in ("probe_teacher", "probe_small"):
        (out / f"{probe}.log").unlink(missing_ok=True)
    print(f"done in {time.time() - t0:.0f} s", flush=True)


def aside() -> None:
    ASIDE.mkdir(exist_ok=True)
    for rel in HEAVY:
        src = REPO / rel
        if src.exists():
            dst = ASIDE / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), str(dst))
            print(f"aside: {rel}")
    print("restore with: device_fer.py restore")


def restore() -> None:
    for rel in HEAVY:
        src = ASIDE / rel
        if src.exists():
            (REPO / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), str(REPO / rel))
            print(f"restored: {rel}")
    subprocess.run(["git", "status", "--short"], cwd=REPO)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="on the device: probe, then train teacher, small and student within --budget")
    r.add_argument("--budget", type=float, default=420, help="seconds for the whole job")
    r.add_argument("--out", default=os.environ.get("OUT", "device_out"))
    r.add_argument("--max-epochs", type=int, default=120)
    r.add_argument("--device", default="cuda", help="cpu for the smoke test")
    r.add_argument("--amp", default="bf16")
    r.add_argument("--batch-size", type=int, default=128)
    sub.add_parser("aside", help="here: move heavy tracked files out of the tree before the call")
    sub.add_parser("restore", help="here: put them back after the call")
    args = p.parse_args(argv)
    if args.command == "run":
        DEVICE.update(device=args.device, amp=args.amp, batch_size=args.batch_size)
        run(args.budget, Path(args.out), args.max_epochs)
    elif args.command == "aside":
        aside()
    else:
        restore()


if __name__ == "__main__":
    main(sys.argv[1:])
