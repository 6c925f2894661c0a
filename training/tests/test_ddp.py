"""Two CPU processes on gloo (torchrun) train the tiny model together; a rank that dies ends the
run with an error instead of leaving its peer waiting.

Debian's torch 1.13 torchrun under Python 3.12 cannot parse ``--redirects 0``/``--tee 0`` (its
defaults: enum.Flag no longer iterates the 0 and multi-bit members), so any non-zero single-bit
value must be given; ``--redirects 2 --tee 1`` keeps both streams visible.

Each run is its own process group (session): whatever happens, the test kills the whole group
at the end, so no rank outlives it. The time limits only bound a hang; they are generous so a
busy machine does not change the outcome."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from mer.compat import load_checkpoint
from mer.data.manifest import read_manifest
from mer.data.synthetic import make_synthetic

TRAINING = Path(__file__).resolve().parents[1]
HANG_LIMIT_S = 600


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun_two(tmp_path, manifest, *overrides, device: str = "cpu", amp: str = "off") -> tuple[int, str]:
    """Run 2-process training; returns (exit code, output). The process group is always killed."""
    env = {**os.environ, "PYTHONPATH": str(TRAINING), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port()),
           "--redirects", "2", "--tee", "1", "--log_dir", str(tmp_path / "logs"),
           "-m", "mer.train", "--config", str(TRAINING / "configs" / "tiny.yaml"), "--fresh", "--device", device, "--amp", amp,
           "--set", f"data.manifest={manifest}", f"train.out_dir={tmp_path / 'run'}", "train.epochs=1",
           "train.threads=1", "train.dist_timeout_s=300", *overrides]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=HANG_LIMIT_S)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        out = "hung"
        return -1, out
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)     # the launcher and every rank it started
        except ProcessLookupError:
            pass
        proc.wait()


def test_torchrun_two_processes(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    code, out = torchrun_two(tmp_path, manifest)
    assert code == 0, out[-3000:]
    state = load_checkpoint(tmp_path / "run" / "last.pt")
    assert state["epoch"] == 0
    log = (tmp_path / "run" / "log.jsonl").read_text().splitlines()
    assert len(log) == 1
    assert json.loads(log[0])["val_n"] == 4            # every validation row once, gathered from both ranks
    assert "world size 2" in out


def test_a_dead_rank_ends_the_run_with_an_error(tmp_path):
    """Rank 1 fails while reading its share of the validation split; rank 0 is then waiting in
    the gather. The run must end (non-zero) with rank 1's error, not hang."""
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    valid = [r for r in read_manifest(manifest) if r["split"] == "valid"]
    # DistributedSampler without shuffling gives rank 1 the rows at odd positions.
    Path(valid[1]["features"]).write_bytes(b"not an npz file")
    code, out = torchrun_two(tmp_path, manifest)
    assert code not in (0, -1), out[-3000:]
    assert "ChildFailedError" in out, out[-3000:]      # torchrun reports the failed rank
