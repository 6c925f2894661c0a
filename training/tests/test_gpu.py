"""GPU smoke tests: run where CUDA is present (a researcher's machine, a lent GPU), skipped with
the reason printed elsewhere (CI, 2-core CPU boxes). They train the tiny model on the GPU in
bf16 and fp16 (GradScaler), evaluate there, check the checkpoints load weights-only, time one
step of the paper's configuration (printed, never asserted) and, with 2+ GPUs, run DDP on NCCL."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from _mer_helpers import TINY
from mer.config import TRAINING_DIR, load_config
from mer.data.synthetic import make_synthetic

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason=f"no CUDA GPU visible to torch {torch.__version__} (CPU-only machine)")


def _config(tmp_path, manifest, **train):
    raw = json.loads(json.dumps(TINY))
    raw["data"] = {"manifest": str(manifest), "num_workers": 2}
    raw["train"] = {"epochs": 2, "batch_size": 8, "lr": 5e-3, "backbone_lr": 5e-3, "out_dir": str(tmp_path / "run"),
                    "device": "cuda", **train}
    return load_config(None, raw)


@pytest.mark.parametrize("amp", ["off", "bf16", "fp16"])
def test_tiny_model_trains_and_evaluates_on_cuda(tmp_path, amp):
    from mer.evaluate import evaluate
    from mer.train import train
    manifest = make_synthetic(tmp_path / "data", n=48, max_t=3)
    result = train(_config(tmp_path, manifest, amp=amp), fresh=True, quiet=True)
    assert result["device"].startswith("cuda")
    assert all(np.isfinite(e["train_loss"]) for e in result["history"])
    raw = torch.load(tmp_path / "run" / "best.pt", map_location="cpu", weights_only=True)
    assert raw["format"] == "mer-checkpoint/2"
    res = evaluate(str(tmp_path / "run" / "best.pt"), split="test", device="cuda", amp=amp if amp != "fp16" else "off")
    assert res["n"] > 0 and res["device"].startswith("cuda")


def test_metrics_take_device_tensors():
    from mer.metrics import summarize, tune_thresholds
    probs = torch.rand(20, 4, device="cuda")
    labels = (torch.rand(20, 4, device="cuda") > 0.5).float()
    ref = summarize(probs.cpu().numpy(), labels.cpu().numpy())
    assert summarize(probs, labels) == ref
    assert np.array_equal(tune_thresholds(probs, labels), tune_thresholds(probs.cpu().numpy(), labels.cpu().numpy()))


def test_paper_configuration_step_time():
    """Steps of the paper's model (VGGish + ResNet18 at 224 px + BERT-base, random weights) on
    batch 8 x 32 segments in bf16; prints the time, peak memory and an IEMOCAP epoch's compute."""
    from mer.step_time import step_time
    config = load_config(str(TRAINING_DIR / "configs" / "paper_iemocap.yaml"))
    for amp in ("off", "bf16"):
        res = step_time(config, "cuda", amp, batch=8, segments=32, steps=3)
        epoch_min = int(np.ceil(5162 / 8)) * res["step_s"] / 60
        print(f"\npaper config, {res['device']}, amp {amp}: step {res['step_s']:.3f} s (batch 8 x 32 segments), "
              f"peak {res['peak_gib']:.1f} GiB; IEMOCAP train epoch about {epoch_min:.1f} min of model compute")
        assert res["loss_finite"]


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="DDP on NCCL needs 2 GPUs")
def test_torchrun_nccl_two_gpus(tmp_path):
    from test_ddp import torchrun_two
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    code, out = torchrun_two(tmp_path, manifest, device="cuda", amp="bf16")
    assert code == 0, out[-3000:]
    assert "world size 2; device cuda" in out
