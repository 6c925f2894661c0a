"""Semantic enhancement module (SEM), paper section 3.1.4, equations (1)-(3), Figure 2.

The sentence meaning I_t (BERT's class token) guides a mid-level audio or visual feature map
F_i [C_i, H_i, W_i] through cross-attention:

  (1) Q_f = Conv_q(F_i) in R^{C_i x H_i x W_i};  K_t = Conv_k(I_t) in R^{C_i};  V_t = Conv_v(I_t) in R^{C_i}
      (1x1 convolutions; on the vector I_t a 1x1 convolution is a linear map d_t -> C_i)
  (2) E_att = softmax(Q'_f^T K_t / sqrt(C_i)) V_t^T in R^{H_i W_i x C_i}, with Q'_f = flatten(Q_f) [C_i, H_i W_i]
  (3) F'_i = ReLU(Conv_o(F_i + LN(E'_att))),  E'_att = E_att transposed and unflattened to [C_i, H_i, W_i]

Our reading of (2). K_t and V_t are single vectors, so Q'_f^T K_t is a column of H_i W_i
scores, one per position. A softmax over the keys would be over one key: every weight is 1 and
E_att would be V_t copied to every position, the query (the feature map) would not matter and
Conv_q would get no gradient. The only axis on which the softmax does something is the H_i W_i
positions, so by default (``softmax_over="positions"``) the weights a_p = softmax_p(q_p . k / sqrt(C_i))
say where in the feature map the text is relevant, and E_att[p] = a_p V_t^T: the text's value
vector placed on the map in proportion to that relevance. ``softmax_over="keys"`` keeps the
literal one-key reading for comparison.

Conv_o is parameterised as identity + a learned 1x1 convolution (``output_conv``), initialised at
the identity; this is the same set of functions and keeps the int8 export accurate.

LN: a layer norm per position (over C_i) would undo a_p (LN(a_p v) = LN(v) for any a_p > 0), so
LN normalises each map over all of (C_i, H_i, W_i), as ``nn.LayerNorm([C, H, W])`` would, with a
per-channel affine; this is ``GroupNorm(1, C_i)`` and does not tie the module to one input size.

I_t: when a sample has no transcript (``text_mask = 0``) the SEM receives a learned "no text"
embedding in its place (docs/CONTRACTS.md); the encoder does this substitution once for all SEMs.
"""
from __future__ import annotations

import math

import torch
from torch import nn

SOFTMAX_AXES = ("positions", "keys")


class SemanticEnhancement(nn.Module):
    """SEM: feature map [N, C, H, W] + text feature [N, d_t] -> enriched map [N, C, H, W]."""

    def __init__(self, channels: int, text_dim: int, softmax_over: str = "positions") -> None:
        super().__init__()
        if softmax_over not in SOFTMAX_AXES:
            raise ValueError(f"softmax_over {softmax_over!r}: valid are {SOFTMAX_AXES}")
        self.softmax_over = softmax_over
        self.channels = channels
        self.conv_q = nn.Conv2d(channels, channels, kernel_size=1)
        self.conv_k = nn.Linear(text_dim, channels)   # 1x1 conv on the 1x1 "map" I_t
        self.conv_v = nn.Linear(text_dim, channels)
        self.norm = nn.GroupNorm(1, channels)          # LN over (C, H, W), per-channel affine
        self.conv_o = nn.Conv2d(channels, channels, kernel_size=1)
        self.relu = nn.ReLU()
        # Marks the Conv_o = I + W_o form; state dicts saved before it (conv_o holding the whole
        # I + W_o) are converted on load, see _load_from_state_dict.
        self.register_buffer("residual_output_conv", torch.ones(()))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # Start close to the identity on F_i so inserting a SEM into a pretrained backbone does
        # not wreck the features it already has: Conv_o = I (residual part 0), LN output scaled small.
        with torch.no_grad():
            self.conv_o.weight.zero_()
            self.conv_o.bias.zero_()
            self.norm.weight.fill_(0.1)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        marker, weight = prefix + "residual_output_conv", prefix + "conv_o.weight"
        if marker not in state_dict and weight in state_dict:
            w = state_dict[weight].clone()
            # Unmarked: the old form starts at I (diagonal near 1), the residual form at 0.
            if torch.diagonal(w[:, :, 0, 0]).mean() > 0.5:
                w[:, :, 0, 0] -= torch.eye(w.shape[0], dtype=w.dtype)
            state_dict[weight] = w
            state_dict[marker] = torch.ones(())
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def output_conv(self, x: torch.Tensor) -> torch.Tensor:
        """Conv_o, a 1x1 convolution written as identity + learned residual (weight I + W_o): the
        same function class, but W_o stays small-valued and quantizes to int8 without losing the
        near-identity part (an int8 scale set by the 1.0 diagonal rounds small entries to 0)."""
        return x + self.conv_o(x)

    def attention(self, feature_map: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """E'_att of eq. (2), reshaped to [N, C, H, W]."""
        n, c = feature_map.shape[0], self.channels
        q = self.conv_q(feature_map).reshape(n, c, -1)             # Q'_f [N, C, HW]
        k = self.conv_k(text)                                      # K_t [N, C]
        v = self.conv_v(text)                                      # V_t [N, C]
        scores = torch.matmul(k.unsqueeze(1), q).squeeze(1) * (1.0 / math.sqrt(c))  # Q'^T K [N, HW]
        if self.softmax_over == "positions":
            weights = torch.softmax(scores, dim=-1)                # over the HW positions
        else:
            weights = torch.softmax(scores.unsqueeze(-1), dim=-1).squeeze(-1)  # one key: all ones
        e_att = weights.unsqueeze(-1) * v.unsqueeze(1)             # [N, HW, C]
        return e_att.transpose(1, 2).reshape(feature_map.shape)    # E'_att [N, C, H, W]

    def forward(self, feature_map: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        return self.relu(self.output_conv(feature_map + self.norm(self.attention(feature_map, text))))
