"""Multimodal bottleneck Transformer (MBT), the cross-modal encoder of paper section 3.2
(Figure 3; after Liu et al. 2022).

Audio I_ta [B,T,d_a] and visual I_tv [B,T,d_v] sequences are linearly projected to d_m (64),
given sine-cosine positional encodings and passed through ``layers`` MBT layers. Each layer:

1. Compression. N_b (4) bottleneck tokens b attend, as queries, over the audio tokens
   (b_a = MHA_a(b, x_a)) and over the visual tokens (b_v = MHA_v(b, x_v)) in the audio and the
   visual branch; "summing up these three tokens" gives b' = b + b_a + b_v.
2. Expansion. Audio and visual tokens attend, as queries, over b' (key-value):
   x_a += MHA'_a(x_a, b'), x_v += MHA'_v(x_v, b').
3. FFN per branch: x += FFN(x). b' is the next layer's b.

Masks: missing segments are excluded as keys (additive large negative bias, never -inf), and
an absent modality's compressed token is multiplied by 0, so b' carries nothing from padding.
Output: the reinforced sequences I_tva, I_tav [B,T,d_m].
"""
from __future__ import annotations

import torch
from torch import nn

from .attention import FeedForward, MultiHeadAttention, presence, sinusoidal_positions


class MBTLayer(nn.Module):
    def __init__(self, dim: int, heads: int, ffn_mult: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm_b = nn.LayerNorm(dim)
        self.norm_a = nn.LayerNorm(dim)
        self.norm_v = nn.LayerNorm(dim)
        self.compress_a = MultiHeadAttention(dim, heads, dropout)
        self.compress_v = MultiHeadAttention(dim, heads, dropout)
        self.norm_b2 = nn.LayerNorm(dim)
        self.norm_a2 = nn.LayerNorm(dim)
        self.norm_v2 = nn.LayerNorm(dim)
        self.expand_a = MultiHeadAttention(dim, heads, dropout)
        self.expand_v = MultiHeadAttention(dim, heads, dropout)
        self.ffn_a = FeedForward(dim, dim * ffn_mult, dropout)
        self.ffn_v = FeedForward(dim, dim * ffn_mult, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, audio, visual, bottleneck, audio_mask, visual_mask):
        has_a = presence(audio_mask).unsqueeze(-1)                         # [B,1,1]
        has_v = presence(visual_mask).unsqueeze(-1)
        # Stage 1: compression into the bottleneck tokens.
        b = self.norm_b(bottleneck)
        b_a = self.compress_a(b, self.norm_a(audio), audio_mask) * has_a
        b_v = self.compress_v(b, self.norm_v(visual), visual_mask) * has_v
        bottleneck = bottleneck + self.drop(b_a) + self.drop(b_v)          # b' = b + b_a + b_v
        # Stage 2: expansion back to each modality's tokens.
        b2 = self.norm_b2(bottleneck)
        audio = audio + self.drop(self.expand_a(self.norm_a2(audio), b2))
        visual = visual + self.drop(self.expand_v(self.norm_v2(visual), b2))
        audio = audio + self.ffn_a(audio)
        visual = visual + self.ffn_v(visual)
        return audio, visual, bottleneck


class BottleneckTransformer(nn.Module):
    """MBT cross-modal encoder: (audio [B,T,d_a], visual [B,T,d_v], masks [B,T]) -> [B,T,d_m] x2."""

    def __init__(self, audio_dim: int, visual_dim: int, dim: int = 64, heads: int = 8,
                 bottlenecks: int = 4, layers: int = 1, ffn_mult: int = 4, dropout: float = 0.1) -> None:
        super().__init__()
        self.dim = dim
        self.proj_a = nn.Linear(audio_dim, dim)
        self.proj_v = nn.Linear(visual_dim, dim)
        self.bottleneck = nn.Parameter(torch.randn(1, bottlenecks, dim) * 0.02)
        self.layers = nn.ModuleList(MBTLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))
        self.norm_a = nn.LayerNorm(dim)
        self.norm_v = nn.LayerNorm(dim)
        self.out_dim = dim

    def forward(self, audio, visual, audio_mask, visual_mask):
        pos = sinusoidal_positions(audio, self.dim)                        # [T, d_m]
        a = self.proj_a(audio) + pos
        v = self.proj_v(visual) + pos
        b = self.bottleneck.expand(audio.shape[0], -1, -1)
        for layer in self.layers:
            a, v, b = layer(a, v, b, audio_mask, visual_mask)
        return self.norm_a(a), self.norm_v(v)
