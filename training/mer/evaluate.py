"""Evaluate a checkpoint and print the paper's table layout (Tables 2-3: per-class Acc / WA / F1
and Avg Acc, Avg WA, Avg F1), one row per decision (fused, audio, visual, text), each naming the
dataset, split and sample count.

  python -m mer.evaluate CHECKPOINT [--manifest FILE] [--split test] [--json OUT] [--device auto]
  python -m mer.evaluate CHECKPOINT --subsets      # also the fused result for each of the
                                                   # seven modality subsets (masks zeroed)
  python -m mer.evaluate CHECKPOINT --thresholds tuned|fixed|both

Thresholds (mer/metrics.py): ``fixed`` is 0.5 for every class; ``tuned`` is Dai et al. 2021's
protocol (github.com/wenliangdai/Multimodal-End2end-Sparse, src/evaluate.py ``eval_iemocap``):
per class the threshold of 0.05, 0.10, ..., 0.95 with the best F1 on the validation split,
applied to the evaluated split; each decision (fused, audio, ...) gets its own. The default,
``both``, prints the tuned table beside the fixed one when the config says ``eval.thresholds:
tuned`` (the paper configs), else the fixed one only.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .compat import load_checkpoint
from .config import config_from_dict
from .data.dataset import MERDataset
from .data.manifest import by_split
from .device import AMP_CHOICES, DEVICE_CHOICES, check_amp, resolve_device
from .metrics import format_table, summarize, tune_thresholds
from .model import build_model
from .train import Trainable, TextEncoder, make_loader, predict, read_rows, select_rows

THRESHOLD_MODES = ("fixed", "tuned", "both")
TABLE_TITLES = {"decisions": "decisions, threshold 0.5",
                "decisions_tuned": "decisions, per-class thresholds tuned on validation (Dai et al. 2021)",
                "subsets": "modality subsets, threshold 0.5",
                "subsets_tuned": "modality subsets, fused thresholds tuned on validation"}

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


def _scores(result: dict, thresholds: dict | None) -> dict:
    """Table rows (fused and each modality on the samples that have it) at 0.5 or at ``thresholds``
    (decision name -> per-class thresholds)."""
    rows_out = {}
    present = result["present"]
    for i, name in enumerate((None, "audio", "visual", "text")):
        key = name or "fused"
        have = present[:, i - 1] > 0 if name else np.ones(len(present), bool)
        if not have.any():
            continue
        label = "fused" if name is None else f"{name} only (n with {name})"
        if thresholds is None:
            rows_out[label] = summarize(result[key][have], result["labels"][have])
        else:
            rows_out[label] = summarize(result[key][have], result["labels"][have], thresholds[key], strict=True)
    return rows_out


def _tuned(valid: dict) -> dict:
    """Per decision, per class: Dai's thresholds from validation predictions."""
    present = valid["present"]
    out = {"fused": tune_thresholds(valid["fused"], valid["labels"])}
    for i, name in enumerate(("audio", "visual", "text")):
        have = present[:, i] > 0
        out[name] = tune_thresholds(valid[name][have], valid["labels"][have]) if have.any() else np.full(valid["labels"].shape[1], 0.5)
    return out


def evaluate(checkpoint: str, manifest: str | None = None, split: str | None = None, subsets: bool = False,
             threads: int = 2, fold: int | None = None, onnx_path: str | None = None, device: str = "auto",
             thresholds: str = "both", amp: str = "off") -> dict:
    if thresholds not in THRESHOLD_MODES:
        raise ValueError(f"thresholds {thresholds!r}: valid are {list(THRESHOLD_MODES)}")
    torch.set_num_threads(threads)
    dev = resolve_device(device)
    amp = check_amp(amp, dev)
    state = load_checkpoint(checkpoint)
    config = config_from_dict(state["config"])
    model = build_model(config)
    model.load_state_dict(state["model"])
    text_encoder = None
    if config["text"]["encoder"] == "bert":
        text_encoder = TextEncoder({**config["text"], "pretrained": None}, model.text_dim)
        text_encoder.load_state_dict(state["text_encoder"])
    manifest = manifest or config["data"]["manifest"]
    split = split or config["data"]["test_split"]
    all_rows = read_rows(manifest)
    rows = select_rows(by_split(all_rows, split), config)
    if fold is not None:
        rows = [r for r in rows if r.get("fold") == fold]
    tune = thresholds == "tuned" or (thresholds == "both" and config["eval"]["thresholds"] == "tuned")
    valid_rows = []
    if tune:
        dcfg = config["data"]
        pool = select_rows(by_split(all_rows, dcfg["train_split"] if dcfg["val_fold"] is not None else dcfg["val_split"]), config)
        valid_rows = [r for r in pool if dcfg["val_fold"] is None or r.get("fold") == dcfg["val_fold"]]
        if not valid_rows:
            raise ValueError(f"tuned thresholds need validation rows ({dcfg['val_split']}) in {manifest}; "
                             "use --thresholds fixed")
    net = Trainable(model, text_encoder).to(dev)
    pad_id, tokenize = 0, None
    if text_encoder is not None:
        from .text.tokenizer import BertWordPieceTokenizer
        tok = BertWordPieceTokenizer.from_dir(config["text"]["tokenizer"], config["text"]["max_length"])
        tokenize, pad_id = tok.encode, tok.pad_id

    def run(split_rows, keep=None):
        dataset = MERDataset(split_rows, config, train=False)
        dataset.tokenize = tokenize
        if onnx_path:
            if text_encoder is not None:
                raise ValueError("--onnx needs precomputed text features (the fused graph takes I_t)")
            return onnx_predict(onnx_path, dataset)
        inner = net if keep is None else _Masked(net, keep)
        return predict(inner, make_loader(dataset, config, False, 1, 0, pad_id, dev), dev, amp)

    result = run(rows)
    valid = run(valid_rows) if tune else None
    tuned = _tuned(valid) if tune else None
    tables = {}
    if thresholds != "tuned":
        tables["decisions"] = _scores(result, None)
    if tune:
        tables["decisions_tuned"] = _scores(result, tuned)
    if subsets and not onnx_path:
        sub, sub_tuned = {}, {}
        for name, keep in SUBSETS.items():
            r = run(rows, keep)
            ok = r["present"].sum(1) > 0
            if ok.any():
                sub[name] = summarize(r["fused"][ok], r["labels"][ok])
                if tune:
                    sub_tuned[name] = summarize(r["fused"][ok], r["labels"][ok], tuned["fused"], strict=True)
        if thresholds != "tuned":
            tables["subsets"] = sub
        if tune:
            tables["subsets_tuned"] = sub_tuned
    present = result["present"]
    alpha = result["alpha"][present.sum(1) > 0]
    name = ", ".join(Path(m).name for m in (manifest if isinstance(manifest, list) else [manifest]))
    if onnx_path:
        name += f" [{Path(onnx_path).name}]"
    return {"dataset": name + (f" fold {fold}" if fold is not None else ""), "split": split, "n": int(len(rows)), "labels": config["label_names"],
            "label_set": config["labels"] if isinstance(config["labels"], str) else "custom",
            "thresholds": {k: v.tolist() for k, v in tuned.items()} if tuned else None,
            "valid_n": len(valid_rows) if tune else None, "device": str(dev),
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
    ap.add_argument("--thresholds", choices=THRESHOLD_MODES, default="both",
                    help="fixed 0.5, tuned on validation (Dai et al. 2021), or both (tuned beside fixed when the "
                         "config's eval.thresholds is tuned; default)")
    ap.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="default auto: CUDA when available")
    ap.add_argument("--amp", choices=AMP_CHOICES, default="off")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)
    res = evaluate(args.checkpoint, args.manifest, args.split, args.subsets, fold=args.fold, onnx_path=args.onnx,
                   device=args.device, thresholds=args.thresholds, amp=args.amp)
    style = args.style or ("mosei" if res["label_set"] == "mosei6" else "iemocap")
    for name, rows in res["tables"].items():
        print(format_table(rows, res["labels"], f"{res['dataset']} ({TABLE_TITLES.get(name, name)})", f"{res['split']}, n={res['n']}", style))
        print()
    if res["thresholds"]:
        print(f"thresholds tuned on validation (n={res['valid_n']}):")
        for decision, values in res["thresholds"].items():
            print(f"  {decision}: " + ", ".join(f"{l} {t:.2f}" for l, t in zip(res["labels"], values)))
    if res["mean_alpha"]:
        print("mean alpha (audio, visual, text):", ", ".join(f"{a:.3f}" for a in res["mean_alpha"]))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
