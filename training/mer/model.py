r"""The MER framework of paper section 3 (Figure 1) and its ablation variants (Tables 2-5).

  I_t (BERT [CLS], computed outside this graph) --SEM--> audio encoder (VGGish/YAMNet + SEMs) -> I_ta
                                                 \-SEM--> visual encoder (ResNet18 + SEMs)     -> I_tv
  cross-modal encoder (MBT | JointAtt | Bi-CrossAtt | none) -> I_tva, I_tav
  GAP + MLP -> S_a, S_v;  MLP(I_t) -> S_t;  attentive decision fusion (eq. 4-6) -> output, alpha

Variants (config ``model.variant``): MER (no SEM, no interaction), MER-SEM, MER-MBT,
MER-SEM-MBT; ``text_decision: false`` is "without textual decision"; ``cross_modal`` picks
Table 5's encoders.

Inputs follow docs/CONTRACTS.md "The fused SEM-MBT graph": log_mel [B,T,96,64], faces
[B,T,C,S,S], text_cls [B,d_t], audio_mask / visual_mask [B,T], text_mask [B,1]. A modality
is present when any of its segments is; the SEMs see a learned "no text" embedding instead of
I_t when text_mask = 0.
"""
from __future__ import annotations

import torch
from torch import nn

from .attention import masked_mean, presence
from .cross_attention import build_cross_modal
from .encoders import SemanticEncoder, build_backbone
from .fusion import AttentiveDecisionFusion
from .heads import MLPHead, SequenceHead, VoiceStatsHead

OUTPUT_NAMES = ("fused", "audio", "visual", "text", "alpha", "audio_segments", "visual_segments")
INPUT_NAMES = ("log_mel", "faces", "text_cls", "audio_mask", "visual_mask", "text_mask")


class MERModel(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        m = config["model"]
        self.config = config
        self.num_classes = len(config["label_names"])
        self.text_dim = m["text_dim"]
        sem_a = m["audio"]["sem_after"] if m["use_sem"] else []
        sem_v = m["visual"]["sem_after"] if m["use_sem"] else []
        self.audio_encoder = SemanticEncoder(build_backbone(m["audio"]["backbone"]), self.text_dim, sem_a,
                                             m["audio"]["freeze_groups"], m["sem_softmax"])
        self.visual_encoder = SemanticEncoder(build_backbone(m["visual"]["backbone"]), self.text_dim, sem_v,
                                              m["visual"]["freeze_groups"], m["sem_softmax"])
        # The SEMs' I_t when there is no transcript (docs/CONTRACTS.md); learned.
        self.no_text = nn.Parameter(torch.zeros(self.text_dim))
        mbt = dict(m["mbt"])
        self.cross_modal = build_cross_modal(m["cross_modal"], self.audio_encoder.out_dim,
                                             self.visual_encoder.out_dim, **mbt)
        d = self.cross_modal.out_dim
        self.audio_head = SequenceHead(d, self.num_classes, **m["head"])
        self.visual_head = SequenceHead(d, self.num_classes, **m["head"])
        self.text_head = MLPHead(self.text_dim, self.num_classes, **m["head"])
        self.fusion = AttentiveDecisionFusion(self.num_classes, m["fusion"]["scoring"], m["text_decision"])
        self.voice_stats = self._voice_stats(m["audio"].get("voice_stats"))
        # How much of the voice-statistics evidence each class's audio decision takes: learned,
        # from 0, so the fusion stage adds it only where its training data say it helps.
        self.voice_stats_gain = nn.Parameter(torch.zeros(self.num_classes)) if self.voice_stats is not None else None

    def _voice_stats(self, spec) -> VoiceStatsHead | None:
        """``model.audio.voice_stats``: None, or ``{group, weights}`` (weights None = zeros, e.g.
        before a checkpoint's state is loaded). The input width comes from the backbone itself."""
        if not spec:
            return None
        group = int(spec["group"])
        if not 1 <= group <= self.audio_encoder.cacheable_groups():
            raise ValueError(f"voice_stats group {group}: must be a frozen group before any SEM "
                             f"(1..{self.audio_encoder.cacheable_groups()})")
        m = self.config["model"]
        with torch.no_grad():
            probe = self.audio_encoder.forward_frozen(torch.zeros(1, 1, m["patch_frames"], m["mel_bins"]), group)
        head = VoiceStatsHead(VoiceStatsHead.statistics(probe).shape[1], self.num_classes, group)
        return head.load(spec["weights"]) if spec.get("weights") else head

    def sem_text(self, text_cls: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
        return text_cls * text_mask + self.no_text * (1.0 - text_mask)

    def _encode(self, encoder: SemanticEncoder, x: torch.Tensor, text: torch.Tensor, start: int) -> torch.Tensor:
        b = x.shape[0]
        flat = x.reshape((-1,) + tuple(x.shape[2:]))                               # [B*T, ...]
        text_per_segment = text.unsqueeze(1).expand(-1, x.shape[1], -1).reshape(-1, text.shape[-1])
        return encoder(flat, text_per_segment, start).reshape(b, -1, encoder.out_dim)

    def forward(self, log_mel, faces, text_cls, audio_mask, visual_mask, text_mask,
                audio_start: int = 0, visual_start: int = 0, voice_stats=None) -> dict:
        """Returns logits (``fused``, ``audio``, ``visual``, ``text`` [B,M]; ``audio_segments``,
        ``visual_segments`` [B,T,M]) and ``alpha`` [B,3]. ``*_start`` > 0: the inputs are cached
        outputs of the first frozen groups (see SemanticEncoder.forward); then ``voice_stats`` is
        the cached per-segment output of ``self.voice_stats`` [B,T,M] when the model has one."""
        if log_mel.dim() == 4 and audio_start == 0:
            log_mel = log_mel.unsqueeze(2)                                          # [B,T,1,96,64]
        text = self.sem_text(text_cls, text_mask)
        if self.voice_stats is not None and audio_start == 0:
            # Groups 1..g run once: their map feeds both the statistics and the rest of the encoder.
            b, t = log_mel.shape[:2]
            early = self.audio_encoder.forward_frozen(log_mel.reshape((-1,) + tuple(log_mel.shape[2:])),
                                                      self.voice_stats.group)
            voice_stats = self.voice_stats(early).reshape(b, t, -1)
            log_mel, audio_start = early.reshape((b, t) + tuple(early.shape[1:])), self.voice_stats.group
        elif self.voice_stats is not None and voice_stats is None:
            raise ValueError("this model has a voice-statistics head: pass its cached per-segment output (voice_stats)")
        audio = self._encode(self.audio_encoder, log_mel, text, audio_start)         # I_ta [B,T,d_a]
        visual = self._encode(self.visual_encoder, faces, text, visual_start)        # I_tv [B,T,d_v]
        audio, visual = self.cross_modal(audio, visual, audio_mask, visual_mask)
        s_a, seg_a = self.audio_head(audio, audio_mask)
        if self.voice_stats is not None:
            s_a = s_a + self.voice_stats_gain * masked_mean(voice_stats, audio_mask)
            seg_a = seg_a + self.voice_stats_gain * voice_stats
        s_v, seg_v = self.visual_head(visual, visual_mask)
        s_t = self.text_head(text_cls)
        present = torch.cat([presence(audio_mask), presence(visual_mask), text_mask], dim=1)
        fused, alpha = self.fusion(s_a, s_v, s_t, present)
        return {"fused": fused, "audio": s_a, "visual": s_v, "text": s_t, "alpha": alpha,
                "audio_segments": seg_a, "visual_segments": seg_v, "present": present}

    def parameter_groups(self):
        """(backbone parameters -> backbone_lr, everything else -> lr), trainable only."""
        bb_a, rest_a = self.audio_encoder.parameter_groups()
        bb_v, rest_v = self.visual_encoder.parameter_groups()
        enc = {id(p) for p in self.audio_encoder.parameters()} | {id(p) for p in self.visual_encoder.parameters()}
        others = [p for p in self.parameters() if p.requires_grad and id(p) not in enc]
        return bb_a + bb_v, rest_a + rest_v + others


class FusedGraph(nn.Module):
    """The exported graph: MERModel with probabilities out, in OUTPUT_NAMES order."""

    def __init__(self, model: MERModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, log_mel, faces, text_cls, audio_mask, visual_mask, text_mask):
        out = self.model(log_mel, faces, text_cls, audio_mask, visual_mask, text_mask)
        return (torch.sigmoid(out["fused"]), torch.sigmoid(out["audio"]), torch.sigmoid(out["visual"]),
                torch.sigmoid(out["text"]), out["alpha"],
                torch.sigmoid(out["audio_segments"]), torch.sigmoid(out["visual_segments"]))


def build_model(config: dict) -> MERModel:
    return MERModel(config)
