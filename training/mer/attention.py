"""Attention building blocks shared by the cross-modal encoders (MBT, JointAtt, Bi-CrossAtt).

Written by hand (matmul + softmax) rather than ``nn.MultiheadAttention`` so that key masks are
additive biases of a large negative number (never ``-inf``: a query whose keys are all masked
gets uniform, finite weights instead of NaN) and the ONNX export is plain MatMul/Softmax that
onnxruntime-web runs on every backend, at fp32, fp16 and int8.
"""
from __future__ import annotations

import math

import torch
from torch import nn

# Added to the attention logit of a masked key. exp(-1e4) is exactly 0 in fp32 and fp16, and
# -1e4 stays finite in fp16 (max 65504), so fp16 exports cannot overflow to -inf.
MASK_NEG = -1e4


def key_mask_bias(mask: torch.Tensor) -> torch.Tensor:
    """``mask`` [B, L] with 1 = valid key -> additive bias [B, 1, 1, L] (0 or MASK_NEG)."""
    return ((1.0 - mask) * MASK_NEG)[:, None, None, :]


def sinusoidal_positions(length_like: torch.Tensor, dim: int) -> torch.Tensor:
    """Sine-cosine positional encoding (Vaswani et al. 2017) for the segments of ``length_like``
    [B, T, ...] -> [T, dim]. Computed from T inside the graph so ONNX keeps T dynamic."""
    steps = torch.ones_like(length_like[0, :, :1].reshape(-1, 1), dtype=torch.float32)
    position = torch.cumsum(steps, dim=0) - 1.0                              # [T, 1]: 0..T-1
    half = torch.arange(0, dim, 2, dtype=torch.float32, device=length_like.device)
    inv_freq = torch.exp(half * (-math.log(10000.0) / dim))                  # [dim/2]
    angle = position * inv_freq                                              # [T, dim/2]
    # Interleave: even channels sin, odd channels cos.
    return torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(-1, dim)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product multi-head attention, query [B,Lq,D] over key/value [B,Lk,D]."""

    def __init__(self, dim: int, heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"model dim {dim} is not a multiple of heads {heads}")
        self.heads = heads
        self.head_dim = dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        self.dropout = nn.Dropout(dropout)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        return x.reshape(b, -1, self.heads, self.head_dim).transpose(1, 2)  # [B,h,L,dh]

    def forward(self, query: torch.Tensor, key_value: torch.Tensor,
                key_mask: torch.Tensor | None = None) -> torch.Tensor:
        q, k, v = self._split(self.q(query)), self._split(self.k(key_value)), self._split(self.v(key_value))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        if key_mask is not None:
            scores = scores + key_mask_bias(key_mask)
        weights = self.dropout(torch.softmax(scores, dim=-1))
        out = torch.matmul(weights, v).transpose(1, 2)                        # [B,Lq,h,dh]
        return self.out(out.reshape(out.shape[0], -1, self.heads * self.head_dim))


class FeedForward(nn.Module):
    """Position-wise FFN of a Transformer block (pre-norm, residual added by the caller)."""

    def __init__(self, dim: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.GELU(),
                                 nn.Dropout(dropout), nn.Linear(hidden, dim), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class TransformerLayer(nn.Module):
    """Pre-norm Transformer layer; self-attention when ``context`` is None, else cross-attention
    from ``x`` (queries) to ``context`` (keys and values)."""

    def __init__(self, dim: int, heads: int, ffn_mult: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads, dropout)
        self.drop = nn.Dropout(dropout)
        self.ffn = FeedForward(dim, dim * ffn_mult, dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None = None,
                context: torch.Tensor | None = None, gate: torch.Tensor | None = None) -> torch.Tensor:
        """``gate`` [B,1,1]: multiplies the attention update (0 removes it, e.g. when the
        context modality is absent)."""
        q = self.norm_q(x)
        kv = q if context is None else self.norm_kv(context)
        update = self.drop(self.attn(q, kv, key_mask))
        if gate is not None:
            update = update * gate
        x = x + update
        return x + self.ffn(x)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over time of ``x`` [B,T,D] counting only segments with mask 1 (zeros if none)."""
    w = mask.unsqueeze(-1)
    return (x * w).sum(1) / w.sum(1).clamp(min=1.0)


def presence(mask: torch.Tensor) -> torch.Tensor:
    """[B,T] segment mask -> [B,1] 1.0 when any segment is present (CONTRACTS: modality present)."""
    return (mask.sum(1, keepdim=True) > 0).to(mask.dtype)
