"""Two CPU processes on gloo (torchrun) train the tiny model together.

Debian's torch 1.13 torchrun under Python 3.12 cannot parse ``--redirects 0``/``--tee 0`` (its
defaults: enum.Flag no longer iterates the 0 and multi-bit members), so any non-zero single-bit
value must be given; ``--redirects 2 --tee 1`` keeps both streams visible."""
import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from mer.compat import load_checkpoint
from mer.data.synthetic import make_synthetic

TRAINING = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_torchrun_two_processes(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    env = {**os.environ, "PYTHONPATH": str(TRAINING), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port()), "--redirects", "2", "--tee", "1", "--log_dir", str(tmp_path / "logs"),
           "-m", "mer.train", "--config", str(TRAINING / "configs" / "tiny.yaml"), "--fresh",
           "--set", f"data.manifest={manifest}", f"train.out_dir={tmp_path / 'run'}", "train.epochs=1",
           "train.threads=1"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = load_checkpoint(tmp_path / "run" / "last.pt")
    assert state["epoch"] == 0
    log = (tmp_path / "run" / "log.jsonl").read_text().splitlines()
    assert len(log) == 1
    assert json.loads(log[0])["val_n"] == 4            # every validation row once, gathered from both ranks
    assert "world size 2" in proc.stdout + proc.stderr
