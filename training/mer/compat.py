"""What differs between Debian's PyTorch 1.13 (CI) and PyTorch 2.x (a researcher's GPU box), in
one place, so checkpoints and ONNX files come out the same on both.

- ``save_checkpoint`` / ``load_checkpoint``: checkpoints that ``torch.load(..., weights_only=True)``
  reads (the default since 2.6) on every version. 1.13's weights-only unpickler knows tensors,
  ints, strings, lists and dicts but not floats, so a checkpoint is stored as its tensors (a flat
  list) plus everything else as one JSON string (config, epoch, optimizer hyper-parameters, RNG
  states as plain lists; never numpy objects). ``load_checkpoint`` gives back the nested dict.
  Files of the older pickled layout still load, with a warning (full unpickling: trusted files).
- ``onnx_export``: the TorchScript exporter. Since 2.5 ``torch.onnx.export`` has a ``dynamo``
  argument and newer releases default it to True, which writes a different graph (and fails on
  some of ours); the parity and graph-shape tests are written against the TorchScript exporter.
"""
from __future__ import annotations

import inspect
import json
import os
import pickle
import random
import warnings
from pathlib import Path

import numpy as np
import torch

_ONNX_HAS_DYNAMO = "dynamo" in inspect.signature(torch.onnx.export).parameters


CHECKPOINT_FORMAT = "mer-checkpoint/2"


def _pack(value, tensors: list):
    if torch.is_tensor(value):
        tensors.append(value)
        return {"__tensor__": len(tensors) - 1}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _pack(v, tensors) for k, v in value.items()}
        return {"__items__": [[k, _pack(v, tensors)] for k, v in value.items()]}   # e.g. optimizer state ids
    if isinstance(value, (list, tuple)):
        return [_pack(v, tensors) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"checkpoint value of type {type(value).__name__}: store tensors and plain Python types only")


def _unpack(value, tensors: list):
    if isinstance(value, dict):
        if "__tensor__" in value:
            return tensors[value["__tensor__"]]
        if "__items__" in value:
            return {k: _unpack(v, tensors) for k, v in value["__items__"]}
        return {k: _unpack(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v, tensors) for v in value]
    return value


def save_checkpoint(state: dict, path: str | Path) -> None:
    """Write ``state`` (nested dicts/lists of tensors and plain values) atomically."""
    tensors: list = []
    doc = json.dumps(_pack(state, tensors))
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save({"format": CHECKPOINT_FORMAT, "tensors": tensors, "json": doc}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, map_location="cpu") -> dict:
    """A checkpoint written by ``save_checkpoint`` (weights-only load), or a state dict / older
    pickled checkpoint (weights-only where the torch version can, else full unpickling with a warning)."""
    try:
        raw = torch.load(str(path), map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        warnings.warn(f"{path}: not loadable with weights_only=True (an older checkpoint layout, or floats under "
                      f"torch {torch.__version__}); unpickling it fully: only do this for files you trust")
        return torch.load(str(path), map_location=map_location)
    if isinstance(raw, dict) and raw.get("format") == CHECKPOINT_FORMAT:
        return _unpack(json.loads(raw["json"]), raw["tensors"])
    return raw


def load_state(path: str | Path, map_location="cpu"):
    """Pretrained weights (a state dict) or a checkpoint: see ``load_checkpoint``."""
    return load_checkpoint(path, map_location)


def onnx_export(model, args, path, **kwargs) -> None:
    """``torch.onnx.export`` pinned to the TorchScript exporter on every torch version."""
    if _ONNX_HAS_DYNAMO:
        kwargs.setdefault("dynamo", False)
    torch.onnx.export(model, args, str(path), **kwargs)


def rng_state() -> dict:
    """Python, numpy and torch RNG states as tensors and lists (loadable with weights_only)."""
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {"torch": torch.get_rng_state(),
            "numpy": {"kind": str(kind), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
                      "pos": int(pos), "has_gauss": int(has_gauss), "cached": float(cached)},
            "python": {"version": int(version), "internal": list(internal), "gauss": gauss}}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    n, p = state["numpy"], state["python"]
    if isinstance(n, dict):
        np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))
    else:   # an older checkpoint: numpy's own tuple
        np.random.set_state(n)
    if isinstance(p, dict):
        random.setstate((p["version"], tuple(p["internal"]), p["gauss"]))
    else:
        random.setstate(p)
