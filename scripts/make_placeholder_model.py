#!/usr/bin/env python3
"""Placeholder fused model: random (seeded) weights with exactly the I/O of the real SEM-MBT graph.

It lets the browser pipeline run end to end before training delivers `fusion.onnx`; its
predictions mean nothing. Inputs, outputs, dynamic T, opset 17 and the masking semantics follow
docs/CONTRACTS.md ("The fused SEM-MBT graph"): a missing modality gets alpha exactly 0, missing
segments are left out of pooling. The real exporter (`npm run export`) replaces the file.

Run: /usr/bin/python3 scripts/make_placeholder_model.py [--out public/models/fusion.onnx] [--force]
then: node scripts/write-manifest.mjs
"""
import argparse
import json
import os

import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = ["log_mel", "faces", "text_cls", "audio_mask", "visual_mask", "text_mask"]
OUTPUTS = ["fused", "audio", "visual", "text", "alpha", "audio_segments", "visual_segments"]
HIDDEN = 32
NEG = -1e9  # softmax logit for a missing modality: exp underflows to exactly 0 in float32


def masked_mean(x, mask):
    """Mean over time of x [B,T,H] counting only segments with mask 1; zeros if none."""
    w = mask.unsqueeze(-1)
    return (x * w).sum(1) / w.sum(1).clamp(min=1.0)


class PlaceholderFusion(nn.Module):
    def __init__(self, labels, mel_bins, channels, size, text_dim):
        super().__init__()
        pooled = channels * (size // 4) * (size // 4)
        self.audio_enc = nn.Linear(mel_bins, HIDDEN)
        self.visual_enc = nn.Linear(pooled, HIDDEN)
        self.text_enc = nn.Linear(text_dim, HIDDEN)
        self.no_text = nn.Parameter(torch.randn(HIDDEN) * 0.1)
        self.audio_head = nn.Linear(HIDDEN, labels)
        self.visual_head = nn.Linear(HIDDEN, labels)
        self.text_head = nn.Linear(HIDDEN, labels)
        self.attend = nn.Linear(HIDDEN, 1)  # shared scorer for the decision-fusion weights

    def forward(self, log_mel, faces, text_cls, audio_mask, visual_mask, text_mask):
        b, t = log_mel.shape[0], log_mel.shape[1]
        ha = torch.tanh(self.audio_enc(log_mel.mean(dim=2) / 10.0))            # [B,T,H]
        f = F.avg_pool2d(faces.flatten(0, 1), 4).reshape(b, t, -1)            # [B,T,C*S/4*S/4]
        hv = torch.tanh(self.visual_enc(f))                                     # [B,T,H]
        tm = text_mask                                                          # [B,1]
        ht = torch.tanh(self.text_enc(text_cls)) * tm + self.no_text * (1 - tm) # [B,H]

        pa, pv = masked_mean(ha, audio_mask), masked_mean(hv, visual_mask)
        za, zv, zt = self.audio_head(pa), self.visual_head(pv), self.text_head(ht)   # [B,M] logits
        present = torch.cat([
            (audio_mask.sum(1, keepdim=True) > 0).float(),
            (visual_mask.sum(1, keepdim=True) > 0).float(),
            tm,
        ], dim=1)                                                               # [B,3]
        scores = torch.cat([self.attend(pa), self.attend(pv), self.attend(ht)], dim=1)
        alpha = torch.softmax(scores + (1 - present) * NEG, dim=1) * present
        fused = alpha[:, 0:1] * za + alpha[:, 1:2] * zv + alpha[:, 2:3] * zt
        return (
            torch.sigmoid(fused), torch.sigmoid(za), torch.sigmoid(zv), torch.sigmoid(zt), alpha,
            torch.sigmoid(self.audio_head(ha)), torch.sigmoid(self.visual_head(hv)),
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "public", "models", "fusion.onnx"))
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--force", action="store_true", help="overwrite an existing file (e.g. the trained model)")
    args = ap.parse_args()
    if os.path.exists(args.out) and not args.force:
        # The shipped fusion.onnx is the trained default model; a random stand-in must not replace it by accident.
        raise SystemExit(f"{args.out} exists (the trained model?). Pass --force to replace it with the random placeholder, "
                         "or --out to write elsewhere; `git checkout public/models` restores the shipped model.")

    with open(os.path.join(ROOT, "training", "configs", "features.json")) as fh:
        cfg = json.load(fh)
    crop = cfg["face"]["crop"]
    torch.manual_seed(args.seed)
    model = PlaceholderFusion(len(cfg["labels"]), cfg["audio"]["mel_bins"], crop["channels"],
                              crop["size"], cfg["text"]["dim"]).eval()
    t = 3
    example = (
        torch.randn(1, t, cfg["audio"]["patch_frames"], cfg["audio"]["mel_bins"]),
        torch.rand(1, t, crop["channels"], crop["size"], crop["size"]),
        torch.randn(1, cfg["text"]["dim"]),
        torch.ones(1, t), torch.ones(1, t), torch.ones(1, 1),
    )
    dyn = {"log_mel": {1: "T"}, "faces": {1: "T"}, "audio_mask": {1: "T"}, "visual_mask": {1: "T"},
           "audio_segments": {1: "T"}, "visual_segments": {1: "T"}}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    torch.onnx.export(model, example, args.out, input_names=INPUTS, output_names=OUTPUTS,
                      dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    import onnx
    onnx.checker.check_model(onnx.load(args.out))
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
