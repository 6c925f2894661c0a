"""Training: learns a tiny synthetic task, deterministic under a seed, resumes from last.pt,
caches frozen groups; evaluate prints the table."""
import json

import numpy as np
import torch

from _mer_helpers import TINY
from mer.config import load_config
from mer.compat import load_checkpoint
from mer.data.synthetic import make_synthetic
from mer.evaluate import evaluate
from mer.train import train


def _config(tmp_path, manifest, **train_overrides):
    raw = json.loads(json.dumps(TINY))
    raw["data"] = {"manifest": str(manifest)}
    raw["train"] = {"threads": 1, "epochs": 3, "patience": 5, "lr": 5e-3, "backbone_lr": 5e-3,
                    "batch_size": 8, "out_dir": str(tmp_path / "run"), **train_overrides}
    return load_config(None, raw)


def test_learns_resumes_and_is_deterministic(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=64, max_t=3)
    first = train(_config(tmp_path, manifest), fresh=True, quiet=True)
    assert first["best"]["avg_f1"] > 0.5
    log = [json.loads(l) for l in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in log] == [0, 1, 2]
    assert log[-1]["train_loss"] < log[0]["train_loss"]
    # Resume: two more epochs continue from epoch 3.
    resumed = train(_config(tmp_path, manifest, epochs=5), quiet=True)
    assert [e["epoch"] for e in resumed["history"]] == [3, 4]
    # Same seed, fresh run elsewhere -> identical losses.
    again = train(_config(tmp_path, manifest, out_dir=str(tmp_path / "run2")), fresh=True, quiet=True)
    assert np.allclose([e["train_loss"] for e in again["history"]], [e["train_loss"] for e in log[:3]])
    res = evaluate(str(tmp_path / "run" / "best.pt"), split="test", subsets=True, threads=1)
    assert res["n"] > 0 and set(res["tables"]["subsets"]) == {"A", "V", "T", "A+V", "A+T", "V+T", "A+V+T"}


def test_cached_frozen_groups(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=24, max_t=3)
    cfg = _config(tmp_path, manifest, epochs=1)
    cfg["data"]["cache_frozen"] = True
    cfg["data"]["cache_dir"] = str(tmp_path / "cache")
    result = train(cfg, fresh=True, quiet=True)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 21  # train + valid rows
    assert np.isfinite(result["history"][0]["train_loss"])


def test_end_to_end_bert_text_and_export(tmp_path):
    """text.encoder: bert — transcripts tokenized, BERT fine-tuned with the model, exported with it."""
    import shutil
    from pathlib import Path
    from mer.export import export_text_encoder
    tokenizer = Path(__file__).resolve().parents[3] / "shared/weights/bert-base-uncased-tokenizer"
    if not tokenizer.exists():
        import pytest
        pytest.skip("needs ../shared tokenizer")
    manifest = make_synthetic(tmp_path / "data", n=16, max_t=2)
    cfg = _config(tmp_path, manifest, epochs=1)
    cfg["text"].update({"encoder": "bert", "tokenizer": str(tokenizer), "max_length": 16,
                        "bert_config": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                                        "intermediate_size": 32, "max_position_embeddings": 32}})
    result = train(cfg, fresh=True, quiet=True)
    assert np.isfinite(result["history"][0]["train_loss"])
    state = load_checkpoint(tmp_path / "run" / "last.pt")
    assert state["text_encoder"] and any(k.startswith("bert.encoder.layer.0") for k in state["text_encoder"])
    res = evaluate(str(tmp_path / "run" / "last.pt"), split="test", threads=1)
    assert res["n"] > 0
    if shutil.which("node"):
        files = export_text_encoder(tmp_path / "run" / "last.pt", tmp_path / "out")
        assert "onnx/model.onnx" in files and "config.json" in files


def test_resumed_run_equals_uninterrupted_run(tmp_path):
    manifest = make_synthetic(tmp_path / "data", n=24, max_t=2)
    full = train(_config(tmp_path, manifest, epochs=3, out_dir=str(tmp_path / "full")), fresh=True, quiet=True)
    train(_config(tmp_path, manifest, epochs=2, out_dir=str(tmp_path / "split")), fresh=True, quiet=True)
    rest = train(_config(tmp_path, manifest, epochs=3, out_dir=str(tmp_path / "split")), quiet=True)
    assert np.isclose(rest["history"][0]["train_loss"], full["history"][2]["train_loss"], rtol=1e-5)
