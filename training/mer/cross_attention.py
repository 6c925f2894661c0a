"""The other cross-modal encoders compared in paper Table 5, and the no-interaction baseline
of Table 3 (MER, MER-SEM). Same interface as the MBT (mbt.py):
(audio [B,T,d_a], visual [B,T,d_v], audio_mask, visual_mask) -> (audio, visual) [B,T,d_m].

- ``JointAttention`` (JointAtt, Vaswani et al. 2017): audio and visual sequences concatenated in
  time (with a learned modality embedding each) and fed to a vanilla Transformer encoder.
- ``BiCrossAttention`` (Bi-CrossAtt, Tsai et al. 2019): two cross-modal Transformer branches,
  audio queries over visual keys and visual queries over audio keys.
- ``NoInteraction``: each modality alone (projection, positions, self-attention layers); with
  ``layers=0`` only the projection. The paper's MER baseline has "unimodal encoders and late
  attentive fusion" and Table 4's unimodal models are CNN-Transformer-MLP, so the per-modality
  Transformer is kept and only the exchange between modalities is removed.

All build the sequences with a linear projection to d_m and sine-cosine positions, as the MBT.
"""
from __future__ import annotations

import torch
from torch import nn

from .attention import TransformerLayer, presence, sinusoidal_positions


class _Projected(nn.Module):
    def __init__(self, audio_dim: int, visual_dim: int, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.out_dim = dim
        self.proj_a = nn.Linear(audio_dim, dim)
        self.proj_v = nn.Linear(visual_dim, dim)
        self.norm_a = nn.LayerNorm(dim)
        self.norm_v = nn.LayerNorm(dim)

    def project(self, audio, visual):
        pos = sinusoidal_positions(audio, self.dim)
        return self.proj_a(audio) + pos, self.proj_v(visual) + pos


class NoInteraction(_Projected):
    def __init__(self, audio_dim: int, visual_dim: int, dim: int = 64, heads: int = 8,
                 layers: int = 1, ffn_mult: int = 4, dropout: float = 0.1, **_: object) -> None:
        super().__init__(audio_dim, visual_dim, dim)
        self.audio_layers = nn.ModuleList(TransformerLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))
        self.visual_layers = nn.ModuleList(TransformerLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))

    def forward(self, audio, visual, audio_mask, visual_mask):
        a, v = self.project(audio, visual)
        for layer in self.audio_layers:
            a = layer(a, audio_mask)
        for layer in self.visual_layers:
            v = layer(v, visual_mask)
        return self.norm_a(a), self.norm_v(v)


class JointAttention(_Projected):
    def __init__(self, audio_dim: int, visual_dim: int, dim: int = 64, heads: int = 8,
                 layers: int = 1, ffn_mult: int = 4, dropout: float = 0.1, **_: object) -> None:
        super().__init__(audio_dim, visual_dim, dim)
        self.modality = nn.Parameter(torch.zeros(2, dim))
        self.layers = nn.ModuleList(TransformerLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))

    def forward(self, audio, visual, audio_mask, visual_mask):
        a, v = self.project(audio, visual)
        t = a.shape[1]
        x = torch.cat([a + self.modality[0], v + self.modality[1]], dim=1)   # [B,2T,d]
        mask = torch.cat([audio_mask, visual_mask], dim=1)
        for layer in self.layers:
            x = layer(x, mask)
        return self.norm_a(x[:, :t]), self.norm_v(x[:, t:])


class BiCrossAttention(_Projected):
    def __init__(self, audio_dim: int, visual_dim: int, dim: int = 64, heads: int = 8,
                 layers: int = 1, ffn_mult: int = 4, dropout: float = 0.1, **_: object) -> None:
        super().__init__(audio_dim, visual_dim, dim)
        self.v_to_a = nn.ModuleList(TransformerLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))
        self.a_to_v = nn.ModuleList(TransformerLayer(dim, heads, ffn_mult, dropout) for _ in range(layers))

    def forward(self, audio, visual, audio_mask, visual_mask):
        a, v = self.project(audio, visual)
        has_a = presence(audio_mask).unsqueeze(-1)
        has_v = presence(visual_mask).unsqueeze(-1)
        a0, v0 = a, v   # each branch reinforces its target with the other's (input) sequence, as MulT
        for layer in self.v_to_a:
            a = layer(a, visual_mask, context=v0, gate=has_v)
        for layer in self.a_to_v:
            v = layer(v, audio_mask, context=a0, gate=has_a)
        return self.norm_a(a), self.norm_v(v)


def build_cross_modal(kind: str, audio_dim: int, visual_dim: int, **kwargs) -> nn.Module:
    """``kind``: one of CROSS_MODAL_KINDS."""
    from .mbt import BottleneckTransformer
    table = {"mbt": BottleneckTransformer, "joint": JointAttention, "bicross": BiCrossAttention,
             "none": NoInteraction}
    if kind not in table:
        raise ValueError(f"cross_modal {kind!r}: valid are {sorted(table)}")
    if kind != "mbt":
        kwargs.pop("bottlenecks", None)
    return table[kind](audio_dim, visual_dim, **kwargs)


CROSS_MODAL_KINDS = ("mbt", "joint", "bicross", "none")
