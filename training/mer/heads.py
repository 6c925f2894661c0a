"""Decision heads, paper section 3.3: global average pooling + MLP per audio/visual stream
(S_a, S_v), and an MLP on the sentence feature I_t (S_t). Outputs are logits."""
from __future__ import annotations

import torch
from torch import nn

from .attention import masked_mean


class MLPHead(nn.Module):
    def __init__(self, in_dim: int, num_classes: int, hidden: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SequenceHead(nn.Module):
    """GAP over the present segments, then the MLP -> S_x [B, M]; the same MLP on each segment
    gives the per-segment decisions [B, T, M] the app draws as a timeline."""

    def __init__(self, in_dim: int, num_classes: int, hidden: int = 128, dropout: float = 0.1) -> None:
        super().__init__()
        self.mlp = MLPHead(in_dim, num_classes, hidden, dropout)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor):
        return self.mlp(masked_mean(tokens, mask)), self.mlp(tokens)


class VoiceStatsHead(nn.Module):
    """A text-independent voice decision from an early backbone group (issue 13: "use the YAMNet
    layers that carry emotion"; ``model.audio.voice_stats``, on in the default model, training/README.md): per segment, the mean and standard deviation over time of each
    channel and frequency row of group ``group``'s map [N, C, H (time), W (freq)] -> [N, 2CW],
    standardised, then a frozen linear classifier (``mer.pretrain.voice_stats``: logistic
    regression on English acted speech + EmoDB, speakers held out, and the dev clips) -> per-segment logits [N, M],
    centred over classes (only their differences carry evidence).

    Frozen on purpose: the fusion stage sees a few hundred voices, the classifier thousands.
    Its numbers are buffers, so checkpoints and the exported graph carry them; the
    standardisation stays separate from the weights so fp16 storage keeps them exact enough."""

    BUFFERS = ("mean", "scale", "weight", "bias")

    def __init__(self, in_dim: int, num_classes: int, group: int) -> None:
        super().__init__()
        self.group = int(group)
        self.register_buffer("mean", torch.zeros(in_dim))
        self.register_buffer("scale", torch.ones(in_dim))
        self.register_buffer("weight", torch.zeros(num_classes, in_dim))
        self.register_buffer("bias", torch.zeros(num_classes))

    @staticmethod
    def statistics(maps: torch.Tensor) -> torch.Tensor:
        """[N, C, H, W] -> [N, 2CW]: mean and (unbiased) standard deviation over H, written out
        so the ONNX export is plain ReduceMean / Sqrt."""
        mean = maps.mean(dim=2)
        var = ((maps - mean.unsqueeze(2)) ** 2).sum(dim=2) / max(maps.shape[2] - 1, 1)
        return torch.cat([mean.flatten(1), var.clamp(min=0.0).sqrt().flatten(1)], dim=1)

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        return self.classify(self.statistics(maps))

    def classify(self, stats: torch.Tensor) -> torch.Tensor:
        """Statistics [N, 2CW] -> centred logits [N, M] (several heads can share one ``statistics``)."""
        z = (stats - self.mean) / self.scale
        logits = z @ self.weight.t() + self.bias
        return logits - logits.mean(dim=1, keepdim=True)

    def load_buffers(self, state: dict) -> "VoiceStatsHead":
        """Copies the fitted numbers (``BUFFERS``) from a checkpoint's dict, as float32."""
        for name in self.BUFFERS:
            getattr(self, name).copy_(state[name].float())
        return self

    def load(self, path) -> "VoiceStatsHead":
        state = torch.load(path, map_location="cpu")
        if int(state["group"]) != self.group or tuple(state["weight"].shape) != tuple(self.weight.shape):
            raise ValueError(f"{path}: group {state['group']} weight {tuple(state['weight'].shape)}; this model "
                             f"needs group {self.group} weight {tuple(self.weight.shape)}")
        return self.load_buffers(state)
