"""Train a MER model (paper section 4.3): ``python -m mer.train --config FILE``
(``npm run train -- --config FILE``); multi-process data parallel with
``torchrun --nproc_per_node N -m mer.train --config FILE`` (gloo backend on CPU).

Multi-label BCE weighted by negatives/positives per class; Adam, lr 1e-4 and 1e-5 for the
unfrozen backbone layers (and a fine-tuned BERT); early groups frozen; batch 8; early stopping
on validation Avg F1. Seeded and deterministic; ``last.pt`` every epoch (resumed automatically
unless ``--fresh``), ``best.pt`` on a new best Avg F1; ``log.jsonl`` one line per epoch.

Cheap modes for 2-core machines: ``text.encoder: precomputed`` (I_t stored with the data) and
``data.cache_frozen: true`` (the frozen groups' outputs computed once into training/.cache).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler

from .config import TRAINING_DIR, load_config
from .data.dataset import MERDataset, collate
from .data.labels import encode
from .data.manifest import by_split, read_manifest
from .losses import mer_loss, pos_weight_from_labels
from .metrics import summarize
from .model import MERModel, build_model


# ---------------------------------------------------------------- setup

def read_rows(manifest) -> list[dict]:
    """One manifest or a list of them."""
    if manifest is None:
        raise ValueError("data.manifest is not set: give a JSONL manifest (python -m mer.data.adapters --help)")
    paths = manifest if isinstance(manifest, list) else [manifest]
    return [row for path in paths for row in read_manifest(path)]


def seed_everything(seed: int, deterministic: bool = True) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)


def distributed() -> tuple[int, int]:
    """(rank, world size); initialises gloo when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


class TextEncoder(nn.Module):
    """BERT (mer.text.bert, HF parameter names) giving I_t = last layer's [CLS] for end-to-end training."""

    def __init__(self, text_cfg: dict, text_dim: int) -> None:
        super().__init__()
        from .text.bert import BertConfig, BertModel
        spec = text_cfg["bert_config"]
        config = BertConfig.from_json(spec) if isinstance(spec, str) else BertConfig.from_dict(spec or {})
        if config.hidden_size != text_dim:
            raise ValueError(f"BERT hidden_size {config.hidden_size} != model.text_dim {text_dim}")
        self.bert = BertModel(config)
        if text_cfg["pretrained"]:
            state = torch.load(text_cfg["pretrained"], map_location="cpu")
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
                h.update(t.detach().float().numpy().tobytes())
    return h.hexdigest()[:10]


@torch.no_grad()
def cache_frozen_outputs(model: MERModel, dataset: MERDataset, cache_dir: Path) -> tuple[list[dict], tuple[int, int]]:
    """Run every row's stem + frozen groups once; returns rows pointing at the cached maps and
    the (audio, visual) group index the model resumes from."""
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
                x = torch.from_numpy(f["log_mel"].astype(np.float32)).unsqueeze(1)
                out["log_mel"] = model.audio_encoder.forward_frozen(x, ka).half().numpy()
            for key in ("faces", "faces_random"):
                if key in f:
                    x = torch.from_numpy(f[key].astype(np.float32))
                    lead = x.shape[:-3]
                    y = model.visual_encoder.forward_frozen(x.reshape((-1,) + tuple(x.shape[-3:])), kv)
                    out[key] = y.reshape(tuple(lead) + tuple(y.shape[1:])).half().numpy()
            tmp = target.with_suffix(".tmp.npz")
            np.savez(tmp, **out)
            os.replace(tmp, target)
        new = {k: v for k, v in row.items() if k not in ("video", "audio", "image", "features")}
        new["features"] = str(target)
        rows.append(new)
    return rows, (ka, kv)


def cached_shapes(model: MERModel, config: dict, starts: tuple[int, int]) -> tuple[tuple, tuple]:
    m = config["model"]
    with torch.no_grad():
        a = model.audio_encoder.forward_frozen(torch.zeros(1, 1, m["patch_frames"], m["mel_bins"]), starts[0])
        v = model.visual_encoder.forward_frozen(torch.zeros(1, m["face"]["channels"], m["face"]["size"], m["face"]["size"]), starts[1])
    return tuple(a.shape[1:]), tuple(v.shape[1:])


# ---------------------------------------------------------------- loops

@torch.no_grad()
def predict(trainable: nn.Module, loader) -> dict[str, np.ndarray]:
    """Probabilities of every decision, alpha, presence and labels over a loader (rank-local)."""
    trainable.eval()
    keys = ("fused", "audio", "visual", "text")
    acc: dict[str, list] = {k: [] for k in keys + ("alpha", "present", "labels")}
    ids = []
    for batch in loader:
        out = trainable(batch)
        for k in keys:
            acc[k].append(torch.sigmoid(out[k]).numpy())
        acc["alpha"].append(out["alpha"].numpy())
        acc["present"].append(out["present"].numpy())
        acc["labels"].append(batch["labels"].numpy())
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


def make_loader(dataset, config, train: bool, world: int, rank: int, pad_id: int = 0):
    sampler = DistributedSampler(dataset, world, rank, shuffle=train, seed=config["train"]["seed"]) if world > 1 else None
    g = torch.Generator().manual_seed(config["train"]["seed"])
    return DataLoader(dataset, batch_size=config["train"]["batch_size"], shuffle=train and sampler is None,
                      sampler=sampler, collate_fn=lambda items: collate(items, pad_id), generator=g,
                      num_workers=config["data"]["num_workers"], drop_last=False)


def save_checkpoint(path: Path, trainable: Trainable, optimizer, epoch: int, best: dict, config: dict) -> None:
    state = {"config": {k: v for k, v in config.items() if k != "label_names"},
             "labels": config["label_names"], "model": trainable.model.state_dict(),
             "text_encoder": trainable.text_encoder.state_dict() if trainable.text_encoder else None,
             "optimizer": optimizer.state_dict(), "epoch": epoch, "best": best,
             "rng": {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}}
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def train(config: dict, fresh: bool = False, quiet: bool = False) -> dict:
    rank, world = distributed()
    tcfg, dcfg = config["train"], config["data"]
    torch.set_num_threads(int(tcfg["threads"]))
    seed_everything(int(tcfg["seed"]), tcfg["deterministic"])
    out_dir = Path(tcfg["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)

    rows = read_rows(dcfg["manifest"])
    label_set = config["labels"]
    keep = lambda rs: [r for r in rs if encode(r["labels"], label_set).any()]
    if dcfg["val_fold"] is not None:
        pool = keep(by_split(rows, dcfg["train_split"]))
        train_rows = [r for r in pool if r.get("fold") != dcfg["val_fold"]]
        val_rows = [r for r in pool if r.get("fold") == dcfg["val_fold"]]
    else:
        train_rows, val_rows = keep(by_split(rows, dcfg["train_split"])), keep(by_split(rows, dcfg["val_split"]))
    if not train_rows or not val_rows:
        raise ValueError(f"{dcfg['manifest']}: {len(train_rows)} train ({dcfg['train_split']}) and "
                         f"{len(val_rows)} validation ({dcfg['val_split']}) rows with labels in {label_set}")

    model = build_model(config)
    text_encoder = TextEncoder(config["text"], model.text_dim) if config["text"]["encoder"] == "bert" else None
    train_set, val_set = MERDataset(train_rows, config, True), MERDataset(val_rows, config, False)
    pad_id = 0
    if text_encoder is not None:
        from .text.tokenizer import BertWordPieceTokenizer
        tok = BertWordPieceTokenizer.from_dir(config["text"]["tokenizer"], config["text"]["max_length"])
        pad_id = tok.pad_id
        train_set.tokenize = val_set.tokenize = tok.encode

    starts = (0, 0)
    if dcfg["cache_frozen"]:
        cache_dir = Path(dcfg["cache_dir"] or TRAINING_DIR / ".cache" / "frozen" / f"{config['name']}-{frozen_fingerprint(model)}")
        if rank == 0:
            cache_frozen_outputs(model, train_set, cache_dir)
            cache_frozen_outputs(model, val_set, cache_dir)
        if world > 1:
            dist.barrier()
        train_set.rows, starts = cache_frozen_outputs(model, train_set, cache_dir)
        val_set.rows, _ = cache_frozen_outputs(model, val_set, cache_dir)
        shape_a, shape_v = cached_shapes(model, config, starts)
        for ds in (train_set, val_set):
            ds.audio_shape, ds.face_shape = shape_a, shape_v

    trainable = Trainable(model, text_encoder, starts)
    backbone, rest = model.parameter_groups()
    groups = [{"params": rest, "lr": tcfg["lr"]}, {"params": backbone, "lr": tcfg["backbone_lr"]}]
    if text_encoder is not None:
        groups.append({"params": [p for p in text_encoder.parameters() if p.requires_grad], "lr": tcfg["backbone_lr"]})
    optimizer = torch.optim.Adam([g for g in groups if g["params"]], weight_decay=tcfg["weight_decay"])
    pos_weight = pos_weight_from_labels(train_set.labels) if tcfg["pos_weight"] == "auto" else None

    start_epoch, best = 0, {"avg_f1": -1.0, "epoch": -1}
    last = out_dir / "last.pt"
    if last.exists() and not fresh:
        state = torch.load(last, map_location="cpu")
        model.load_state_dict(state["model"])
        if text_encoder is not None and state.get("text_encoder"):
            text_encoder.load_state_dict(state["text_encoder"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, best = state["epoch"] + 1, state["best"]
        torch.set_rng_state(state["rng"]["torch"])
        np.random.set_state(state["rng"]["numpy"])
        random.setstate(state["rng"]["python"])
        if rank == 0 and not quiet:
            print(f"resumed from {last} at epoch {start_epoch}")

    net = nn.parallel.DistributedDataParallel(trainable, find_unused_parameters=True) if world > 1 else trainable
    train_loader = make_loader(train_set, config, True, world, rank, pad_id)
    val_loader = make_loader(val_set, config, False, world, rank, pad_id)
    if rank == 0:
        (out_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        if not quiet:
            print(f"{len(train_rows)} train / {len(val_rows)} validation rows; world size {world}; "
                  f"{sum(p.numel() for p in trainable.parameters() if p.requires_grad):,} trainable parameters")

    from tqdm import tqdm
    stale = start_epoch - best["epoch"] - 1 if best["epoch"] >= 0 else 0
    history = []
    for epoch in range(start_epoch, int(tcfg["epochs"])):
        if stale >= int(tcfg["patience"]):
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
            outputs = net(batch)
            loss = mer_loss(outputs, batch["labels"], pos_weight, float(tcfg["aux_loss_weight"]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if tcfg["grad_clip"]:
                nn.utils.clip_grad_norm_(trainable.parameters(), float(tcfg["grad_clip"]))
            optimizer.step()
            total += float(loss)
            steps += 1
            bar.set_postfix(loss=f"{total / steps:.4f}")
            if tcfg["max_steps_per_epoch"] and steps >= int(tcfg["max_steps_per_epoch"]):
                break
        result = gather(predict(trainable, val_loader), world)
        val = summarize(result["fused"], result["labels"])
        entry = {"epoch": epoch, "train_loss": total / max(steps, 1), "val_avg_f1": val["avg_f1"],
                 "val_avg_acc": val["avg_acc"], "val_avg_wa": val["avg_wa"], "val_n": val["n"],
                 "seconds": round(time.time() - started, 1)}
        improved = val["avg_f1"] > best["avg_f1"]
        if improved:
            best = {"avg_f1": val["avg_f1"], "epoch": epoch, "avg_acc": val["avg_acc"], "avg_wa": val["avg_wa"]}
            stale = 0
        else:
            stale += 1
        history.append(entry)
        if rank == 0:
            with open(out_dir / "log.jsonl", "a") as fh:
                fh.write(json.dumps(entry) + "\n")
            if not quiet:
                print(f"epoch {epoch}: loss {entry['train_loss']:.4f}  val Avg F1 {val['avg_f1']:.4f}  "
                      f"Avg Acc {val['avg_acc']:.4f}  Avg WA {val['avg_wa']:.4f}  (n={val['n']}, {entry['seconds']} s)"
                      + ("  *best*" if improved else ""))
            if improved:
                save_checkpoint(out_dir / "best.pt", trainable, optimizer, epoch, best, config)
            save_checkpoint(last, trainable, optimizer, epoch, best, config)
        if world > 1:
            dist.barrier()
    if world > 1:
        dist.destroy_process_group()
    return {"best": best, "history": history, "out_dir": str(out_dir)}


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
    args = ap.parse_args(argv)
    config = load_config(args.config, parse_overrides(args.set))
    result = train(config, fresh=args.fresh)
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps({"best": result["best"], "out_dir": result["out_dir"]}))


if __name__ == "__main__":
    main()
