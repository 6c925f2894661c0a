"""Time training steps of a config on random inputs: the cost per epoch before any data exists.

  python -m mer.step_time --config training/configs/paper_iemocap.yaml [--device auto] [--amp bf16]
                          [--batch 8] [--segments 32] [--steps 3] [--train-rows 5162]

One step = forward (autocast when ``--amp``), the paper's loss, backward, Adam update, with the
config's frozen groups and text encoder (random weights: same arithmetic as pretrained ones).
Prints the best step time after a warm-up step, the peak memory, and the model compute of one
training epoch of ``--train-rows`` samples (IEMOCAP 5,162, CMU-MOSEI 14,524); data loading and
validation are not included.
"""
from __future__ import annotations

import argparse
import json
import math
import resource
import time

import torch

from .config import load_config
from .device import AMP_CHOICES, DEVICE_CHOICES, autocast, check_amp, grad_scaler, resolve_device, to_device
from .losses import mer_loss
from .model import build_model


def random_batch(config: dict, batch: int, segments: int) -> dict:
    m = config["model"]
    c, s, classes = m["face"]["channels"], m["face"]["size"], len(config["label_names"])
    out = {"log_mel": torch.randn(batch, segments, m["patch_frames"], m["mel_bins"]) - 4,
           "faces": torch.rand(batch, segments, c, s, s), "text_cls": torch.randn(batch, m["text_dim"]),
           "audio_mask": torch.ones(batch, segments), "visual_mask": torch.ones(batch, segments),
           "text_mask": torch.ones(batch, 1), "labels": torch.eye(classes)[torch.arange(batch) % classes]}
    if config["text"]["encoder"] == "bert":
        out["input_ids"] = torch.randint(1000, 2000, (batch, 32))
        out["attention_mask"] = torch.ones(batch, 32, dtype=torch.long)
    return out


def step_time(config: dict, device: str = "auto", amp: str = "off", batch: int = 8, segments: int = 32,
              steps: int = 3, threads: int = 2) -> dict:
    from .train import TextEncoder, Trainable
    torch.set_num_threads(threads)
    dev = resolve_device(device)
    amp = check_amp(amp, dev)
    torch.manual_seed(0)
    model = build_model(config)
    text = TextEncoder({**config["text"], "pretrained": None}, model.text_dim) if config["text"]["encoder"] == "bert" else None
    net = Trainable(model, text).to(dev).train()
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-5)
    scaler = grad_scaler(dev, amp)
    data = to_device(random_batch(config, batch, segments), dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    times = []
    for _ in range(steps + 1):
        sync()
        start = time.perf_counter()
        with autocast(dev, amp):
            out = net(data)
        loss = mer_loss({k: v.float() for k, v in out.items()}, data["labels"], None)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        sync()
        times.append(time.perf_counter() - start)
    best = min(times[1:]) if steps else times[0]
    peak = (torch.cuda.max_memory_allocated(dev) / 2 ** 30 if dev.type == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20)
    return {"device": str(dev) + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else f", {threads} threads"),
            "amp": amp, "batch": batch, "segments": segments, "step_s": round(best, 4),
            "steps_s": [round(t, 3) for t in times], "peak_gib": round(peak, 2), "loss_finite": bool(torch.isfinite(loss)),
            "trainable_parameters": sum(p.numel() for p in net.parameters() if p.requires_grad)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.step_time", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    ap.add_argument("--amp", choices=AMP_CHOICES, default="off")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--segments", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3, help="timed steps after one warm-up step")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-rows", type=int, default=5162, help="epoch size for the per-epoch estimate")
    args = ap.parse_args(argv)
    res = step_time(load_config(args.config), args.device, args.amp, args.batch, args.segments, args.steps, args.threads)
    res["epoch_steps"] = math.ceil(args.train_rows / args.batch)
    res["epoch_model_hours"] = round(res["epoch_steps"] * res["step_s"] / 3600, 3)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
