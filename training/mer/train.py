"""Train a MER model (paper section 4.3): ``python -m mer.train --config FILE``
(``npm run train -- --config FILE``) ``[--device auto|cpu|cuda] [--amp off|bf16|fp16]``;
multi-process data parallel with ``torchrun --nproc_per_node N -m mer.train --config FILE``
(NCCL with one GPU per process on CUDA, gloo on CPU).

Multi-label BCE weighted by negatives/positives per class; Adam, lr 1e-4 and 1e-5 for the
unfrozen backbone layers (and a fine-tuned BERT); early groups frozen; batch 8; early stopping
on validation Avg F1 (with per-class thresholds tuned on validation when ``eval.thresholds`` is
``tuned``, as Dai et al. 2021). Seeded and deterministic; ``last.pt`` every epoch (with optimizer
and RNG state; resumed automatically unless ``--fresh``), ``best.pt`` on a new best (weights,
config, labels and tuned thresholds only; ``train.best_fp16`` halves it); ``log.jsonl`` one line
per epoch. Checkpoints hold tensors and plain Python types only (``torch.load(weights_only=True)``).

Distributed runs never wait forever: every rank runs the same collectives in the same order, the
process group has a timeout (``train.dist_timeout_s``), and a worker whose launcher dies is
ended with it (Linux parent-death signal), so a dead rank ends the run with an error.

Cheap modes for 2-core machines: ``text.encoder: precomputed`` (I_t stored with the data) and
``data.cache_frozen: true`` (the frozen groups' outputs computed once into training/.cache).
"""
from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler

from .compat import load_checkpoint, load_state, rng_state, save_checkpoint as write_checkpoint, set_rng_state
from .config import TRAINING_DIR, load_config, portable
from .data.dataset import MERDataset, collate
from .data.labels import encode
from .data.manifest import by_split, read_manifest
from .losses import mer_loss, pos_weight_from_labels
from .device import AMP_CHOICES, DEVICE_CHOICES, autocast, check_amp, grad_scaler, resolve_device, to_device
from .metrics import summarize, tune_thresholds
from .model import MERModel, build_model


# ---------------------------------------------------------------- setup

def read_rows(manifest) -> list[dict]:
    """One manifest or a list of them."""
    if manifest is None:
        raise ValueError("data.manifest is not set: give a JSONL manifest (python -m mer.data.adapters --help)")
    paths = manifest if isinstance(manifest, list) else [manifest]
    return [row for path in paths for row in read_manifest(path)]


def select_rows(rows: list[dict], config: dict) -> list[dict]:
    """Rows with a label in the config's label set; with ``data.keep_unlabelled`` also rows labelled
    with no class at all (``labels: []``, CMU-MOSEI's clips with no emotion: Dai et al. keep them
    as all-zero targets). Rows whose labels are all outside the label set are always dropped."""
    keep_empty = bool(config["data"]["keep_unlabelled"])
    return [r for r in rows if encode(r["labels"], config["labels"]).any() or (keep_empty and not r["labels"])]


def seed_everything(seed: int, deterministic: bool = True) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")   # deterministic cuBLAS
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True, warn_only=True)


def seed_worker(worker_id: int) -> None:
    """DataLoader worker: numpy and random seeded from the worker's own torch seed (base seed from
    the loader's generator + worker id), so no two workers share a random stream."""
    seed = torch.initial_seed() % 2 ** 32
    np.random.seed(seed)
    random.seed(seed)


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when its launcher (torchrun) dies, so no rank is left orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))   # PR_SET_PDEATHSIG
        except OSError:
            pass


def distributed(device: torch.device, timeout_s: float = 900) -> tuple[int, int]:
    """(rank, world size); under torchrun initialises NCCL (CUDA) or gloo (CPU) with a timeout."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        _die_with_parent()
        backend = "nccl" if device.type == "cuda" else "gloo"
        if backend == "nccl":   # make NCCL collectives honour the timeout (default on in torch >= 2.2)
            os.environ.setdefault("NCCL_ASYNC_ERROR_HANDLING", "1")
            os.environ.setdefault("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1")
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=float(timeout_s)))
    return (dist.get_rank(), world) if world > 1 else (0, 1)


class TextEncoder(nn.Module):
    """BERT (mer.text.bert, HF parameter names) giving I_t = last layer's [CLS] for end-to-end training."""

    def __init__(self, text_cfg: dict, text_dim: int) -> None:
        super().__init__()
        from .text.bert import BertConfig, BertModel
        spec = text_cfg["bert_config"]
        config = BertConfig.from_json(spec) if isinstance(spec, str) else BertConfig.from_dict(spec or {})
        self.bert_config = config.to_dict()     # stored in checkpoints: evaluation needs no config file
        if config.hidden_size != text_dim:
            raise ValueError(f"BERT hidden_size {config.hidden_size} != model.text_dim {text_dim}")
        self.bert = BertModel(config)
        if text_cfg["pretrained"]:
            state = load_state(text_cfg["pretrained"])
            self.bert.load_hf_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)
        if not text_cfg["trainable"]:
            for p in self.bert.parameters():
                p.requires_grad_(False)

    def forward(self, input_ids, attention_mask):
        return self.bert.cls_feature(input_ids, attention_mask, torch.zeros_like(input_ids))


class Trainable(nn.Module):
    """What DDP wraps: the MER model and, for end-to-end text, the text encoder."""

    def __init__(self, model: MERModel, text_encoder: TextEncoder | None, starts=(0, 0)) -> None:
        super().__init__()
        self.model = model
        self.text_encoder = text_encoder
        self.starts = starts

    def forward(self, batch: dict) -> dict:
        text_cls = batch["text_cls"]
        if self.text_encoder is not None and "input_ids" in batch:
            text_cls = self.text_encoder(batch["input_ids"], batch["attention_mask"]) * batch["text_mask"]
        return self.model(batch["log_mel"], batch["faces"], text_cls, batch["audio_mask"],
                          batch["visual_mask"], batch["text_mask"], *self.starts)


# ---------------------------------------------------------------- frozen-layer cache

def frozen_fingerprint(model: MERModel) -> str:
    """Short hash of the frozen groups' weights and buffers: a new backbone gets a new cache."""
    import hashlib
    h = hashlib.sha256()
    for enc in (model.audio_encoder, model.visual_encoder):
        h.update(str(enc.cacheable_groups()).encode())
        for stage in list(enc.backbone.stages)[: enc.cacheable_groups()]:
            for t in list(stage.state_dict().values()):
                h.update(t.detach().float().cpu().numpy().tobytes())
    return h.hexdigest()[:10]


@torch.no_grad()
def cache_frozen_outputs(model: MERModel, dataset: MERDataset, cache_dir: Path,
                         device: torch.device = torch.device("cpu")) -> tuple[list[dict], tuple[int, int]]:
    """Run every row's stem + frozen groups once (on ``device``, where the model is); returns rows
    pointing at the cached maps and the (audio, visual) group index the model resumes from."""
    ka = model.audio_encoder.cacheable_groups()
    kv = model.visual_encoder.cacheable_groups()
    cache_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    rows = []
    for row in dataset.rows:
        target = cache_dir / f"{row['id'].replace('/', '_')}.npz"
        if not target.exists():
            f = dataset._features(row)
            out = {k: f[k] for k in ("audio_mask", "visual_mask", "text_cls", "faces_random_mask") if k in f}
            if "log_mel" in f:
                x = torch.from_numpy(f["log_mel"].astype(np.float32)).unsqueeze(1).to(device)
                out["log_mel"] = model.audio_encoder.forward_frozen(x, ka).half().cpu().numpy()
            for key in ("faces", "faces_random"):
                if key in f:
                    x = torch.from_numpy(f[key].astype(np.float32)).to(device)
                    lead = x.shape[:-3]
                    y = model.visual_encoder.forward_frozen(x.reshape((-1,) + tuple(x.shape[-3:])), kv)
                    out[key] = y.reshape(tuple(lead) + tuple(y.shape[1:])).half().cpu().numpy()
            tmp = target.with_suffix(".tmp.npz")
            np.savez(tmp, **out)
            os.replace(tmp, target)
        new = {k: v for k, v in row.items() if k not in ("video", "audio", "image", "features")}
        new["features"] = str(target)
        rows.append(new)
    return rows, (ka, kv)


def cached_shapes(model: MERModel, config: dict, starts: tuple[int, int]) -> tuple[tuple, tuple]:
    m = config["model"]
    device = next(model.parameters()).device
    with torch.no_grad():
        a = model.audio_encoder.forward_frozen(torch.zeros(1, 1, m["patch_frames"], m["mel_bins"], device=device), starts[0])
        v = model.visual_encoder.forward_frozen(torch.zeros(1, m["face"]["channels"], m["face"]["size"], m["face"]["size"],
                                                            device=device), starts[1])
    return tuple(a.shape[1:]), tuple(v.shape[1:])


# ---------------------------------------------------------------- loops

@torch.no_grad()
def predict(trainable: nn.Module, loader, device: torch.device | None = None, amp: str = "off") -> dict[str, np.ndarray]:
    """Probabilities of every decision, alpha, presence and labels over a loader (rank-local), as
    float32 numpy on the CPU whatever the device and precision the model ran in."""
    trainable.eval()
    device = device or next(trainable.parameters()).device
    host = lambda t: t.detach().float().cpu().numpy()
    keys = ("fused", "audio", "visual", "text")
    acc: dict[str, list] = {k: [] for k in keys + ("alpha", "present", "labels")}
    ids = []
    for batch in loader:
        with autocast(device, amp):
            out = trainable(to_device(batch, device))
        for k in keys:
            acc[k].append(host(torch.sigmoid(out[k].float())))
        acc["alpha"].append(host(out["alpha"]))
        acc["present"].append(host(out["present"]))
        acc["labels"].append(host(batch["labels"]))
        ids += batch["id"]
    result = {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in acc.items()}
    result["ids"] = np.array(ids)
    return result


def gather(result: dict, world: int) -> dict:
    if world == 1:
        return result
    parts = [None] * world
    dist.all_gather_object(parts, result)
    merged = {k: np.concatenate([p[k] for p in parts]) for k in result}
    _, first = np.unique(merged["ids"], return_index=True)    # DistributedSampler pads with repeats
    keep = np.sort(first)
    return {k: v[keep] for k, v in merged.items()}


def make_loader(dataset, config, train: bool, world: int, rank: int, pad_id: int = 0,
                device: torch.device = torch.device("cpu")):
    """Workers (``data.num_workers``) seeded per worker from the loader's generator; pinned host
    memory when batches go to a GPU."""
    sampler = DistributedSampler(dataset, world, rank, shuffle=train, seed=config["train"]["seed"]) if world > 1 else None
    g = torch.Generator().manual_seed(config["train"]["seed"])
    workers = int(config["data"]["num_workers"])
    return DataLoader(dataset, batch_size=config["train"]["batch_size"], shuffle=train and sampler is None,
                      sampler=sampler, collate_fn=functools.partial(collate, pad_id=pad_id), generator=g,
                      num_workers=workers, worker_init_fn=seed_worker if workers else None,
                      pin_memory=device.type == "cuda", drop_last=False)


def _host_state(module: nn.Module, half: bool = False) -> dict:
    """A state dict on the CPU; ``half``: floating tensors stored as fp16 (load_state_dict casts back)."""
    cast = lambda t: t.half() if half and t.is_floating_point() else t
    return {k: cast(v.detach().cpu()) for k, v in module.state_dict().items()}


def save_checkpoint(path: Path, trainable: Trainable, optimizer, epoch: int, best: dict, config: dict,
                    weights_only: bool = False, half: bool = False, thresholds=None) -> None:
    """``last.pt`` (everything to resume) or, with ``weights_only``, ``best.pt`` (what evaluation and
    export need: no optimizer or RNG state). Tensors and plain Python types only."""
    state = {"config": portable({k: v for k, v in config.items() if k != "label_names"}),
             "labels": config["label_names"], "model": _host_state(trainable.model, half),
             "text_encoder": _host_state(trainable.text_encoder, half) if trainable.text_encoder else None,
             "epoch": epoch, "best": best,
             "thresholds": [float(t) for t in thresholds] if thresholds is not None else None}
    if not weights_only:
        state["optimizer"] = optimizer.state_dict()
        state["rng"] = rng_state()
    write_checkpoint(state, path)


def train(config: dict, fresh: bool = False, quiet: bool = False) -> dict:
    tcfg, dcfg = config["train"], config["data"]
    device = resolve_device(tcfg["device"])
    amp = check_amp(tcfg["amp"], device)
    rank, world = distributed(device, float(tcfg["dist_timeout_s"]))
    try:
        return _train(config, fresh, quiet, device, amp, rank, world)
    finally:
        if world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _train(config: dict, fresh: bool, quiet: bool, device: torch.device, amp: str, rank: int, world: int) -> dict:
    tcfg, dcfg = config["train"], config["data"]
    torch.set_num_threads(int(tcfg["threads"]))
    seed_everything(int(tcfg["seed"]), tcfg["deterministic"])
    out_dir = Path(tcfg["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)

    rows = read_rows(dcfg["manifest"])
    label_set = config["labels"]
    if dcfg["val_fold"] is not None:
        pool = select_rows(by_split(rows, dcfg["train_split"]), config)
        train_rows = [r for r in pool if r.get("fold") != dcfg["val_fold"]]
        val_rows = [r for r in pool if r.get("fold") == dcfg["val_fold"]]
    else:
        train_rows = select_rows(by_split(rows, dcfg["train_split"]), config)
        val_rows = select_rows(by_split(rows, dcfg["val_split"]), config)
    if not train_rows or not val_rows:
        raise ValueError(f"{dcfg['manifest']}: {len(train_rows)} train ({dcfg['train_split']}) and "
                         f"{len(val_rows)} validation ({dcfg['val_split']}) rows with labels in {label_set}")

    model = build_model(config)
    text_encoder = TextEncoder(config["text"], model.text_dim) if config["text"]["encoder"] == "bert" else None
    if text_encoder is not None:
        config["text"]["bert_config"] = text_encoder.bert_config
    train_set, val_set = MERDataset(train_rows, config, True), MERDataset(val_rows, config, False)
    pad_id = 0
    if text_encoder is not None:
        from .text.tokenizer import BertWordPieceTokenizer
        if not config["text"]["tokenizer"]:
            raise ValueError("text.encoder: bert needs text.tokenizer, a folder with tokenizer.json "
                             "(bert-base-uncased's is public/models/text)")
        tok = BertWordPieceTokenizer.from_dir(config["text"]["tokenizer"], config["text"]["max_length"])
        pad_id = tok.pad_id
        train_set.tokenize = val_set.tokenize = tok.encode

    start_epoch, best, thresholds = 0, {"avg_f1": -1.0, "epoch": -1}, None
    last = out_dir / "last.pt"
    resume = None
    if last.exists() and not fresh:
        resume = load_checkpoint(last)
        model.load_state_dict(resume["model"])
        if text_encoder is not None and resume.get("text_encoder"):
            text_encoder.load_state_dict(resume["text_encoder"])
        start_epoch, best, thresholds = resume["epoch"] + 1, resume["best"], resume.get("thresholds")
        set_rng_state(resume["rng"])
        if rank == 0 and not quiet:
            print(f"resumed from {last} at epoch {start_epoch}")
    model.to(device)
    if text_encoder is not None:
        text_encoder.to(device)

    starts = (0, 0)
    if dcfg["cache_frozen"]:
        cache_dir = Path(dcfg["cache_dir"] or TRAINING_DIR / ".cache" / "frozen" / f"{config['name']}-{frozen_fingerprint(model)}")
        if rank == 0:
            cache_frozen_outputs(model, train_set, cache_dir, device)
            cache_frozen_outputs(model, val_set, cache_dir, device)
        if world > 1:
            dist.barrier()
        train_set.rows, starts = cache_frozen_outputs(model, train_set, cache_dir, device)
        val_set.rows, _ = cache_frozen_outputs(model, val_set, cache_dir, device)
        shape_a, shape_v = cached_shapes(model, config, starts)
        for ds in (train_set, val_set):
            ds.audio_shape, ds.face_shape = shape_a, shape_v

    trainable = Trainable(model, text_encoder, starts)
    backbone, rest = model.parameter_groups()
    groups = [{"params": rest, "lr": tcfg["lr"]}, {"params": backbone, "lr": tcfg["backbone_lr"]}]
    if text_encoder is not None:
        groups.append({"params": [p for p in text_encoder.parameters() if p.requires_grad], "lr": tcfg["backbone_lr"]})
    optimizer = torch.optim.Adam([g for g in groups if g["params"]], weight_decay=tcfg["weight_decay"])
    if resume is not None:
        optimizer.load_state_dict(resume["optimizer"])
        resume = None
    scaler = grad_scaler(device, amp)
    pos_weight = pos_weight_from_labels(train_set.labels).to(device) if tcfg["pos_weight"] == "auto" else None
    tuned = config["eval"]["thresholds"] == "tuned"

    if world > 1:
        ids = [device.index] if device.type == "cuda" else None
        net = nn.parallel.DistributedDataParallel(trainable, device_ids=ids, output_device=ids[0] if ids else None,
                                                  find_unused_parameters=True)
    else:
        net = trainable
    train_loader = make_loader(train_set, config, True, world, rank, pad_id, device)
    val_loader = make_loader(val_set, config, False, world, rank, pad_id, device)
    if rank == 0:
        (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        if not quiet:
            print(f"{len(train_rows)} train / {len(val_rows)} validation rows; world size {world}; device {device}"
                  f"{'' if amp == 'off' else ', amp ' + amp}; "
                  f"{sum(p.numel() for p in trainable.parameters() if p.requires_grad):,} trainable parameters")

    from tqdm import tqdm
    stale = start_epoch - best["epoch"] - 1 if best["epoch"] >= 0 else 0
    history = []
    for epoch in range(start_epoch, int(tcfg["epochs"])):
        if stale >= int(tcfg["patience"]):    # the same on every rank: computed from gathered results
            break
        train_set.set_epoch(epoch, int(tcfg["seed"]) + rank)
        if isinstance(train_loader.sampler, DistributedSampler):
            train_loader.sampler.set_epoch(epoch)
        else:   # the epoch's order depends only on (seed, epoch), so a resumed run sees the same order
            train_loader.generator.manual_seed(int(tcfg["seed"]) * 1000003 + epoch)
        trainable.train()
        started, total, steps = time.time(), 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch}", disable=rank != 0 or quiet, leave=False)
        for batch in bar:
            batch = to_device(batch, device)
            with autocast(device, amp):
                outputs = net(batch)
            outputs = {k: v.float() for k, v in outputs.items()}      # the loss in fp32
            loss = mer_loss(outputs, batch["labels"], pos_weight, float(tcfg["aux_loss_weight"]))
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if tcfg["grad_clip"]:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(trainable.parameters(), float(tcfg["grad_clip"]))
            scaler.step(optimizer)
            scaler.update()
            total += float(loss)
            steps += 1
            bar.set_postfix(loss=f"{total / steps:.4f}")
            # Every rank has the same number of batches (DistributedSampler pads), so every rank
            # stops at the same step and runs DDP's all-reduce the same number of times.
            if tcfg["max_steps_per_epoch"] and steps >= int(tcfg["max_steps_per_epoch"]):
                break
        result = gather(predict(trainable, val_loader, device, amp), world)
        val = summarize(result["fused"], result["labels"])
        epoch_thresholds = tune_thresholds(result["fused"], result["labels"]) if tuned else None
        val_tuned = summarize(result["fused"], result["labels"], epoch_thresholds, strict=True) if tuned else None
        chosen = val_tuned or val
        entry = {"epoch": epoch, "train_loss": total / max(steps, 1), "val_avg_f1": val["avg_f1"],
                 "val_avg_acc": val["avg_acc"], "val_avg_wa": val["avg_wa"], "val_n": val["n"],
                 "seconds": round(time.time() - started, 1)}
        if tuned:
            entry.update({"val_avg_f1_tuned": val_tuned["avg_f1"], "val_avg_acc_tuned": val_tuned["avg_acc"],
                          "val_avg_wa_tuned": val_tuned["avg_wa"], "thresholds": val_tuned["thresholds"]})
        improved = chosen["avg_f1"] > best["avg_f1"]
        if improved:
            best = {"avg_f1": chosen["avg_f1"], "epoch": epoch, "avg_acc": chosen["avg_acc"], "avg_wa": chosen["avg_wa"],
                    "thresholds": "tuned on validation" if tuned else 0.5}
            thresholds = epoch_thresholds
            stale = 0
        else:
            stale += 1
        history.append(entry)
        if rank == 0:
            with open(out_dir / "log.jsonl", "a") as fh:
                fh.write(json.dumps(entry) + "\n")
            if not quiet:
                extra = f"  tuned Avg F1 {val_tuned['avg_f1']:.4f}" if tuned else ""
                print(f"epoch {epoch}: loss {entry['train_loss']:.4f}  val Avg F1 {val['avg_f1']:.4f}  "
                      f"Avg Acc {val['avg_acc']:.4f}  Avg WA {val['avg_wa']:.4f}{extra}  (n={val['n']}, {entry['seconds']} s)"
                      + ("  *best*" if improved else ""))
            if improved:
                save_checkpoint(out_dir / "best.pt", trainable, optimizer, epoch, best, config,
                                weights_only=True, half=bool(tcfg["best_fp16"]), thresholds=thresholds)
            save_checkpoint(last, trainable, optimizer, epoch, best, config, thresholds=thresholds)
        if world > 1:
            dist.barrier()     # rank 0 has written the checkpoints before anyone moves on
    return {"best": best, "history": history, "out_dir": str(out_dir), "device": str(device)}


def parse_overrides(pairs: list[str]) -> dict:
    """``a.b.c=value`` (value parsed as YAML) -> nested dict."""
    import yaml
    out: dict = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = yaml.safe_load(value)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True, help="YAML config (training/configs/*.yaml)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override, e.g. train.epochs=3")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt instead of resuming")
    ap.add_argument("--device", choices=DEVICE_CHOICES, help="train.device (default auto: CUDA when available)")
    ap.add_argument("--amp", choices=AMP_CHOICES, help="train.amp mixed precision (fp16 needs CUDA)")
    args = ap.parse_args(argv)
    overrides = parse_overrides(args.set)
    for key in ("device", "amp"):
        if getattr(args, key):
            overrides.setdefault("train", {})[key] = getattr(args, key)
    config = load_config(args.config, overrides)
    result = train(config, fresh=args.fresh)
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps({"best": result["best"], "out_dir": result["out_dir"]}))


if __name__ == "__main__":
    main()
