"""Learning-rate schedules of the pretraining scripts, as ``torch.optim.lr_scheduler.LambdaLR``.

Each schedule is a factor of the peak rate per optimisation step (linear warm-up over ``warmup``
steps, then cosine or linear decay to zero at ``total``); ``scheduler`` attaches one to an
optimizer, resuming at ``start_step`` (checkpoints store the step, not the scheduler). Step the
scheduler once after each ``optimizer.step()``: the rate used for step ``k`` is then
``peak * factor(k)``, as in the hand-written loops these replace.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from torch.optim.lr_scheduler import LambdaLR


def warmup_cosine(warmup: int, total: int) -> Callable[[int], float]:
    """Linear warm-up then cosine decay to zero (face classifier)."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(total - warmup, 1)))
    return factor


def warmup_linear(warmup: int, total: Callable[[], int]) -> Callable[[int], float]:
    """Linear warm-up then linear decay to zero at ``total()`` steps (text encoder; the total is
    read at every step because it is fitted to the time budget once the speed is measured)."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        end = total()
        return max(0.0, (end - step) / max(1, end - warmup))
    return factor


def scheduler(optimizer: torch.optim.Optimizer, peak: float, factor: Callable[[int], float],
              start_step: int = 0) -> LambdaLR:
    """``factor`` on ``optimizer`` with peak rate ``peak``, its first rate the one of ``start_step``."""
    for group in optimizer.param_groups:
        group["initial_lr"] = peak  # LambdaLR's base rate, also when resuming (last_epoch >= 0)
    return LambdaLR(optimizer, factor, last_epoch=start_step - 1)
