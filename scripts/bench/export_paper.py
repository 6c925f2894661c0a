"""Exports the paper's configuration with random weights, for timing only (`npm run bench`).

  /usr/bin/python3 scripts/bench/export_paper.py --out bench/.generated/paper

Writes, under --out (git-ignored, reused when present):
  fusion_int8.onnx (+ fp32/fp16 and fusion.json) - the fused SEM-MBT graph of
      training/configs/paper_iemocap.yaml: VGGish audio encoder, ResNet18 at 224 x 224 RGB faces,
      768-d text, via mer.export.export_all (the same exporter as the shipped model);
  text/onnx/model.onnx, text/onnx/model_quantized.onnx - bert-base sizes (12 layers, 768 hidden,
      12 heads, 3072 intermediate) via mer.text.export (same exporter and int8 quantizer as the
      shipped compact encoder).
The app ships int8 graphs, so the benchmark times the int8 variants of both configurations.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "training"))

from mer.config import architecture_only, load_config  # noqa: E402
from mer.export import export_all  # noqa: E402
from mer.model import build_model  # noqa: E402
from mer.text.bert import BertConfig, BertModel  # noqa: E402
from mer.text.export import export_onnx  # noqa: E402
from mer.text.quantize import quantize_file  # noqa: E402

PAPER_CONFIG = REPO / "training/configs/paper_iemocap.yaml"
BERT_BASE = BertConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO / "bench/.generated/paper"))
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "fusion_int8.onnx").exists():
        model = build_model(architecture_only(load_config(str(PAPER_CONFIG)))).eval()
        info = export_all(model, out)
        print(f"fused graph: {info['parameters']:,} parameters", flush=True)
    text = out / "text/onnx"
    if not (text / "model_quantized.onnx").exists():
        bert = BertModel(BERT_BASE).eval()
        export_onnx(bert, text / "model.onnx")
        quantize_file(text / "model.onnx", text / "model_quantized.onnx")
        (out / "text/config.json").write_text(json.dumps(bert.config.to_hf_json(), indent=2) + "\n")
    for p in sorted(out.rglob("*.onnx")):
        print(f"{p.stat().st_size / 1e6:9.2f} MB  {p.relative_to(out)}")


if __name__ == "__main__":
    main()
