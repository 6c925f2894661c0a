"""training/README.md's recipe, end to end, on a small Dai-layout tree generated here (drawn faces
at 30 fps, speech-like audio, split lists): adapters -> prepare (crops at the model config's
size and channels, compressed, in worker processes) -> train (2 steps) -> evaluate (Dai's tuned
thresholds beside 0.5) -> export (the graph carries its labels) -> the app's manifest (that
model's labels; a graph for other crops refused). Nothing read from ../shared."""
from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import onnx
import pytest
import yaml

from mer.config import REPO_ROOT, TRAINING_DIR, load_features
from mer.data import adapters, prepare
from mer.data.labels import label_names
from mer.data.manifest import read_manifest
from mer.data.synthetic import make_dai_tree

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg (audio decoding)")


def _config(tmp_path, labels: str, manifest, **data) -> str:
    """A tiny model that takes 3x64x64 faces (not features.json's 1x48x48) and fine-tunes a tiny
    BERT with the app's tokenizer; Dai's evaluation protocol."""
    raw = {
        "base": str(TRAINING_DIR / "configs" / "tiny.yaml"), "name": f"dai_{labels}", "labels": labels,
        "model": {"face": {"channels": 3, "size": 64},
                  "visual": {"backbone": {"name": "tiny", "in_channels": 3}, "sem_after": [3], "freeze_groups": 1}},
        "text": {"encoder": "bert", "tokenizer": "public/models/text", "max_length": 16,
                 "bert_config": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                                 "intermediate_size": 32, "max_position_embeddings": 32}},
        "data": {"manifest": str(manifest), **data},
        "eval": {"thresholds": "tuned"},
        "train": {"epochs": 1, "max_steps_per_epoch": 2, "batch_size": 2, "out_dir": str(tmp_path / "run"),
                  "threads": 1, "best_fp16": True},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def test_iemocap_recipe_from_dai_folders_to_the_app(tmp_path, capsys):
    from mer import evaluate, export, train
    data = make_dai_tree(tmp_path / "DATA", "iemocap", per_split=(4, 2, 2), seconds=1.0)
    raw, prepared = tmp_path / "iemocap_raw.jsonl", tmp_path / "iemocap_dai.jsonl"
    config = _config(tmp_path, "iemocap6", prepared)

    adapters.main(["iemocap-dai", "--root", str(data), "--out", str(raw)])
    assert len(read_manifest(raw)) == 8
    prepare.main([str(raw), "--out", str(prepared), "--config", config, "--features-dir", str(tmp_path / "features"),
                  "--random-frames", "1", "--workers", "2"])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["prepared"] == 8 and not summary["failures"] and summary["segments_per_s"] > 0
    rows = read_manifest(prepared)
    with np.load(rows[0]["features"]) as z:
        assert z["faces"].dtype == np.uint8 and z["faces"].shape[1:] == (3, 64, 64)
        assert z["log_mel"].dtype == np.float16 and z["log_mel"].shape[1:] == (96, 64)
        assert z["visual_mask"].all() and z["audio_mask"].all()     # the drawn face is found, the speech is heard
    # Resumable: a second run finds every feature file and prepares nothing.
    prepare.main([str(raw), "--out", str(prepared), "--config", config, "--features-dir", str(tmp_path / "features"),
                  "--random-frames", "1"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["prepared"] == 0

    train.main(["--config", config, "--fresh", "--device", "cpu"])
    best = tmp_path / "run" / "best.pt"
    assert best.exists()
    evaluate.main([str(best), "--device", "cpu", "--json", str(tmp_path / "eval.json")])
    res = json.loads((tmp_path / "eval.json").read_text())
    assert res["n"] == 2 and res["valid_n"] == 2 and res["split"] == "test"
    assert {"decisions", "decisions_tuned"} <= set(res["tables"])
    assert all(round(t / 0.05) * 0.05 == pytest.approx(t) for t in res["thresholds"]["fused"])

    export.main([str(best), "--out", str(tmp_path / "app")])
    info = json.loads((tmp_path / "app" / "fusion.json").read_text())
    names = label_names("iemocap6")
    assert info["labels"] == names and (tmp_path / "app" / "text" / "tokenizer.json").exists()
    meta = {p.key: p.value for p in onnx.load(str(tmp_path / "app" / "fusion.onnx")).metadata_props}
    assert json.loads(meta["labels"]) == names and float(meta["segment_seconds"]) == 0.96
    _app_manifest(tmp_path, names)


def _write_manifest(models) -> subprocess.CompletedProcess:
    vad = load_features()["audio"].get("vad", {}).get("model")
    if vad and not (models / vad).exists():
        if not (REPO_ROOT / "public" / "models" / vad).exists():
            pytest.skip(f"public/models/{vad} absent (node scripts/copy-runtime-assets.mjs makes it)")
        shutil.copy(REPO_ROOT / "public" / "models" / vad, models / vad)
    return subprocess.run(["node", str(REPO_ROOT / "scripts" / "write-manifest.mjs"), "--models", str(models)],
                          capture_output=True, text=True, cwd=REPO_ROOT)


def _app_manifest(tmp_path, names):
    """The app's manifest takes the exported model's labels; a graph made for other face crops than
    the app's front end is refused with the reason, not relabelled or fed the wrong crops."""
    if shutil.which("node") is None:
        pytest.skip("needs node (scripts/write-manifest.mjs)")
    from mer import export
    refused = _write_manifest(tmp_path / "app")
    assert refused.returncode == 1 and "3x64x64 faces" in refused.stderr and "face.crop" in refused.stderr
    config = tmp_path / "app_config.yaml"      # the app's own crop and text size (features.json), IEMOCAP's labels
    config.write_text(yaml.safe_dump({"base": str(TRAINING_DIR / "configs" / "tiny.yaml"), "labels": "iemocap6",
                                      "model": {"text_dim": 16}}))
    narrow = tmp_path / "narrow"              # tiny.yaml's 16-number text vector: the app's text encoder gives 256
    export.main(["--random", "--config", str(config), "--out", str(narrow)])
    refused = _write_manifest(narrow)
    assert refused.returncode == 1 and "text vector of 16 numbers" in refused.stderr and "model.text_dim 256" in refused.stderr
    config.write_text(yaml.safe_dump({"base": str(TRAINING_DIR / "configs" / "tiny.yaml"), "labels": "iemocap6",
                                      "model": {"text_dim": None}}))
    export.main(["--random", "--config", str(config), "--out", str(tmp_path / "app2")])
    written = _write_manifest(tmp_path / "app2")
    assert written.returncode == 0, written.stderr
    assert json.loads((tmp_path / "app2" / "manifest.json").read_text())["labels"] == names


def test_mosei_layout_split_spellings_and_unlabelled_clips(tmp_path):
    """MOSEI with the lower-case split folder; the clip with no emotion is kept (labels []); one or
    two prepare processes give identical features; with no split lists at all the adapter stops
    with an error naming --splits (no silent fallback)."""
    from mer.train import select_rows
    from mer.config import load_config
    data = make_dai_tree(tmp_path / "DATA", "mosei", per_split=(1, 1, 2), seconds=0.5, split_folder="MOSEI_split")
    rows = list(adapters.mosei_dai(data))
    assert [r["split"] for r in rows] == ["train", "valid", "test", "test"] and rows[-1]["labels"] == []
    keep = load_config(str(TRAINING_DIR / "configs" / "paper_mosei.yaml"))
    drop = load_config(str(TRAINING_DIR / "configs" / "paper_mosei.yaml"), {"data": {"keep_unlabelled": False}})
    assert len(select_rows(rows, keep)) == 4 and len(select_rows(rows, drop)) == 3
    # Prepared in one process or two, the MOSEI frame folders give the same features.
    adapters.main(["mosei-dai", "--root", str(data), "--out", str(tmp_path / "raw.jsonl")])
    made = {}
    for workers in (1, 2):
        prepare.prepare_manifest(str(tmp_path / "raw.jsonl"), str(tmp_path / f"p{workers}.jsonl"),
                                 str(tmp_path / f"f{workers}"), random_frames=1, quiet=True, workers=workers)
        made[workers] = {r["id"]: dict(np.load(r["features"])) for r in read_manifest(tmp_path / f"p{workers}.jsonl")}
    assert made[1].keys() == made[2].keys() and len(made[1]) == 4
    for uid, arrays in made[1].items():
        assert arrays.keys() == made[2][uid].keys()
        assert all(np.array_equal(arrays[k], made[2][uid][k]) for k in arrays)
        assert arrays["faces"].shape[1:] == (1, 48, 48) and arrays["visual_mask"].all()   # features.json's crop
    (data / "MOSEI_split").rename(tmp_path / "lists")
    with pytest.raises(FileNotFoundError, match="--splits"):
        list(adapters.mosei_dai(data))
    assert len(list(adapters.mosei_dai(data, tmp_path / "lists"))) == 4


def test_paper_configs_need_nothing_outside_the_repository():
    from mer.config import load_config
    for name in ("paper_iemocap.yaml", "paper_mosei.yaml"):
        text = load_config(str(TRAINING_DIR / "configs" / name))["text"]
        for key in ("bert_config", "tokenizer"):
            assert str(REPO_ROOT.resolve()) in text[key] and "shared" not in text[key].replace(str(REPO_ROOT), "")
