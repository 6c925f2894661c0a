"""Devices and mixed precision for training, evaluation, export and feature preparation.

``--device auto|cpu|cuda`` (auto = CUDA when available; ``cuda:N`` also accepted) and
``--amp bf16|fp16|off``. Autocast covers the forward pass only; losses and metrics are computed
in fp32. Mixed precision is for CUDA: fp16 with a GradScaler, bf16 (Ampere and later) without.
Under torchrun each process takes the GPU of its ``LOCAL_RANK``.
"""
from __future__ import annotations

import contextlib
import os

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")
AMP_CHOICES = ("off", "bf16", "fp16")
_AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_device(name: str | None = "auto") -> torch.device:
    """``auto`` -> ``cuda:LOCAL_RANK`` when CUDA is available, else ``cpu``; ``cuda`` without an
    index also takes ``LOCAL_RANK``. Asking for CUDA where there is none is an error, not a fallback."""
    name = (name or "auto").lower()
    if name not in DEVICE_CHOICES and not name.startswith("cuda:"):
        raise ValueError(f"device {name!r}: valid are {list(DEVICE_CHOICES)} or cuda:N")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError(f"device {name!r} asked for, but torch {torch.__version__} sees no CUDA GPU "
                               "(use --device cpu or auto)")
        if name == "cuda":
            name = f"cuda:{int(os.environ.get('LOCAL_RANK', '0')) % torch.cuda.device_count()}"
        device = torch.device(name)
        torch.cuda.set_device(device)
        return device
    return torch.device("cpu")


def check_amp(amp: str | None, device: torch.device) -> str:
    amp = (amp or "off").lower()
    if amp not in AMP_CHOICES:
        raise ValueError(f"amp {amp!r}: valid are {list(AMP_CHOICES)}")
    if amp != "off" and device.type != "cuda":
        # CPU autocast (torch 1.13) leaves GroupNorm's weights in fp32 under bf16 inputs and fails
        # in the SEMs; on CPU there is nothing to gain anyway.
        raise ValueError(f"amp {amp} needs a CUDA device (on CPU use --amp off)")
    return amp


def autocast(device: torch.device, amp: str):
    """Mixed-precision context for the forward pass (a no-op when ``amp`` is off)."""
    if amp == "off":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=_AMP_DTYPES[amp])


def grad_scaler(device: torch.device, amp: str):
    """A GradScaler for fp16 on CUDA; disabled (a pass-through) otherwise."""
    enabled = amp == "fp16" and device.type == "cuda"
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):     # torch >= 2.3
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)


def to_device(batch: dict, device: torch.device) -> dict:
    """Tensors of a collated batch onto ``device`` (non-blocking from pinned memory); ids stay."""
    non_blocking = device.type == "cuda"
    return {k: v.to(device, non_blocking=non_blocking) if torch.is_tensor(v) else v for k, v in batch.items()}
