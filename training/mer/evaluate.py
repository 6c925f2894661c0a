"""Evaluate a checkpoint and print the paper's table layout (Tables 2-3: per-class Acc / WA / F1
and Avg Acc, Avg WA, Avg F1), one row per decision (fused, audio, visual, text), each naming the
dataset, split and sample count.

  python -m mer.evaluate CHECKPOINT [--manifest FILE] [--split test] [--json OUT]
  python -m mer.evaluate CHECKPOINT --subsets      # also the fused result for each of the
                                                   # seven modality subsets (masks zeroed)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .config import config_from_dict
from .data.dataset import MERDataset
from .data.labels import encode
from .data.manifest import by_split
from .metrics import format_table, summarize
from .model import build_model
from .train import Trainable, TextEncoder, make_loader, predict, read_rows

SUBSETS = {"A": (1, 0, 0), "V": (0, 1, 0), "T": (0, 0, 1), "A+V": (1, 1, 0), "A+T": (1, 0, 1),
           "V+T": (0, 1, 1), "A+V+T": (1, 1, 1)}


class _Masked(torch.nn.Module):
    def __init__(self, inner, keep):
        super().__init__()
        self.inner, self.keep = inner, keep

    def forward(self, batch):
        batch = dict(batch)
        batch["audio_mask"] = batch["audio_mask"] * self.keep[0]
        batch["visual_mask"] = batch["visual_mask"] * self.keep[1]
        batch["text_mask"] = batch["text_mask"] * self.keep[2]
        return self.inner(batch)


def onnx_predict(onnx_path: str, dataset: MERDataset) -> dict[str, np.ndarray]:
    """The exported graph's decisions over a dataset, one sample at a time (batch 1, as the app)."""
    from .export import run_onnxruntime
    from .model import INPUT_NAMES
    feeds = []
    for i in range(len(dataset)):
        item = dataset[i]
        feeds.append({"log_mel": item["log_mel"][None], "faces": item["faces"][None], "text_cls": item["text_cls"][None],
                      "audio_mask": item["audio_mask"][None], "visual_mask": item["visual_mask"][None],
                      "text_mask": item["text_mask"][None]})
    outs = run_onnxruntime(Path(onnx_path), feeds) if feeds else []
    result = {k: np.concatenate([o[k] for o in outs]) for k in ("fused", "audio", "visual", "text", "alpha")}
    result["present"] = np.stack([[f["audio_mask"].any(), f["visual_mask"].any(), f["text_mask"].any()] for f in feeds]).astype(np.float32)
    result["labels"] = dataset.labels
    return result


def evaluate(checkpoint: str, manifest: str | None = None, split: str | None = None, subsets: bool = False,
             threads: int = 2, fold: int | None = None, onnx_path: str | None = None) -> dict:
    torch.set_num_threads(threads)
    state = torch.load(checkpoint, map_location="cpu")
    config = config_from_dict(state["config"])
    model = build_model(config)
    model.load_state_dict(state["model"])
    text_encoder = None
    if config["text"]["encoder"] == "bert":
        text_encoder = TextEncoder({**config["text"], "pretrained": None}, model.text_dim)
        text_encoder.load_state_dict(state["text_encoder"])
    manifest = manifest or config["data"]["manifest"]
    split = split or config["data"]["test_split"]
    rows = [r for r in by_split(read_rows(manifest), split) if encode(r["labels"], config["labels"]).any()]
    if fold is not None:
        rows = [r for r in rows if r.get("fold") == fold]
    dataset = MERDataset(rows, config, train=False)
    pad_id = 0
    if text_encoder is not None:
        from .text.tokenizer import BertWordPieceTokenizer
        tok = BertWordPieceTokenizer.from_dir(config["text"]["tokenizer"], config["text"]["max_length"])
        dataset.tokenize, pad_id = tok.encode, tok.pad_id
    loader = make_loader(dataset, config, False, 1, 0, pad_id)
    net = Trainable(model, text_encoder)
    if onnx_path:
        if text_encoder is not None:
            raise ValueError("--onnx needs precomputed text features (the fused graph takes I_t)")
        result = onnx_predict(onnx_path, dataset)
    else:
        result = predict(net, loader)
    tables = {}
    rows_out = {"fused": summarize(result["fused"], result["labels"])}
    present = result["present"]
    for i, name in enumerate(("audio", "visual", "text")):
        have = present[:, i] > 0
        if have.any():
            rows_out[f"{name} only (n with {name})"] = summarize(result[name][have], result["labels"][have])
    tables["decisions"] = rows_out
    if subsets and not onnx_path:
        sub = {}
        for name, keep in SUBSETS.items():
            r = predict(_Masked(net, keep), loader)
            ok = r["present"].sum(1) > 0
            if ok.any():
                sub[name] = summarize(r["fused"][ok], r["labels"][ok])
        tables["subsets"] = sub
    alpha = result["alpha"][present.sum(1) > 0]
    name = ", ".join(Path(m).name for m in (manifest if isinstance(manifest, list) else [manifest]))
    if onnx_path:
        name += f" [{Path(onnx_path).name}]"
    return {"dataset": name + (f" fold {fold}" if fold is not None else ""), "split": split, "n": int(len(rows)), "labels": config["label_names"],
            "label_set": config["labels"] if isinstance(config["labels"], str) else "custom",
            "tables": tables, "mean_alpha": alpha.mean(0).tolist() if len(alpha) else None}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--manifest", help="default: the checkpoint config's data.manifest")
    ap.add_argument("--split", help="default: the config's data.test_split")
    ap.add_argument("--subsets", action="store_true", help="fused results per modality subset")
    ap.add_argument("--fold", type=int, help="only rows with this cross-validation fold")
    ap.add_argument("--onnx", help="score this exported graph (onnxruntime-node) instead of PyTorch")
    ap.add_argument("--style", choices=("iemocap", "mosei", "all"), help="per-class metrics: Acc+F1, WA+F1 "
                    "or all (default: mosei for the mosei6 label set, iemocap otherwise)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)
    res = evaluate(args.checkpoint, args.manifest, args.split, args.subsets, fold=args.fold, onnx_path=args.onnx)
    style = args.style or ("mosei" if res["label_set"] == "mosei6" else "iemocap")
    for name, rows in res["tables"].items():
        print(format_table(rows, res["labels"], f"{res['dataset']} ({name})", f"{res['split']}, n={res['n']}", style))
        print()
    if res["mean_alpha"]:
        print("mean alpha (audio, visual, text):", ", ".join(f"{a:.3f}" for a in res["mean_alpha"]))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
