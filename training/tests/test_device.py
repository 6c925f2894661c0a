"""Devices, mixed precision, checkpoints and thresholds on the CPU (the GPU side: test_gpu.py):
--device/--amp choices and errors (mixed precision is CUDA-only), checkpoints that load with
torch.load(weights_only=True) (best.pt without optimizer state, optionally fp16), metrics from
tensors, and Dai et al.'s threshold tuning."""
import json

import numpy as np
import pytest
import torch

from _mer_helpers import TINY
from mer.compat import load_checkpoint, onnx_export
from mer.config import load_config
from mer.data.synthetic import make_synthetic
from mer.device import check_amp, resolve_device
from mer.metrics import summarize, tune_thresholds


def _config(tmp_path, manifest, **train):
    raw = json.loads(json.dumps(TINY))
    raw["data"] = {"manifest": str(manifest)}
    raw["train"] = {"threads": 1, "epochs": 2, "lr": 5e-3, "backbone_lr": 5e-3, "batch_size": 8,
                    "out_dir": str(tmp_path / "run"), "device": "cpu", **train}
    return load_config(None, raw)


def test_device_and_amp_choices():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="valid are"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="--device cpu"):
            resolve_device("cuda")
    for amp in ("fp16", "bf16"):
        with pytest.raises(ValueError, match="needs a CUDA device"):
            check_amp(amp, torch.device("cpu"))
    assert check_amp("off", torch.device("cpu")) == "off"
    with pytest.raises(ValueError, match="valid are"):
        check_amp("int4", torch.device("cpu"))


def test_weights_only_checkpoints_best_without_optimizer_in_fp16(tmp_path):
    from mer.evaluate import evaluate
    from mer.train import train
    manifest = make_synthetic(tmp_path / "data", n=32, max_t=2)
    result = train(_config(tmp_path, manifest, best_fp16=True), fresh=True, quiet=True)
    assert result["device"] == "cpu" and all(np.isfinite(e["train_loss"]) for e in result["history"])
    for name in ("best.pt", "last.pt"):
        raw = torch.load(tmp_path / "run" / name, map_location="cpu", weights_only=True)   # no pickle trust needed
        assert raw["format"] == "mer-checkpoint/2"
    best, last = load_checkpoint(tmp_path / "run" / "best.pt"), load_checkpoint(tmp_path / "run" / "last.pt")
    assert "optimizer" not in best and "rng" not in best and "optimizer" in last
    assert all(v.dtype == torch.float16 for v in best["model"].values() if v.is_floating_point())
    assert all(v.dtype == torch.float32 for v in last["model"].values() if v.is_floating_point())
    res = evaluate(str(tmp_path / "run" / "best.pt"), split="test", threads=1, device="cpu")
    assert res["n"] > 0 and "decisions" in res["tables"]


def test_metrics_accept_tensors_and_thresholds_follow_dai():
    rng = np.random.default_rng(0)
    probs = rng.random((40, 3)).astype(np.float32)
    labels = (rng.random((40, 3)) > 0.6).astype(np.float32)
    assert summarize(torch.from_numpy(probs), torch.from_numpy(labels)) == summarize(probs, labels)
    # One class separable at 0.3, one only by predicting everything positive (lowest grid value).
    p = np.array([[0.1, 0.2], [0.28, 0.2], [0.33, 0.2], [0.9, 0.2]], np.float32)
    y = np.array([[0, 1], [0, 1], [1, 0], [1, 1]], np.float32)
    t = tune_thresholds(p, y)
    assert t[0] == pytest.approx(0.3) and t[1] == pytest.approx(0.05)
    tuned = summarize(p, y, t, strict=True)
    assert tuned["per_class"]["f1"][0] == 1.0 and tuned["thresholds"] == [pytest.approx(0.3), pytest.approx(0.05)]


def test_onnx_export_uses_the_torchscript_exporter(tmp_path, monkeypatch):
    import inspect
    calls = {}
    real = torch.onnx.export

    def spy(*args, **kwargs):
        calls.update(kwargs)
        return real(*args, **kwargs)
    monkeypatch.setattr(torch.onnx, "export", spy)
    onnx_export(torch.nn.Linear(2, 2), (torch.zeros(1, 2),), tmp_path / "l.onnx", opset_version=17)
    has_dynamo = "dynamo" in inspect.signature(real).parameters
    assert calls.get("dynamo", False) is False and (("dynamo" in calls) == has_dynamo)


def test_older_pickled_checkpoints_still_load_with_a_warning(tmp_path):
    import random
    from mer.compat import set_rng_state
    old = {"epoch": 3, "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}}
    torch.save(old, tmp_path / "old.pt")
    with pytest.warns(UserWarning, match="weights_only"):
        state = load_checkpoint(tmp_path / "old.pt")
    assert state["epoch"] == 3
    set_rng_state(state["rng"])          # the older numpy/python tuples are still understood


def test_checkpoint_config_paths_are_repository_relative():
    from mer.config import REPO_ROOT, config_from_dict, portable
    config = load_config(None, {"data": {"manifest": "training/data/x.jsonl"}, "text": {"tokenizer": "public/models/text"}})
    stored = portable({k: v for k, v in config.items() if k != "label_names"})
    assert stored["data"]["manifest"] == "training/data/x.jsonl" and stored["text"]["tokenizer"] == "public/models/text"
    assert config_from_dict(stored)["text"]["tokenizer"] == str(REPO_ROOT / "public" / "models" / "text")
