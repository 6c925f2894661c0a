"""Pretrain the visual backbone on FER2013 face expressions (the default model's visual CNN).

The paper starts its visual encoder from a ResNet18 trained on AffectNet (section 4.3); those
weights are not obtainable here. Two routes, one command:
- ``--arch face_resnet``: our compact ResNet18-shaped backbone trained from scratch;
- ``--arch mini_xception``: fine-tune the mini-Xception ported from its Keras FER2013 weights
  (../shared/weights/mini_xception), the cheap route on a CPU shared by many jobs.
Trained on FER2013 train (28,709 faces), the epoch kept by FER2013 validation (PublicTest, 3,589)
accuracy, reported on FER2013 test (PrivateTest, 3,589) and on CK+ as a cross-dataset check.

Inputs are what the browser feeds (docs/CONTRACTS.md "Face crops"): 1x48x48 grey in [0, 1];
normalisation lives in the backbone's stem. Labels use the Ekman-7 order of
training/configs/features.json.

    PYTHONPATH=training /usr/bin/python3 -m mer.pretrain.fer train --arch face_resnet --epochs 30 --threads 2
    PYTHONPATH=training /usr/bin/python3 -m mer.pretrain.fer train --arch mini_xception --epochs 2 --lr 0.01 --warmup-epochs 0
    PYTHONPATH=training /usr/bin/python3 -m mer.pretrain.fer evaluate training/checkpoints/visual_fer.pt

Training checkpoints every epoch to ``training/.cache/fer_<run>/last.pt`` (and the best epoch by
validation accuracy to ``best.pt``) and resumes from it when started again with the same ``--run``
and arguments; ``--init-from`` starts a new run from an earlier checkpoint.

On a GPU (``--device cuda --amp bf16``) the same loop runs with the batch and its augmentation on
the device. A machine without ../shared reads the faces from ``pack``'s mosaics in
``training/.device/`` (training/scripts/device_fer.py is the prepared job for a lent GPU);
``--real-crop-aug P`` adds what the app's crops of real video look like (small faces upscaled,
blur, sensor noise, low contrast); ``--teacher CKPT`` distils a larger network into this one.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mer.backbones.resnet import ResNetBackbone, face_resnet
from mer.pretrain.schedules import scheduler, warmup_cosine

TRAINING_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = TRAINING_DIR.parent
SHARED_DATA = REPO_DIR.parent / "shared" / "data"
FER2013_DIR = SHARED_DATA / "fer2013"
CKPLUS_DIR = SHARED_DATA / "ckplus48" / "CK+48"
CACHE_DIR = Path(os.environ.get("MER_FER_CACHE", TRAINING_DIR / ".cache"))
CHECKPOINT_DIR = TRAINING_DIR / "checkpoints"
# Faces packed for a machine without ../shared (a lent GPU): git-ignored, carried by the device run.
# Read when neither the cache nor ../shared has FER2013, or always when MER_FER_PACK names the folder.
PACK_DIR = Path(os.environ.get("MER_FER_PACK", TRAINING_DIR / ".device"))
PACK_COLUMNS = 128
PACK_QUALITY = 95   # FER2013 is JPEG already; at 95 the mosaic differs from it by 0.09 grey levels on average

LABELS: tuple[str, ...] = tuple(json.loads((TRAINING_DIR / "configs" / "features.json").read_text())["labels"])
# Dataset folder names -> Ekman-7 label names; folders not listed (CK+ "contempt") are skipped.
FOLDER_TO_LABEL = {
    "angry": "anger", "anger": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happiness",
    "sad": "sadness", "sadness": "sadness",
    "surprise": "surprise",
    "neutral": "neutral",
}
FER2013_SPLITS = ("train", "validation", "test")
SPLIT_NAMES = {"train": "Training", "validation": "PublicTest", "test": "PrivateTest"}


# ---------------------------------------------------------------- data

def read_face_folder(root: Path, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """Read ``root/<emotion>/*.{jpg,png}`` as uint8 grey [N, size, size] and Ekman-7 label ids."""
    from PIL import Image

    images, labels = [], []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        label = FOLDER_TO_LABEL.get(folder.name.lower())
        if label is None:
            continue
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() not in (".jpg", ".jpeg", ".png"):
                continue
            with Image.open(file) as im:
                im = im.convert("L")
                if im.size != (size, size):
                    im = im.resize((size, size), Image.BILINEAR)
                images.append(np.asarray(im, dtype=np.uint8))
            labels.append(LABELS.index(label))
    if not images:
        raise FileNotFoundError(f"no face images under {root} (expected <emotion>/*.jpg|png)")
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def load_cached(name: str, root: Path, cache_dir: Path = CACHE_DIR) -> tuple[np.ndarray, np.ndarray]:
    """``read_face_folder`` once, then from ``cache_dir/<name>_{x,y}.npy``."""
    xf, yf = cache_dir / f"{name}_x.npy", cache_dir / f"{name}_y.npy"
    if xf.exists() and yf.exists():
        return np.load(xf), np.load(yf)
    x, y = read_face_folder(root)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(xf, x)
    np.save(yf, y)
    return x, y


def load_fer2013(split: str) -> tuple[np.ndarray, np.ndarray]:
    if split not in FER2013_SPLITS:
        raise ValueError(f"unknown FER2013 split {split!r}; choose one of {FER2013_SPLITS}")
    name = f"fer2013_{split}"
    if os.environ.get("MER_FER_PACK") or (not (CACHE_DIR / f"{name}_x.npy").exists()
                                          and not (FER2013_DIR / split).is_dir() and (PACK_DIR / f"{name}.jpg").exists()):
        return unpack_faces(PACK_DIR, name)
    return load_cached(name, FER2013_DIR / split)


def pack_faces(x: np.ndarray, y: np.ndarray, out_dir: Path, name: str) -> Path:
    """Faces [N, 48, 48] as one grey JPEG mosaic (``PACK_COLUMNS`` wide) plus their labels: about
    a third of the raw bytes, so FER2013's training set fits a device run's 64 MiB carry."""
    from PIL import Image

    n, size = len(x), x.shape[1]
    rows = -(-n // PACK_COLUMNS)
    mosaic = np.zeros((rows * size, PACK_COLUMNS * size), np.uint8)
    for i in range(n):
        r, c = divmod(i, PACK_COLUMNS)
        mosaic[r * size:(r + 1) * size, c * size:(c + 1) * size] = x[i]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.jpg"
    Image.fromarray(mosaic).save(path, "JPEG", quality=PACK_QUALITY, subsampling=0)
    np.save(out_dir / f"{name}_y.npy", y.astype(np.int64))
    return path


def unpack_faces(pack_dir: Path, name: str, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """``pack_faces``' mosaic back to faces [N, size, size] and labels."""
    from PIL import Image

    y = np.load(pack_dir / f"{name}_y.npy")
    with Image.open(pack_dir / f"{name}.jpg") as im:
        mosaic = np.asarray(im.convert("L"))
    x = np.stack([mosaic[(i // PACK_COLUMNS) * size:(i // PACK_COLUMNS + 1) * size,
                         (i % PACK_COLUMNS) * size:(i % PACK_COLUMNS + 1) * size] for i in range(len(y))])
    return x, y


def load_ckplus() -> tuple[np.ndarray, np.ndarray]:
    return load_cached("ckplus48", CKPLUS_DIR)


# ---------------------------------------------------------------- model

class FaceExpressionNet(nn.Module):
    """Backbone + linear classifier over Ekman-7 (state_dict keys ``backbone.*``, ``classifier.*``)."""

    def __init__(self, backbone: ResNetBackbone, num_classes: int = len(LABELS)) -> None:
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Linear(backbone.out_dim, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.backbone(x))


ARCHITECTURES = ("face_resnet", "mini_xception")


def _memory_format(arch: dict) -> torch.memory_format:
    """channels_last makes the ResNet's convolutions about 1.5x faster here. torch 1.13 (Debian)
    crashes with it in the depthwise convolutions' backward (mini-Xception) and corrupts the heap
    when a layer has fewer than 16 channels, so those stay contiguous."""
    if arch.get("name", "face_resnet") == "face_resnet" and min(arch.get("widths", [16])) >= 16:
        return torch.channels_last
    return torch.contiguous_format


def build_model(arch: dict) -> nn.Module:
    """``face_resnet`` (our compact ResNet18 shape) or ``mini_xception`` (the Keras model's layout,
    initialised from its FER2013 weights when ``arch["init"] == "keras"``)."""
    name = arch.get("name", "face_resnet")
    kwargs = {k: v for k, v in arch.items() if k not in ("name", "init")}
    if name == "face_resnet":
        return FaceExpressionNet(face_resnet(**kwargs))
    if name == "mini_xception":
        from mer.backbones.mini_xception import MiniXceptionClassifier, load_keras_mini_xception
        return load_keras_mini_xception() if arch.get("init") == "keras" else MiniXceptionClassifier()
    raise ValueError(f"unknown architecture {name!r}; choose one of {ARCHITECTURES}")


# ---------------------------------------------------------------- augmentation

def augment(x: torch.Tensor, gen: torch.Generator, max_rotate: float = 12.0, scale: tuple[float, float] = (0.88, 1.12),
            max_shift: float = 0.1, jitter: float = 0.25, erase_p: float = 0.25, crop: int = 0) -> torch.Tensor:
    """Batched random affine (rotation, zoom, shift, horizontal flip), brightness/contrast and
    random erasing on ``x`` [B, 1, H, W] in [0, 1]. One ``grid_sample`` per batch, so it costs
    little next to the network. ``crop`` > 0 keeps the central ``crop`` x ``crop`` (the random
    shift makes it a random crop): training on 40 px crops costs 0.69x of 48 px, and the fully
    convolutional backbone still sees whole 48 px faces at test time."""
    b, _, h, w = x.shape
    # Drawn on the CPU generator (the same numbers on any device), then moved to the batch.
    u = lambda *shape: torch.rand(*shape, generator=gen).to(x.device)  # noqa: E731
    angle = (u(b) * 2 - 1) * math.radians(max_rotate)
    zoom = scale[0] + u(b) * (scale[1] - scale[0])
    flip = torch.where(u(b) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([
        torch.stack([cos * flip, -sin, (u(b) * 2 - 1) * max_shift * 2], 1),
        torch.stack([sin * flip, cos, (u(b) * 2 - 1) * max_shift * 2], 1),
    ], 1)
    # F.affine_grid is slow on CPU in torch 1.13 (0.1 s for 128 faces); the same grid as one matmul:
    ys = (torch.arange(h, dtype=x.dtype, device=x.device) * 2 + 1) / h - 1
    xs = (torch.arange(w, dtype=x.dtype, device=x.device) * 2 + 1) / w - 1
    base = torch.stack([xs.repeat(h), ys.repeat_interleave(w), torch.ones(h * w, dtype=x.dtype, device=x.device)], 1)
    grid = torch.matmul(base, theta.transpose(1, 2)).view(b, h, w, 2)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    contrast = 1 + (u(b, 1, 1, 1) * 2 - 1) * jitter
    brightness = (u(b, 1, 1, 1) * 2 - 1) * jitter * 0.4
    mean = x.mean(dim=(2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + brightness).clamp(0, 1)
    if crop and crop < h:
        top, left = (h - crop) // 2, (w - crop) // 2
        x = x[:, :, top:top + crop, left:left + crop]
        h = w = crop
    if erase_p > 0:
        eh = (u(b) * 0.3 + 0.1) * h
        ew = (u(b) * 0.3 + 0.1) * w
        cy, cx = u(b) * h, u(b) * w
        ys = torch.arange(h, device=x.device).view(1, h, 1)
        xs = torch.arange(w, device=x.device).view(1, 1, w)
        box = ((ys - cy.view(-1, 1, 1)).abs() < eh.view(-1, 1, 1) / 2) & ((xs - cx.view(-1, 1, 1)).abs() < ew.view(-1, 1, 1) / 2)
        box &= (u(b) < erase_p).view(-1, 1, 1)
        x = torch.where(box.unsqueeze(1), u(b, 1, h, w), x)
    return x


def real_crop_look(x: torch.Tensor, gen: torch.Generator, p: float = 0.5, min_side: int = 12) -> torch.Tensor:
    """What the app's 48 px crops of real video look like next to FER2013's faces, each with
    probability ``p`` (half of it for the milder ones), per face: a small face upscaled (down to
    ``min_side``-40 px, area-averaged, then bilinear back), blur (Gaussian, sigma 0.5-1.5 px),
    sensor noise (sigma up to 0.04) and a flat, dim or bright picture (contrast 0.4-0.8, gamma
    0.7-1.4). ``x`` [B, 1, H, W] in [0, 1]; 0 returns it unchanged."""
    if p <= 0:
        return x
    b, _, h, w = x.shape
    u = lambda *shape: torch.rand(*shape, generator=gen).to(x.device)  # noqa: E731
    pick = lambda q: (u(b) < q).view(b, 1, 1, 1)  # noqa: E731
    # Upscaled small faces: one side for the batch keeps it a single interpolate pair.
    side = int(min_side + float(torch.rand(1, generator=gen)) * (40 - min_side))
    small = F.interpolate(F.interpolate(x, size=(side, side), mode="area"), size=(h, w), mode="bilinear",
                          align_corners=False)
    x = torch.where(pick(p), small, x)
    sigma = 0.5 + u(b) * 1.0
    taps = torch.arange(-2, 3, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-taps.view(1, -1) ** 2 / (2 * sigma.view(-1, 1) ** 2))
    kernel = (kernel / kernel.sum(1, keepdim=True)).view(b, 1, 1, 5)
    blurred = F.conv2d(F.pad(x.view(1, b, h, w), (2, 2, 0, 0), mode="replicate"), kernel, groups=b)
    blurred = F.conv2d(F.pad(blurred, (0, 0, 2, 2), mode="replicate"), kernel.transpose(2, 3), groups=b).view(b, 1, h, w)
    x = torch.where(pick(p / 2), blurred, x)
    noise = torch.randn(b, 1, h, w, generator=gen).to(x.device) * (u(b) * 0.04).view(b, 1, 1, 1)
    x = torch.where(pick(p / 2), x + noise, x)
    mean = x.mean(dim=(2, 3), keepdim=True)
    flat = (((x - mean) * (0.4 + u(b) * 0.4).view(b, 1, 1, 1) + mean).clamp(0, 1)) ** (0.7 + u(b) * 0.7).view(b, 1, 1, 1)
    x = torch.where(pick(p / 2), flat, x)
    return x.clamp(0, 1)


# ---------------------------------------------------------------- evaluation

@torch.no_grad()
def predict(model: nn.Module, images: np.ndarray, batch_size: int = 128, flip_tta: bool = False) -> np.ndarray:
    """Class probabilities [N, 7] for uint8 faces [N, 48, 48]."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(images), batch_size):
        x = torch.from_numpy(images[i:i + batch_size]).to(device).float().div_(255).unsqueeze(1)
        if [p for p in model.parameters() if p.ndim == 4][-1].is_contiguous(memory_format=torch.channels_last):
            x = x.contiguous(memory_format=torch.channels_last)
        p = model(x).softmax(1)
        if flip_tta:
            p = (p + model(x.flip(3)).softmax(1)) / 2
        out.append(p.float().cpu())
    return torch.cat(out).numpy()


def classification_metrics(probs: np.ndarray, labels: np.ndarray, classes: list[int] | None = None) -> dict:
    """Accuracy, macro-F1 (over ``classes`` present in ``labels``), per-class recall, confusion."""
    from sklearn.metrics import confusion_matrix, f1_score

    pred = probs.argmax(1)
    present = sorted(set(labels.tolist())) if classes is None else classes
    cm = confusion_matrix(labels, pred, labels=list(range(len(LABELS))))
    return {
        "n": int(len(labels)),
        "accuracy": round(float((pred == labels).mean()), 4),
        "macro_f1": round(float(f1_score(labels, pred, labels=present, average="macro", zero_division=0)), 4),
        "recall": {LABELS[c]: round(float(cm[c, c] / max(cm[c].sum(), 1)), 4) for c in present},
        "confusion": cm.tolist(),
    }


@torch.no_grad()
def real_clip_metrics(model: nn.Module, browser_dir: str | Path) -> dict:
    """The classifier on the app's own crops of the 72 real dev clips (a ``npm run prepare-dataset``
    folder): per clip the mean softmax over its segments with a face, after the per-crop contrast
    normalisation the default model's visual backbone applies; clips with no face are left out.
    Zero-shot: no part of this network saw these clips. The constant guesses stand beside it."""
    from mer.data.prepare import browser_features
    from mer.default_model.backbones import match_fer_contrast
    from mer.default_model.features import dev_av_rows

    files = browser_features(browser_dir)
    model.eval()
    probs, labels = [], []
    for row in dev_av_rows():
        with np.load(files[row["id"]]) as z:
            faces, mask = z["faces"], z["visual_mask"]
        if mask.sum() == 0:
            continue
        crops = match_fer_contrast(torch.from_numpy(faces[mask > 0]).float())
        probs.append(model(crops).softmax(1).mean(0).numpy())
        labels.append(row["label"])
    y = np.asarray(labels)
    counts = np.bincount(y, minlength=len(LABELS))
    return {"dataset": f"iemocap_dev_av (app crops from {Path(browser_dir).name})", "split": "all clips with a face",
            **classification_metrics(np.stack(probs), y),
            "baseline_always_majority": {"label": LABELS[int(counts.argmax())], "accuracy": round(float(counts.max() / len(y)), 4)}}


def evaluate_all(model: nn.Module, real_crops: str | Path | None = None) -> dict:
    """FER2013 validation/test (plain and with horizontal-flip averaging) and CK+ (its 6 classes
    shared with Ekman-7; contempt skipped; argmax over all 7 outputs, so 'neutral' counts as wrong);
    with ``real_crops``, also the real dev clips' app crops (``real_clip_metrics``)."""
    results = {}
    for split in ("validation", "test"):
        x, y = load_fer2013(split)
        p = predict(model, x)
        results[f"fer2013_{split}"] = {"dataset": "FER2013", "split": SPLIT_NAMES[split], **classification_metrics(p, y)}
        if split != "test":
            continue
        pt = predict(model, x, flip_tta=True)
        results[f"fer2013_{split}_flip_tta"] = {"dataset": "FER2013", "split": SPLIT_NAMES[split],
                                                **classification_metrics(pt, y)}
    x, y = load_ckplus()
    p = predict(model, x)
    ck = classification_metrics(p, y)
    shared = sorted(set(y.tolist()))
    restricted = np.full_like(p, -1.0)
    restricted[:, shared] = p[:, shared]
    ck6 = classification_metrics(restricted, y)
    results["ckplus"] = {"dataset": "CK+48 (927 of 981 peak frames: contempt excluded)", "split": "all",
                         "classes": [LABELS[c] for c in shared], **ck,
                         "accuracy_argmax_over_shared_classes": ck6["accuracy"],
                         "macro_f1_argmax_over_shared_classes": ck6["macro_f1"]}
    if real_crops:
        results["real_clip_crops"] = real_clip_metrics(model, real_crops)
    return results


# ---------------------------------------------------------------- training

def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _subset(x: np.ndarray, y: np.ndarray, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random ``limit`` of the faces (all when 0): folders are read in label order."""
    if not limit or limit >= len(y):
        return x, y
    keep = np.sort(np.random.default_rng(seed).permutation(len(y))[:limit])
    return x[keep], y[keep]


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton et al.'s soft-target term: KL(teacher || student) at ``temperature``, times T^2 so
    its gradients keep their scale as T changes."""
    t = temperature
    return F.kl_div(F.log_softmax(student / t, 1), F.softmax(teacher / t, 1), reduction="batchmean") * t * t


def train(args: argparse.Namespace, log: Callable[[str], None] = print) -> dict:
    from mer.device import autocast, check_amp, grad_scaler, resolve_device

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    device = resolve_device(getattr(args, "device", "cpu"))
    amp = check_amp(getattr(args, "amp", "off"), device)
    real_crop_p = float(getattr(args, "real_crop_aug", 0.0))
    teacher_path = getattr(args, "teacher", None)
    kd_weight, kd_t = float(getattr(args, "kd_weight", 0.5)), float(getattr(args, "kd_temperature", 4.0))
    run_dir = CACHE_DIR / f"fer_{args.run}"
    run_dir.mkdir(parents=True, exist_ok=True)
    if args.arch == "mini_xception":
        arch = {"name": "mini_xception", "init": "keras"}
    else:
        arch = {"name": "face_resnet", "widths": args.widths, "blocks": args.blocks,
                "first_layer_stride": args.first_layer_stride, "dropout": args.dropout}
    model = build_model(arch).to(memory_format=_memory_format(arch))
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    x_train, y_train = _subset(*load_fer2013("train"), args.limit, args.seed)
    x_val, y_val = _subset(*load_fer2013("validation"), args.limit, args.seed)
    steps_per_epoch = len(x_train) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    warmup = steps_per_epoch * args.warmup_epochs
    gen = torch.Generator().manual_seed(args.seed)
    state = {"epoch": 0, "history": [], "best_val_accuracy": -1.0, "wall_seconds": 0.0}

    init_from = getattr(args, "init_from", None)
    if init_from:
        model.load_state_dict(load_checkpoint(init_from).state_dict())
        model.to(memory_format=_memory_format(arch))
        arch = {**arch, "init": f"from {Path(init_from).name}"}
        log(f"initialised from {init_from}")
    last = run_dir / "last.pt"
    if last.exists() and not args.restart:
        ck = torch.load(last, map_location="cpu")
        if ck["arch"] != arch:
            raise ValueError(f"{last} was trained with {ck['arch']}, not {arch}; pass --restart or another --run")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        gen.set_state(ck["generator"])
        state = ck["state"]
        log(f"resumed from {last} after epoch {state['epoch']}")
    model.to(device)
    for group in opt.state.values():   # a resumed optimizer's momentum follows the model
        for k, v in group.items():
            if torch.is_tensor(v):
                group[k] = v.to(device)
    teacher = None
    if teacher_path:
        teacher = load_checkpoint(teacher_path).to(device).eval()
        log(f"distilling from {teacher_path} (weight {kd_weight}, temperature {kd_t})")
    scaler = grad_scaler(device, amp)
    x_all = torch.from_numpy(x_train).to(device)
    y_all = torch.from_numpy(y_train).to(device)
    # Linear warm-up then cosine decay to zero, per step; resumed at the epoch's first step.
    schedule = scheduler(opt, args.lr, warmup_cosine(warmup, total_steps), state["epoch"] * steps_per_epoch)
    criterion = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)

    while state["epoch"] < args.epochs:
        epoch = state["epoch"]
        t0 = time.time()
        model.train()
        order = torch.randperm(len(x_all), generator=gen)
        loss_sum = correct = seen = 0
        for i in range(steps_per_epoch):
            idx = order[i * args.batch_size:(i + 1) * args.batch_size].to(device)
            x = x_all[idx].float().div_(255).unsqueeze(1)
            y = y_all[idx]
            x = real_crop_look(x, gen, real_crop_p)
            x = augment(x, gen, crop=args.train_crop).contiguous(memory_format=_memory_format(arch))
            lr = opt.param_groups[0]["lr"]  # this step's rate, for the log
            with autocast(device, amp):
                logits = model(x)
            logits = logits.float()
            loss = criterion(logits, y)
            if teacher is not None:
                with torch.no_grad(), autocast(device, amp):
                    soft = teacher(x)
                loss = (1 - kd_weight) * loss + kd_weight * distillation_loss(logits, soft.float(), kd_t)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            schedule.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            if (i + 1) % args.log_every == 0:
                log(f"  epoch {epoch + 1} step {i + 1}/{steps_per_epoch} loss {loss_sum / seen:.4f} "
                    f"acc {correct / seen:.4f} lr {lr:.4f} {seen / (time.time() - t0):.0f} img/s")
        val = classification_metrics(predict(model, x_val), y_val)
        elapsed = time.time() - t0
        state["wall_seconds"] += elapsed
        state["epoch"] = epoch + 1
        record = {"epoch": epoch + 1, "train_loss": round(loss_sum / seen, 4), "train_accuracy": round(correct / seen, 4),
                  "val_accuracy": val["accuracy"], "val_macro_f1": val["macro_f1"], "seconds": round(elapsed, 1)}
        state["history"].append(record)
        improved = val["accuracy"] > state["best_val_accuracy"]
        if improved:
            state["best_val_accuracy"] = val["accuracy"]
            state["best_epoch"] = epoch + 1
            torch.save({"arch": arch, "model": model.state_dict(), "epoch": epoch + 1}, run_dir / "best.pt")
        torch.save({"arch": arch, "model": model.state_dict(), "optimizer": opt.state_dict(),
                    "generator": gen.get_state(), "state": state, "args": vars(args)}, run_dir / "last.tmp")
        os.replace(run_dir / "last.tmp", last)
        log(f"epoch {epoch + 1}/{args.epochs} " + json.dumps(record) + (" *best*" if improved else ""))

    best = torch.load(run_dir / "best.pt", map_location="cpu")
    model.cpu().load_state_dict(best["model"])
    return {"arch": arch, "model": model, "state": state, "best_epoch": best["epoch"]}


def describe(arch: dict) -> dict:
    """How to rebuild a checkpoint's network and what it takes as input (for its JSON)."""
    face = {"shape": [1, 48, 48], "range": "[0, 1] grey (0.299R+0.587G+0.114B)/255, framed like FER2013 faces"}
    if arch.get("name") == "mini_xception":
        return {"builder": "mer.backbones.mini_xception.MiniXceptionClassifier (backbone.*: MiniXceptionBackbone, "
                           "classifier.*: 3x3 conv to 7 + global average pool)",
                "input": {**face, "preprocessing": "inside the backbone stem: bilinear resize to 64x64, x * 2 - 1"}}
    return {"builder": "mer.backbones.resnet.face_resnet (backbone.*) + nn.Linear classifier (classifier.*)",
            "input": {**face, "preprocessing": "inside the backbone stem: (x - FER2013 mean) / std"}}


def export(result: dict, args: argparse.Namespace, log: Callable[[str], None] = print) -> dict:
    """Write the fp16 state_dict and its metrics JSON beside it."""
    model: FaceExpressionNet = result["model"]
    metrics = evaluate_all(model, getattr(args, "real_crops", None))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    half = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    torch.save(half, out)
    # Score the fp16 weights as shipped, too.
    fp16_model = build_model(result["arch"])
    fp16_model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in half.items()})
    x, y = load_fer2013("test")
    fp16_test = classification_metrics(predict(fp16_model, x), y)
    state = result["state"]
    info = {
        "architecture": result["arch"],
        **describe(result["arch"]),
        "parameters": sum(p.numel() for p in model.parameters()),
        "labels": list(LABELS),
        "trained_on": "FER2013 train (Training, n=28709); epoch chosen by FER2013 validation (PublicTest) accuracy",
        "training": {k: v for k, v in vars(args).items() if k not in ("command", "out")},
        "epochs": state["epoch"],
        "best_epoch": result["best_epoch"],
        "wall_seconds": round(state["wall_seconds"]),
        "history": state["history"],
        "metrics": metrics,
        "fp16_test_accuracy": fp16_test["accuracy"],
        "size_bytes": out.stat().st_size,
    }
    out.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    for key, m in metrics.items():
        log(f"{key}: n={m['n']} accuracy {m['accuracy']} macro-F1 {m['macro_f1']}")
    log(f"wrote {out} ({info['size_bytes'] / 1e6:.1f} MB) and {out.with_suffix('.json')}")
    return info


def load_checkpoint(path: str | Path) -> FaceExpressionNet:
    """A FaceExpressionNet from a file written by ``export`` (fp16 state_dict + JSON beside it)
    or from a training checkpoint (``last.pt`` / ``best.pt``)."""
    path = Path(path)
    ck = torch.load(path, map_location="cpu")
    if "arch" in ck:
        arch, state = ck["arch"], ck["model"]
    else:
        arch, state = json.loads(path.with_suffix(".json").read_text())["architecture"], ck
    model = build_model(arch)
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    return model.eval()


REAL_CROPS_HELP = ("also score the 72 real dev clips' app crops from this `npm run prepare-dataset` folder "
                   "(mer.default_model's browser features)")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="mer.pretrain.fer", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train (or resume) and export the fp16 checkpoint")
    t.add_argument("--run", default="main", help="run name: checkpoints in training/.cache/fer_<run>/")
    t.add_argument("--arch", choices=ARCHITECTURES, default="face_resnet",
                   help="mini_xception fine-tunes the ported Keras FER2013 model")
    t.add_argument("--init-from", help="start from this checkpoint (an exported visual_*.pt or a run's best.pt)")
    t.add_argument("--epochs", type=int, default=40)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=0.1)
    t.add_argument("--warmup-epochs", type=int, default=2)
    t.add_argument("--weight-decay", type=float, default=5e-4)
    t.add_argument("--label-smoothing", type=float, default=0.1)
    t.add_argument("--dropout", type=float, default=0.0)
    t.add_argument("--widths", type=int, nargs=5, default=[32, 32, 64, 128, 256])
    t.add_argument("--blocks", type=int, nargs=4, default=[2, 2, 2, 2], help="BasicBlocks in conv2_x..conv5_x")
    t.add_argument("--first-layer-stride", type=int, default=2)
    t.add_argument("--train-crop", type=int, default=0, help="train on random crops of this size (0: whole 48 px faces)")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (mer.device)")
    t.add_argument("--amp", default="off", help="off, bf16 or fp16 (CUDA only)")
    t.add_argument("--real-crop-aug", type=float, default=0.0,
                   help="probability of each real-video look (small face upscaled, blur, noise, flat light); 0: off")
    t.add_argument("--teacher", help="distil from this face checkpoint (a larger network's visual_*.pt or best.pt)")
    t.add_argument("--kd-weight", type=float, default=0.5, help="share of the distillation term in the loss")
    t.add_argument("--kd-temperature", type=float, default=4.0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--limit", type=int, default=0, help="use only the first N train/validation faces (smoke tests)")
    t.add_argument("--log-every", type=int, default=50)
    t.add_argument("--restart", action="store_true", help="ignore an existing last.pt")
    t.add_argument("--no-export", action="store_true")
    t.add_argument("--out", default=str(CHECKPOINT_DIR / "visual_fer.pt"))
    t.add_argument("--real-crops", metavar="DIR", help=REAL_CROPS_HELP)
    k = sub.add_parser("pack", help="FER2013 train/validation as JPEG mosaics in training/.device/ (for a device run)")
    k.add_argument("--splits", nargs="+", default=["train", "validation"], choices=FER2013_SPLITS)
    k.add_argument("--out", default=str(PACK_DIR))
    i = sub.add_parser("import", help="export a run trained elsewhere (training/scripts/device_fer.py's *_best.pt): "
                                      "fp16 checkpoint + metrics JSON, scored here")
    i.add_argument("collected")
    i.add_argument("--out", required=True)
    i.add_argument("--real-crops", metavar="DIR", help=REAL_CROPS_HELP)
    e = sub.add_parser("evaluate", help="metrics of a checkpoint on FER2013 validation/test and CK+")
    e.add_argument("checkpoint")
    e.add_argument("--real-crops", metavar="DIR", help=REAL_CROPS_HELP)
    e.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)

    def log(msg: str) -> None:
        print(time.strftime("%H:%M:%S ") + msg, flush=True)

    if args.command == "pack":
        for split in args.splits:
            x, y = load_fer2013(split)
            path = pack_faces(x, y, Path(args.out), f"fer2013_{split}")
            back, _ = unpack_faces(Path(args.out), f"fer2013_{split}")
            diff = np.abs(back.astype(np.int16) - x.astype(np.int16))
            log(f"{path}: {len(y)} faces, {path.stat().st_size / 1e6:.1f} MB, mean |diff| {diff.mean():.3f}, max {diff.max()}")
        return
    if args.command == "import":
        ck = torch.load(args.collected, map_location="cpu")
        run_args = argparse.Namespace(**{**ck["args"], "out": args.out, "real_crops": args.real_crops})
        export({"arch": ck["arch"], "model": load_checkpoint(args.collected), "state": ck["state"], "best_epoch": ck["epoch"]},
               run_args, log)
        return
    if args.command == "train":
        log("args " + json.dumps(vars(args)))
        result = train(args, log)
        if not args.no_export:
            export(result, args, log)
    else:
        torch.set_num_threads(args.threads)
        metrics = evaluate_all(load_checkpoint(args.checkpoint), args.real_crops)
        for key, m in metrics.items():
            log(f"{key}: n={m['n']} accuracy {m['accuracy']} macro-F1 {m['macro_f1']}")
        print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
