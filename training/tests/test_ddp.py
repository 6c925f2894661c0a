"""Two CPU processes on gloo (torchrun) train the tiny model to the same weights."""
import os
import subprocess
import sys
from pathlib import Path

import torch

from mer.data.synthetic import make_synthetic

TRAINING = Path(__file__).resolve().parents[1]


def test_torchrun_two_processes(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    env = {**os.environ, "PYTHONPATH": str(TRAINING), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533", "--redirects", "2", "--tee", "1", "--log_dir", str(tmp_path / "logs"),
           "-m", "mer.train", "--config", str(TRAINING / "configs" / "tiny.yaml"), "--fresh",
           "--set", f"data.manifest={manifest}", f"train.out_dir={tmp_path / 'run'}", "train.epochs=1",
           "train.threads=1"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = torch.load(tmp_path / "run" / "last.pt", map_location="cpu")
    assert state["epoch"] == 0
    assert (tmp_path / "run" / "log.jsonl").read_text().count("\n") == 1
