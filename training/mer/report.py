"""Parameters and FLOPs per configuration (the paper, section 4.3: 173M parameters, 7.22 GFLOPs).

  python -m mer.report [CONFIG ...] [--segments 10] [--text-tokens 32] [--json OUT]

Counts multiply-accumulates with forward hooks on Conv2d and Linear modules and a
TorchFunctionMode that sees every ``matmul`` (attention scores, SEM, fusion); FLOPs = 2 x MACs.
No extra libraries. The fused graph is counted for one clip of ``--segments`` 0.96 s segments;
the text encoder (BERT, run once per transcript in the browser) separately, for ``--text-tokens``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .config import TRAINING_DIR, architecture_only, load_config
from .export import example_inputs
from .model import build_model


class _MatmulCounter(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.macs = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func in (torch.matmul, torch.Tensor.matmul, torch.bmm, torch.Tensor.__matmul__):
            a, b = args[0], args[1]
            k = a.shape[-1]
            self.macs += out.numel() * k
        return out


def count_macs(module: nn.Module, *inputs) -> int:
    total = [0]

    def conv_hook(m: nn.Conv2d, _inp, out):
        per_output = (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        total[0] += out.numel() * per_output

    def linear_hook(m: nn.Linear, _inp, out):
        total[0] += out.numel() * m.in_features

    handles = []
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    counter = _MatmulCounter()
    with torch.no_grad(), counter:
        module(*inputs)
    for h in handles:
        h.remove()
    return total[0] + counter.macs


def params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def report_config(path: str, segments: int, text_tokens: int) -> dict:
    config = architecture_only(load_config(path))   # pretrained files need not exist to count
    model = build_model(config).eval()
    inputs = example_inputs(model, segments)
    row = {
        "config": Path(path).name, "variant": config["model"]["variant"], "cross_modal": config["model"]["cross_modal"],
        "audio_backbone": config["model"]["audio"]["backbone"].get("name"),
        "visual_backbone": config["model"]["visual"]["backbone"].get("name"),
        "face": f"{config['model']['face']['channels']}x{config['model']['face']['size']}",
        "segments": segments,
        "params_fused": params(model),
        "params_audio_encoder": params(model.audio_encoder), "params_visual_encoder": params(model.visual_encoder),
        "params_cross_modal": params(model.cross_modal),
        "gmacs_fused": count_macs(model, *inputs) / 1e9,
        "gmacs_fused_per_segment": None,
    }
    one = example_inputs(model, 1)
    row["gmacs_fused_per_segment"] = count_macs(model, *one) / 1e9
    text = _text_encoder(config)
    if text is not None:
        ids = torch.full((1, text_tokens), 1000, dtype=torch.long)
        row["params_text"] = params(text)
        row["gmacs_text"] = count_macs(text, ids, torch.ones_like(ids), torch.zeros_like(ids)) / 1e9
    row["params_total"] = row["params_fused"] + row.get("params_text", 0)
    row["gmacs_total"] = row["gmacs_fused"] + row.get("gmacs_text", 0.0)
    row["gflops_total"] = 2 * row["gmacs_total"]
    return row


def _text_encoder(config: dict):
    try:
        from .text.bert import BertConfig, BertModel
    except ImportError:
        return None
    spec = config["text"]["bert_config"]
    if isinstance(spec, str):
        if not Path(spec).exists():
            return None
        cfg = BertConfig.from_json(spec)
    elif spec:
        cfg = BertConfig.from_dict(spec)
    else:
        return None
    return BertModel(cfg).eval()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.report", description=__doc__.split("\n\n")[0])
    ap.add_argument("configs", nargs="*", help="default: every training/configs/*.yaml except tiny")
    ap.add_argument("--segments", type=int, default=10, help="segments per clip (10 = 9.6 s)")
    ap.add_argument("--text-tokens", type=int, default=32)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    paths = args.configs or sorted(str(p) for p in (TRAINING_DIR / "configs").glob("*.yaml") if p.stem != "tiny")
    rows = []
    print("config | variant | cross-modal | audio | visual | face | params fused (M) | params text (M) | "
          "params total (M) | GMACs fused (1 seg) | GMACs fused (T segs) | GMACs text | GFLOPs total (2xMAC)")
    for p in paths:
        try:
            r = report_config(p, args.segments, args.text_tokens)
        except (ImportError, FileNotFoundError, ValueError) as error:
            print(f"{Path(p).name}: skipped ({error})")
            continue
        rows.append(r)
        print(f"{r['config']} | {r['variant']} | {r['cross_modal']} | {r['audio_backbone']} | {r['visual_backbone']} | "
              f"{r['face']} | {r['params_fused'] / 1e6:.2f} | {r.get('params_text', 0) / 1e6:.2f} | "
              f"{r['params_total'] / 1e6:.2f} | {r['gmacs_fused_per_segment']:.3f} | {r['gmacs_fused']:.3f} "
              f"(T={r['segments']}) | {r.get('gmacs_text', 0):.3f} | {r['gflops_total']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
