"""PyTorch dataset over a manifest (manifest.py): each sample becomes the fused graph's inputs
(docs/CONTRACTS.md) plus its multi-hot labels.

Segments: audio and visual sequences share one time base; when one modality is shorter or
absent it is padded with mask 0. Training picks a random window of ``max_segments``, a random
frame inside each segment (``faces_random``, when prepared) and applies modality and segment
dropout; evaluation takes the whole clip and the centre frames, as the app does.

Randomness: each training item draws from its own generator seeded by (seed, epoch, index), so
the windows and dropouts are the same whatever the number of DataLoader workers, and workers
never share one random stream. Stored features may be compressed (``mer.data.prepare``: uint8
face crops, fp16 log-mel); they are read back as float32 in [0, 1] and log units.

Modality dropout: with probability ``modality_dropout`` a sample keeps a uniformly drawn
non-empty subset of the modalities it has, so all seven subsets of {audio, visual, text} train.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from .labels import encode


def load_face_image(path: str, channels: int, size: int) -> np.ndarray:
    """One face image file -> [C, S, S] float32 in [0, 1] (grey = BT.601 luma, as the browser)."""
    import torchvision.io as io
    from torch.nn import functional as F
    rgb = io.read_image(path, io.ImageReadMode.RGB).float()                       # [3, H, W] 0..255
    if channels == 1:
        img = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]).unsqueeze(0)
    else:
        img = rgb
    if img.shape[-1] != size or img.shape[-2] != size:
        img = F.interpolate(img.unsqueeze(0), size=(size, size), mode="bilinear", align_corners=False,
                            antialias=True).squeeze(0)
    return (img / 255.0).clamp(0, 1).numpy().astype(np.float32)


def stored_to_float(key: str, array: np.ndarray) -> np.ndarray:
    """Compressed feature arrays back to what the model takes: uint8 crops -> [0, 1] float32."""
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    return array


class MERDataset(Dataset):
    def __init__(self, rows: list[dict], config: dict, train: bool, text_lookup=None) -> None:
        self.rows = rows
        self.train = train
        self.label_set = config["labels"]
        m, d = config["model"], config["data"]
        self.channels, self.size = m["face"]["channels"], m["face"]["size"]
        # Per-segment tensor shapes; train.py replaces them when training from cached frozen-group outputs.
        self.audio_shape = (m["patch_frames"], m["mel_bins"])
        self.face_shape = (self.channels, self.size, self.size)
        self.text_dim = m["text_dim"]
        self.max_segments = int(d["max_segments"])
        self.modality_dropout = float(d["modality_dropout"]) if train else 0.0
        self.segment_dropout = float(d["segment_dropout"]) if train else 0.0
        self.text_lookup = text_lookup      # callable(row) -> np.ndarray [D] | None (precomputed I_t)
        self.tokenize = None                # set by train.py for end-to-end BERT: callable(str) -> ids
        self.labels = np.stack([encode(r["labels"], self.label_set) for r in rows]) if rows else np.zeros((0, 0))
        self.seed, self.epoch = 0, 0

    def set_epoch(self, epoch: int, seed: int = 0) -> None:
        self.seed, self.epoch = seed, epoch

    def item_rng(self, index: int) -> random.Random:
        if not self.train:
            return random.Random(index)
        return random.Random((self.seed * 100003 + self.epoch) * 1000003 + index)

    def __len__(self) -> int:
        return len(self.rows)

    def _features(self, row: dict) -> dict:
        out: dict = {}
        if row.get("features"):
            with np.load(row["features"]) as z:
                out = {k: stored_to_float(k, z[k]) for k in z.files}
        if row.get("image"):
            # A still face: shown for the whole sample (every segment of its audio, or one segment).
            t = len(out["log_mel"]) if "log_mel" in out else 1
            face = load_face_image(row["image"], self.channels, self.size)
            out["faces"] = np.repeat(face[None], t, axis=0)
            out["visual_mask"] = np.ones(t, np.float32)
            out.pop("faces_random", None)
        if row.get("text_cls"):
            if row["text_cls"].endswith(".npz"):      # e.g. the features file of a text-only row
                with np.load(row["text_cls"]) as z:
                    out["text_cls"] = z["text_cls"].astype(np.float32).reshape(-1)
            else:
                out["text_cls"] = np.load(row["text_cls"]).astype(np.float32).reshape(-1)
        return out

    def __getitem__(self, index: int) -> dict:
        row = self.rows[index]
        rng = self.item_rng(index)
        f = self._features(row)
        ta = len(f["log_mel"]) if "log_mel" in f else 0
        tv = len(f["faces"]) if "faces" in f else 0
        t_all = max(1, ta, tv)
        t = min(t_all, self.max_segments) if self.train else t_all   # evaluation sees the whole clip, as the app
        start = rng.randrange(t_all - t + 1) if self.train else 0
        sl = slice(start, start + t)

        log_mel = np.zeros((t,) + tuple(self.audio_shape), np.float32)
        audio_mask = np.zeros(t, np.float32)
        if ta:
            piece = f["log_mel"][sl]
            log_mel[: len(piece)] = piece
            audio_mask[: len(piece)] = f.get("audio_mask", np.ones(ta, np.float32))[sl]
        faces = np.zeros((t,) + tuple(self.face_shape), np.float32)
        visual_mask = np.zeros(t, np.float32)
        if tv:
            crops = f["faces"][sl].astype(np.float32)
            mask = f.get("visual_mask", np.ones(tv, np.float32))[sl].astype(np.float32)
            if self.train and "faces_random" in f:
                rand, rmask = f["faces_random"][sl], f["faces_random_mask"][sl]
                crops, mask = crops.copy(), mask.copy()
                for i in range(len(crops)):
                    options = [k for k in range(rand.shape[1]) if rmask[i, k] > 0]
                    if options:
                        k = rng.choice(options)
                        crops[i], mask[i] = rand[i, k], 1.0
            if crops.shape[1:] != faces.shape[1:]:
                raise ValueError(f"{row['id']}: face crops {crops.shape[1:]} but the model takes {faces.shape[1:]}")
            faces[: len(crops)] = crops
            visual_mask[: len(mask)] = mask

        text_cls = np.zeros(self.text_dim, np.float32)
        text_mask = 0.0
        input_ids = None
        transcript = row.get("transcript")
        if self.tokenize is not None and transcript:
            input_ids = self.tokenize(transcript)
            text_mask = 1.0
        else:
            vec = f.get("text_cls")
            if vec is None and self.text_lookup is not None and transcript:
                vec = self.text_lookup(row)
            if vec is not None:
                if vec.shape[-1] != self.text_dim:
                    raise ValueError(f"{row['id']}: text_cls has {vec.shape[-1]} dims, the model takes {self.text_dim}")
                text_cls, text_mask = vec.astype(np.float32), 1.0

        audio_mask, visual_mask, text_mask = self._dropout(rng, audio_mask, visual_mask, text_mask)
        if text_mask == 0.0:
            text_cls = np.zeros_like(text_cls)
        item = {"id": row["id"], "log_mel": log_mel, "faces": faces, "text_cls": text_cls,
                "audio_mask": audio_mask, "visual_mask": visual_mask,
                "text_mask": np.array([text_mask], np.float32), "labels": self.labels[index]}
        if input_ids is not None:
            item["input_ids"] = input_ids if text_mask else []
        return item

    def _dropout(self, rng, audio_mask, visual_mask, text_mask):
        if self.segment_dropout > 0:
            for mask in (audio_mask, visual_mask):
                present = np.flatnonzero(mask)
                if len(present) > 1:
                    drop = [i for i in present if rng.random() < self.segment_dropout]
                    if len(drop) == len(present):
                        drop = drop[1:]
                    mask[drop] = 0.0
        if self.modality_dropout > 0 and rng.random() < self.modality_dropout:
            has = [audio_mask.any(), visual_mask.any(), text_mask > 0]
            available = [i for i in range(3) if has[i]]
            if len(available) > 1:
                subsets = [s for s in range(1, 8) if all((s >> i) & 1 == 0 or has[i] for i in range(3))]
                keep = rng.choice(subsets)
                if not keep & 1:
                    audio_mask = audio_mask * 0
                if not keep & 2:
                    visual_mask = visual_mask * 0
                if not keep & 4:
                    text_mask = 0.0
        return audio_mask, visual_mask, text_mask


def collate(items: list[dict], pad_id: int = 0) -> dict:
    """Pad to the batch's longest T (padded segments have mask 0)."""
    t = max(len(i["audio_mask"]) for i in items)
    batch: dict = {"id": [i["id"] for i in items]}
    for key in ("log_mel", "faces", "audio_mask", "visual_mask"):
        arrays = []
        for i in items:
            a = i[key]
            pad = np.zeros((t - len(a),) + a.shape[1:], a.dtype)
            arrays.append(np.concatenate([a, pad]))
        batch[key] = torch.from_numpy(np.stack(arrays))
    for key in ("text_cls", "text_mask", "labels"):
        batch[key] = torch.from_numpy(np.stack([i[key] for i in items]).astype(np.float32))
    if "input_ids" in items[0]:
        width = max(2, max(len(i["input_ids"]) for i in items))
        ids = torch.full((len(items), width), pad_id, dtype=torch.long)
        att = torch.zeros((len(items), width), dtype=torch.long)
        for r, i in enumerate(items):
            seq = i["input_ids"] or [pad_id]
            ids[r, : len(seq)] = torch.tensor(seq)
            att[r, : len(seq)] = 1
        batch["input_ids"], batch["attention_mask"] = ids, att
    return batch
