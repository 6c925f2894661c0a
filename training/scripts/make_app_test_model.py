"""A small custom model made the way training/README.md's recipe makes one, for the app's
end-to-end test of custom models (e2e/custom-model.spec.ts): a generated Dai-layout IEMOCAP tree
-> adapters -> prepare (the app's own face crops, features.json) -> train (2 steps) -> evaluate ->
export into OUT (fusion.onnx, fusion.json: IEMOCAP's 6 labels in the graph's metadata). The tiny
architecture with the app's text dimension, so the page can feed it; about a minute on 2 cores.

  /usr/bin/python3 training/scripts/make_app_test_model.py OUT [--labels iemocap6]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mer import evaluate, export, train  # noqa: E402
from mer.config import TRAINING_DIR  # noqa: E402
from mer.data import adapters, prepare  # noqa: E402
from mer.data.synthetic import make_dai_tree  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder for fusion.onnx and fusion.json")
    ap.add_argument("--labels", default="iemocap6", help="label set (iemocap6, mosei6, ekman7)")
    args = ap.parse_args(argv)
    out = Path(args.out).resolve()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        data = make_dai_tree(tmp / "DATA", "iemocap", per_split=(4, 2, 2), seconds=1.0)
        raw, prepared = tmp / "raw.jsonl", tmp / "prepared.jsonl"
        config = tmp / "config.yaml"
        config.write_text(yaml.safe_dump({
            "base": str(TRAINING_DIR / "configs" / "tiny.yaml"), "name": f"app_test_{args.labels}", "labels": args.labels,
            "model": {"text_dim": None},          # features.json's: what the app's text encoder gives
            "data": {"manifest": str(prepared)},
            "eval": {"thresholds": "tuned"},
            "train": {"epochs": 1, "max_steps_per_epoch": 2, "batch_size": 2, "out_dir": str(tmp / "run"), "threads": 2},
        }))
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            adapters.main(["iemocap-dai", "--root", str(data), "--out", str(raw)])
            prepare.main([str(raw), "--out", str(prepared), "--config", str(config), "--features-dir", str(tmp / "features"),
                          "--random-frames", "1"])
            train.main(["--config", str(config), "--fresh", "--device", "cpu"])
            evaluate.main([str(tmp / "run" / "best.pt"), "--device", "cpu", "--json", str(tmp / "eval.json")])
            export.main([str(tmp / "run" / "best.pt"), "--out", str(out)])
        evaluation = json.loads((tmp / "eval.json").read_text())
    info = json.loads((out / "fusion.json").read_text())
    print(json.dumps({"out": str(out), "labels": info["labels"], "test_n": evaluation["n"]}))


if __name__ == "__main__":
    main()
