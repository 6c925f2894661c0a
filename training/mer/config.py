"""Training/model configuration: YAML files in training/configs/, merged over DEFAULTS.

A config may start with ``base: other.yaml`` (relative to its own folder) to inherit and
override. Unknown keys are errors that list the valid ones, so a typo never silently falls back
to a default. The front-end numbers (labels, log-mel, face crop, text dim) come from
training/configs/features.json, the file the browser's manifest is written from.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Mapping

import yaml

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent
FEATURES_JSON = TRAINING_DIR / "configs" / "features.json"

VARIANTS = {  # paper Table 3: (SEM in the encoders, cross-modal encoder)
    "MER": (False, "none"),
    "MER-SEM": (True, "none"),
    "MER-MBT": (False, "mbt"),
    "MER-SEM-MBT": (True, "mbt"),
}


def load_features() -> dict:
    with open(FEATURES_JSON) as fh:
        return json.load(fh)


DEFAULTS: dict[str, Any] = {
    "name": "mer",
    "labels": "ekman7",            # ekman7 | iemocap6 | mosei6 | a list of canonical names
    "model": {
        "variant": "MER-SEM-MBT",
        "cross_modal": None,         # None = as the variant says; else mbt | joint | bicross | none
        "text_decision": True,       # False = "without textual decision" (Table 2, last row)
        "text_dim": None,            # None = features.json text.dim
        "sem_softmax": "positions",
        "audio": {"backbone": {"name": "vggish"}, "sem_after": [2, 4], "freeze_groups": 2,
                  "voice_stats": None},   # {group, weights}: mer.heads.VoiceStatsHead (default_fusion.yaml turns it on)
        "visual": {"backbone": {"name": "resnet18", "in_channels": 1}, "sem_after": [3, 5], "freeze_groups": 3},
        "face": {"channels": None, "size": None},   # None = features.json face.crop
        "mbt": {"dim": 64, "heads": 8, "bottlenecks": 4, "layers": 1, "ffn_mult": 4, "dropout": 0.1},
        "head": {"hidden": 128, "dropout": 0.1},
        "fusion": {"scoring": "per_modality"},
    },
    "text": {
        "encoder": "precomputed",    # precomputed (text_cls in the data) | bert (fine-tuned end to end)
        "bert_config": None,         # path to a HF config.json, or a dict of BertConfig fields
        "pretrained": None,          # a HF-named BertModel state_dict
        "tokenizer": None,           # folder with vocab.txt / tokenizer.json
        "max_length": 128,
        "trainable": True,
    },
    "data": {
        "manifest": None,            # JSONL (mer/data/manifest.py), or a list of them (rows concatenated)
        "val_fold": None,            # int: cross-validation — rows of train_split with this ``fold`` validate
        "train_split": "train",
        "val_split": "valid",
        "test_split": "test",
        "max_segments": 32,          # longer clips: a random window when training (evaluation: whole clip)
        "modality_dropout": 0.0,     # probability a training sample keeps only a random non-empty subset
        "segment_dropout": 0.0,      # probability each present segment is masked out (>= 1 kept)
        "cache_frozen": False,       # cache frozen-group outputs on disk (training/.cache)
        "cache_dir": None,
        "num_workers": 0,            # DataLoader worker processes (each seeded; pinned memory on CUDA)
        "keep_unlabelled": False,    # keep rows labelled with no class (all-zero target), as Dai et al. keep
                                     # CMU-MOSEI's; else rows with no label in the label set are dropped
    },
    "train": {
        "seed": 0,
        "batch_size": 8,
        "lr": 1e-4,
        "backbone_lr": 1e-5,          # unfrozen backbone layers (and a fine-tuned text encoder)
        "weight_decay": 0.0,
        "epochs": 30,
        "patience": 5,                # early stopping on validation Avg F1
        "pos_weight": "auto",         # auto = negatives/positives per class on the train split; none
        "aux_loss_weight": 0.0,       # BCE on each modality's own decision, added to the fused loss
        "grad_clip": 0.0,
        "threads": 2,
        "out_dir": None,              # default training/runs/<name>
        "max_steps_per_epoch": 0,     # 0 = whole epoch (a smoke-test knob)
        "deterministic": True,
        "device": "auto",             # auto (CUDA when available) | cpu | cuda | cuda:N (--device)
        "amp": "off",                 # off | bf16 | fp16 (CUDA only; GradScaler) mixed precision (--amp)
        "dist_timeout_s": 900,        # DDP: a collective waiting longer ends the run with an error
        "best_fp16": False,           # store best.pt's weights in fp16 (half the size; evaluation casts back)
    },
    "eval": {
        "thresholds": "fixed",        # fixed (0.5) | tuned: per-class thresholds tuned on validation F1
                                      # (0.05 grid) and applied to test, as Dai et al. 2021 (mer/metrics.py)
    },
}


def deep_merge(base: dict, override: Mapping, path: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}{key}"
        if key not in base:
            raise KeyError(f"unknown config key {where!r}: valid here are {sorted(base)}")
        if isinstance(base[key], dict) and isinstance(value, Mapping) and key not in ("backbone",):
            out[key] = deep_merge(base[key], value, where + ".")
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(path: Path) -> dict:
    with open(path) as fh:
        data = yaml.safe_load(fh) or {}
    base = data.pop("base", None)
    if base:
        parent = _read_yaml((path.parent / base).resolve())
        data = _merge_raw(parent, data)
    return data


def _merge_raw(base: dict, override: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(out.get(key), dict) and isinstance(value, Mapping) and key != "backbone":
            out[key] = _merge_raw(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _repo_path(value):
    """Relative paths in configs are relative to the repository root (where npm scripts run)."""
    if isinstance(value, str) and value and not Path(value).is_absolute():
        return str((REPO_ROOT / value).resolve())
    return value


PATH_KEYS = (("text", "bert_config"), ("text", "pretrained"), ("text", "tokenizer"),
             ("data", "manifest"), ("data", "cache_dir"), ("train", "out_dir"))


def portable(config: dict) -> dict:
    """A copy whose paths inside the repository are repository-relative again, so a checkpoint
    trained on one machine (a GPU box) evaluates and exports from another checkout."""
    out = copy.deepcopy(config)
    root = REPO_ROOT.resolve()

    def rel(value):
        if isinstance(value, list):
            return [rel(v) for v in value]
        if isinstance(value, str) and Path(value).is_absolute():
            try:
                return str(Path(value).resolve().relative_to(root))
            except ValueError:
                return value
        return value
    for section, key in PATH_KEYS:
        out[section][key] = rel(out[section][key])
    for stream in ("audio", "visual"):
        backbone = out["model"][stream]["backbone"]
        for key in ("pretrained", "pretrained_path", "tflite_path", "weights"):
            if key in backbone:
                backbone[key] = rel(backbone[key])
    stats = out["model"]["audio"].get("voice_stats")
    if stats and stats.get("weights"):
        stats["weights"] = rel(stats["weights"])
    return out


def resolve(config: dict) -> dict:
    """Fill the None defaults that come from features.json and the variant."""
    features = load_features()
    model = config["model"]
    if config["model"]["variant"] not in VARIANTS:
        raise ValueError(f"variant {model['variant']!r}: valid are {sorted(VARIANTS)}")
    use_sem, cross = VARIANTS[model["variant"]]
    model["use_sem"] = use_sem
    model["cross_modal"] = model["cross_modal"] or cross
    model["text_dim"] = model["text_dim"] or features["text"]["dim"]
    model["face"]["channels"] = model["face"]["channels"] or features["face"]["crop"]["channels"]
    model["face"]["size"] = model["face"]["size"] or features["face"]["crop"]["size"]
    model["mel_bins"] = features["audio"]["mel_bins"]
    model["patch_frames"] = features["audio"]["patch_frames"]
    for section, key in PATH_KEYS:
        value = config[section][key]
        config[section][key] = [_repo_path(v) for v in value] if isinstance(value, list) else _repo_path(value)
    for stream in ("audio", "visual"):
        backbone = model[stream]["backbone"]
        for key in ("pretrained", "pretrained_path", "tflite_path", "weights"):
            if key in backbone:
                backbone[key] = _repo_path(backbone[key])
    stats = model["audio"].get("voice_stats")
    if stats and stats.get("weights"):
        stats["weights"] = _repo_path(stats["weights"])
    from .data.labels import label_names
    config["label_names"] = label_names(config["labels"])
    if not config["train"]["out_dir"]:
        config["train"]["out_dir"] = str(TRAINING_DIR / "runs" / config["name"])
    return config


def load_config(path: str | Path | None = None, overrides: Mapping | None = None) -> dict:
    raw = _read_yaml(Path(path).resolve()) if path else {}
    if overrides:
        raw = _merge_raw(raw, overrides)
    return resolve(deep_merge(DEFAULTS, raw))


def config_from_dict(data: Mapping) -> dict:
    """Rebuild a resolved config (e.g. from a checkpoint) without re-reading files."""
    data = dict(data)
    for derived in ("label_names",):
        data.pop(derived, None)
    model = dict(data.get("model", {}))
    for derived in ("use_sem", "mel_bins", "patch_frames"):
        model.pop(derived, None)
    data["model"] = model
    return resolve(deep_merge(DEFAULTS, data))


def architecture_only(config: dict) -> dict:
    """Drop pretrained-weight paths from the backbone entries (random initialisation)."""
    for stream in ("audio", "visual"):
        backbone = config["model"][stream]["backbone"]
        for key in ("pretrained", "pretrained_path", "tflite_path", "weights"):
            backbone.pop(key, None)
    config["text"]["pretrained"] = None
    return config
