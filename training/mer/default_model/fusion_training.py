"""The thin training loop of the default model on cached group-5 feature maps.

``forward_cached`` is MERModel.forward from the maps the frozen backbones produce (the SEM after
the last group, head, cross-modal encoder, decision heads, attentive fusion); a test proves it
equals MERModel.forward on the raw inputs, so the exported graph is the model trained here.
Loss, metrics and fusion are H2's (``mer.losses``, ``mer.metrics``, ``mer.fusion``).
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch

from ..losses import mer_loss, pos_weight_from_labels
from ..model import MERModel
from .compose import MODALITIES, Item, apply_dropout, compose_items


def _cached_groups(encoder) -> int:
    groups = len(encoder.backbone.stages)
    if encoder.frozen_groups != groups or any(g != groups for g in encoder.sem_after):
        raise ValueError("cached training needs every group frozen and SEMs only after the last group")
    return groups


def forward_cached(model: MERModel, audio_maps, visual_maps, text_cls, audio_mask, visual_mask, text_mask,
                   voice_stats=None) -> dict:
    """MERModel.forward from the group-5 maps [B, T, C, H, W] the frozen backbones produce (and,
    for a model with a voice-statistics head, its cached per-segment output [B, T, M])."""
    return model(audio_maps.float(), visual_maps.float(), text_cls, audio_mask, visual_mask, text_mask,
                 audio_start=_cached_groups(model.audio_encoder), visual_start=_cached_groups(model.visual_encoder),
                 voice_stats=voice_stats)


class Batcher:
    """Turns Items into padded tensors from the caches (``mer.default_model.features.load_caches``)."""

    def __init__(self, data: dict, num_classes: int, max_segments: int = 20) -> None:
        self.data = data
        self.m = num_classes
        self.max_segments = max_segments
        real, fer = data["real"], data["fer"]
        self.a_shape = tuple(real["audio"][0].shape[1:])
        self.v_shape = tuple(fer["maps"].shape[1:])
        self.text_dim = data["text"]["text"].shape[1]
        self.stats = real.get("voice_stats") is not None   # the model's voice-statistics head, cached

    def tensors(self, item: Item):
        real = self.data["real"]
        if item.source == "real":
            i = item.real
            a, am = real["audio"][i], real["audio_mask"][i].clone()
            v, vm = real["visual"][i], real["visual_mask"][i].clone()
            t = real["text"][i]
            st = real["voice_stats"][i] if self.stats else torch.zeros(len(a), self.m)
            t_count = len(a)
            if t_count > self.max_segments:   # training windows; evaluation passes the whole clip
                s = item.extra.get("start", 0)
                a, am, v, vm = a[s:s + self.max_segments], am[s:s + self.max_segments], v[s:s + self.max_segments], vm[s:s + self.max_segments]
                st = st[s:s + self.max_segments]
        else:
            t_count = max(1, item.segments)
            if item.audio is not None:
                e = self.data["speech"]
                a = e["maps"][item.audio, item.shift, :t_count]
                am = e["mask"][item.audio, item.shift, :t_count].clone()
                st = e["voice_stats"][item.audio, item.shift, :t_count] if self.stats else torch.zeros(len(a), self.m)
                t_count = len(a)
            else:
                a, am = torch.zeros((t_count,) + self.a_shape, dtype=torch.float16), torch.zeros(t_count)
                st = torch.zeros(t_count, self.m)
            v = self.data["fer"]["maps"][item.visual].unsqueeze(0).expand((t_count,) + self.v_shape)
            vm = torch.ones(t_count)
            t = self.data["text"]["text"][item.text]
        if not item.present[0]:
            am = torch.zeros_like(am)
        if not item.present[1]:
            vm = torch.zeros_like(vm)
        tm = 1.0 if item.present[2] else 0.0
        return a, am, v, vm, (t if tm else torch.zeros_like(t)), tm, st

    def collate(self, items: list[Item]) -> dict:
        parts = [self.tensors(it) for it in items]
        t_max = max(len(p[0]) for p in parts)
        b = len(items)
        out = {"audio_maps": torch.zeros((b, t_max) + self.a_shape), "visual_maps": torch.zeros((b, t_max) + self.v_shape),
               "audio_mask": torch.zeros(b, t_max), "visual_mask": torch.zeros(b, t_max),
               "text_cls": torch.zeros(b, self.text_dim), "text_mask": torch.zeros(b, 1),
               "targets": torch.zeros(b, self.m), "modality_targets": torch.zeros(b, 3, self.m),
               "voice_stats": torch.zeros(b, t_max, self.m) if self.stats else None}
        for j, ((a, am, v, vm, t, tm, st), it) in enumerate(zip(parts, items)):
            n = len(a)
            out["audio_maps"][j, :n] = a.float()
            out["visual_maps"][j, :n] = v.float()
            out["audio_mask"][j, :n] = am
            out["visual_mask"][j, :n] = vm
            out["text_cls"][j] = t
            out["text_mask"][j, 0] = tm
            out["targets"][j, it.label] = 1.0
            for m, label in enumerate(modality_labels(it)):
                out["modality_targets"][j, m, label] = 1.0
            if self.stats:
                out["voice_stats"][j, :n] = st.float()
        return out


def modality_labels(item: Item) -> tuple[int, int, int]:
    """The class of what each modality (audio, visual, text) of ``item`` shows: the item's target,
    except a composed triple's mismatched modality (or its neutral words), which shows its own class."""
    own = [item.label] * 3
    if item.mismatched is not None:
        others = [m for m in range(3) if m != MODALITIES.index(item.mismatched)]
        if any(item.present[m] for m in others):   # else the target already is the mismatched class
            own[MODALITIES.index(item.mismatched)] = item.mismatch_label
    return tuple(own)


def model_labels(num_classes: int) -> list[str]:
    from ..config import load_features
    names = list(load_features()["labels"])
    return names if len(names) == num_classes else []


def real_items(data: dict, indices, drop_wrong_face: bool) -> list[Item]:
    real = data["real"]
    items = []
    for i in indices:
        i = int(i)
        has_v = bool(real["visual_mask"][i].sum() > 0) and not (drop_wrong_face and real["wrong_face"][i])
        has_a = bool(real["audio_mask"][i].sum() > 0)
        items.append(Item(label=int(real["labels"][i]), source="real", real=i, segments=len(real["audio"][i]),
                          present=(has_a, has_v, True)))
    return items


def epoch_items(data: dict, train_real, cfg: dict, rng: np.random.Generator, num_classes: int) -> list[Item]:
    e = data["speech"]
    # Segments up to the last one with sound: leading silence stays (masked), as in a real clip.
    seg = [int(np.flatnonzero(m.numpy())[-1]) + 1 if m.any() else 1 for m in e["mask"].amax(1)]
    names = model_labels(num_classes)
    composed = compose_items(cfg["composed_per_epoch"], e["labels"].tolist(), data["fer"]["labels"].tolist(),
                             data["text"]["labels"].tolist(), num_classes, rng, cfg["mismatch_rate"], seg,
                             audio_shifts=e["maps"].shape[1], neutral_text_rate=cfg["neutral_text_rate"],
                             neutral=names.index("neutral") if "neutral" in names else None,
                             spoken=data["text"].get("spoken"))
    real = real_items(data, train_real, cfg["drop_wrong_face"]) * cfg["real_repeats"]
    for it in real:
        if it.segments > cfg["max_segments"]:
            it.extra = {"start": int(rng.integers(it.segments - cfg["max_segments"] + 1))}
    items = [apply_dropout(it, rng, cfg["modality_dropout"]) for it in composed + real]
    order = rng.permutation(len(items))
    return [items[i] for i in order]


DEFAULT_TRAIN = {"epochs": 5, "batch_size": 16, "lr": 1e-3, "composed_per_epoch": 800, "real_repeats": 3,
                 "mismatch_rate": 0.25, "neutral_text_rate": 0.3, "modality_dropout": 0.5, "drop_wrong_face": True, "max_segments": 12,
                 "aux_loss_weight": 0.5, "seed": 0, "weight_decay": 1e-4,
                 "gain_lr_mult": 30.0, "own_modality_targets": True, "text_head": "frozen"}
# The words' decision head (S_t): "trained" from scratch in this stage (as before session 12),
# "from_encoder": starts as the text encoder's own classifier (trained on the text sets' natural
# class balance, mer.pretrain.text) and trains on, "frozen": is that classifier, unchanged.
TEXT_HEAD_MODES = ("trained", "from_encoder", "frozen")


def init_text_head(model: MERModel, text_checkpoint, mode: str) -> None:
    """Set up the fused model's text head per ``mode`` (TEXT_HEAD_MODES) from the text encoder's
    checkpoint, whose classifier has the same MLPHead layout when their head configs match."""
    if mode not in TEXT_HEAD_MODES:
        raise ValueError(f"text_head {mode!r}: valid are {TEXT_HEAD_MODES}")
    if mode == "trained":
        return
    if not text_checkpoint:
        raise ValueError(f"text_head {mode!r} starts from the text encoder's classifier: the caches name no "
                         "text checkpoint (data['text_checkpoint']); use 'trained'")
    ckpt = torch.load(text_checkpoint, map_location="cpu")
    try:
        model.text_head.load_state_dict({k: v.float() for k, v in ckpt["head"].items()})
    except RuntimeError as err:   # another head size: say which two configs disagree
        raise ValueError(f"text_head {mode!r}: {text_checkpoint}'s classifier ({ckpt.get('head_config')}) does not fit "
                         f"the fused model's head ({model.config['model']['head']}); use 'trained'") from err
    if mode == "frozen":
        model.text_head.requires_grad_(False)


def fusion_optimizer(model: MERModel, cfg: dict) -> torch.optim.Adam:
    """Adam over the trainable parameters; the voice-statistics gain in its own group at
    ``gain_lr_mult`` times the rate. Why: the gain starts at 0, and Adam moves a weight by about
    the learning rate per step, so at the shared rate it could not pass ~0.15 in the whole run
    (5 epochs, one-cycle), whatever the data say: session 8's learned gains of 0.04-0.09 were that
    limit, not the data."""
    params = [p for p in model.parameters() if p.requires_grad]
    gain = [p for n, p in model.named_parameters() if p.requires_grad and n == "voice_stats_gain"]
    rest = [p for p in params if not any(p is g for g in gain)]
    groups = [{"params": rest, "lr": cfg["lr"]}]
    if gain:
        groups.append({"params": gain, "lr": cfg["lr"] * cfg["gain_lr_mult"]})
    return torch.optim.Adam(groups, lr=cfg["lr"], weight_decay=cfg["weight_decay"])


def train_fusion(model: MERModel, data: dict, train_real, cfg: dict | None = None, log=print) -> MERModel:
    cfg = {**DEFAULT_TRAIN, **(cfg or {})}
    num_classes = model.num_classes
    rng = np.random.default_rng(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    batcher = Batcher(data, num_classes, cfg["max_segments"])
    init_text_head(model, data.get("text_checkpoint"), cfg["text_head"])
    opt = fusion_optimizer(model, cfg)
    params = [p for g in opt.param_groups for p in g["params"]]
    probe = epoch_items(data, train_real, cfg, np.random.default_rng(cfg["seed"] + 999), num_classes)
    pos_weight = pos_weight_from_labels(np.eye(num_classes)[[it.label for it in probe]])
    total = cfg["epochs"] * math.ceil(len(probe) / cfg["batch_size"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[g["lr"] for g in opt.param_groups], total_steps=total,
                                                pct_start=0.15)
    step = 0
    for epoch in range(cfg["epochs"]):
        model.train()
        items = epoch_items(data, train_real, cfg, rng, num_classes)
        t0, losses = time.time(), []
        for s in range(0, len(items), cfg["batch_size"]):
            batch = batcher.collate(items[s:s + cfg["batch_size"]])
            out = forward_cached(model, batch["audio_maps"], batch["visual_maps"], batch["text_cls"],
                                 batch["audio_mask"], batch["visual_mask"], batch["text_mask"], batch["voice_stats"])
            loss = mer_loss(out, batch["targets"], pos_weight, cfg["aux_loss_weight"],
                            batch["modality_targets"] if cfg["own_modality_targets"] else None)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            opt.step()
            if step < total:
                sched.step()
            step += 1
            losses.append(float(loss))
        log(f"epoch {epoch + 1}/{cfg['epochs']} loss {np.mean(losses):.4f} items {len(items)} {time.time() - t0:.1f}s")
    return model.eval()


# Input conditions every real clip is scored under: each modality alone, voice + face without
# the words (what a user who just drops a video gets), and all three (the app's default).
CONDITIONS = {"audio": (True, False, False), "visual": (False, True, False), "text": (False, False, True),
              "no_text": (True, True, False), "fused": (True, True, True)}


@torch.no_grad()
def predict_real(model: MERModel, data: dict, indices, condition: tuple) -> np.ndarray:
    """Fused probabilities [len(indices), M] on whole real clips with only ``condition``'s modalities
    given (a modality with no present segment stays absent; a clip with nothing left gets NaN)."""
    model.eval()
    batcher = Batcher(data, model.num_classes, max_segments=10 ** 6)
    out = []
    for it in real_items(data, indices, drop_wrong_face=False):
        present = tuple(p and c for p, c in zip(it.present, condition))
        if not any(present):
            out.append(np.full(model.num_classes, np.nan, np.float32))
            continue
        it.present = present
        b = batcher.collate([it])
        o = forward_cached(model, b["audio_maps"], b["visual_maps"], b["text_cls"], b["audio_mask"],
                           b["visual_mask"], b["text_mask"], b["voice_stats"])
        out.append(torch.sigmoid(o["fused"])[0].numpy())
    return np.stack(out)
