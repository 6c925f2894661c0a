"""Export the text encoder in the folder layout transformers.js loads (docs/CONTRACTS.md, Text):

    <out>/config.json             model_type bert (HF BertModel config)
    <out>/tokenizer.json          bert-base-uncased word pieces (copied)
    <out>/tokenizer_config.json   (copied, model_max_length set to the contract's max_length)
    <out>/onnx/model.onnx         fp32, opset 17, inputs input_ids/attention_mask/token_type_ids
                                  (int64, dynamic batch and sequence), output last_hidden_state
    <out>/onnx/model_quantized.onnx  int8 weights (transformers.js dtype "q8")

Usage:
    python -m mer.text.export --checkpoint training/checkpoints/text_bert.pt --out public/models/text
    python -m mer.text.export --random --out public/models/text     # placeholder, random weights
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import onnx
import torch
from torch import nn

from ..compat import onnx_export
from .bert import BertConfig, BertModel
from .quantize import quantize_file

REPO = Path(__file__).resolve().parents[3]
TOKENIZER_DIR = REPO.parent / "shared/weights/bert-base-uncased-tokenizer"
FEATURES_JSON = REPO / "training/configs/features.json"
OPSET = 17

# The compact default (training/configs/features.json text.dim is its hidden size).
COMPACT_CONFIG = BertConfig(hidden_size=256, num_hidden_layers=2, num_attention_heads=4,
                            intermediate_size=1024)


class _LastHiddenState(nn.Module):
    def __init__(self, bert: BertModel):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)


def export_onnx(bert: BertModel, path: str | Path) -> None:
    # torch.onnx.export restores the wrapper's train/eval mode afterwards: keep both in eval.
    bert = bert.float().eval()
    ids = torch.tensor([[101, 7592, 2088, 999, 102], [101, 2748, 102, 0, 0]])
    mask = (ids != 0).long()
    dynamic = {0: "batch_size", 1: "sequence_length"}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        onnx_export(
            _LastHiddenState(bert).eval(), (ids, mask, torch.zeros_like(ids)), path,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic,
                          "token_type_ids": dynamic, "last_hidden_state": dynamic},
            opset_version=OPSET, do_constant_folding=True)
    bert.eval()
    onnx.checker.check_model(onnx.load(str(path)))


def max_length() -> int:
    return int(json.loads(FEATURES_JSON.read_text())["text"]["max_length"])


def export_folder(bert: BertModel, out: str | Path, tokenizer_dir: str | Path = TOKENIZER_DIR) -> dict:
    """Write the whole transformers.js folder; returns {relative path: bytes}."""
    out = Path(out)
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(bert.config.to_hf_json(), indent=2) + "\n")
    tokenizer_dir = Path(tokenizer_dir)
    shutil.copyfile(tokenizer_dir / "tokenizer.json", out / "tokenizer.json")
    tok_config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text())
    tok_config["model_max_length"] = max_length()
    (out / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n")
    export_onnx(bert, out / "onnx/model.onnx")
    quantize_file(out / "onnx/model.onnx", out / "onnx/model_quantized.onnx")
    return {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}


def load_checkpoint(path: str | Path) -> tuple[BertModel, dict]:
    """A ``text_bert.pt`` as written by ``mer.pretrain.text``: {"config", "bert", ...}."""
    ckpt = torch.load(str(path), map_location="cpu")
    bert = BertModel(BertConfig.from_dict(ckpt["config"]))
    bert.load_state_dict({k: v.float() for k, v in ckpt["bert"].items()})
    return bert.eval(), ckpt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="text_bert.pt from mer.pretrain.text")
    src.add_argument("--random", action="store_true", help="random compact placeholder")
    parser.add_argument("--out", default=str(REPO / "public/models/text"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.random:
        torch.manual_seed(args.seed)
        bert = BertModel(COMPACT_CONFIG).eval()
    else:
        bert, _ = load_checkpoint(args.checkpoint)
    sizes = export_folder(bert, args.out)
    for name, size in sizes.items():
        print(f"{size:>12,d}  {name}")


if __name__ == "__main__":
    main()
