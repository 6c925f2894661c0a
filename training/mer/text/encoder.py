"""I_t for a list of transcripts, offline: the trained compact BERT from
``training/checkpoints/text_bert.pt`` with the same tokenizer the browser uses, so features
precomputed for fusion training are what the app's text worker produces (checked against
transformers.js in training/tests/test_text_export.py).

    enc = TextEncoder.from_checkpoint()
    cls = enc.cls(["I can't believe it!", "fine."])   # float32 [2, 256]
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from .bert import BertModel
from .export import TOKENIZER_DIR, load_checkpoint
from .tokenizer import BertWordPieceTokenizer

CHECKPOINT = Path(__file__).resolve().parents[2] / "checkpoints/text_bert.pt"
FEATURES = Path(__file__).resolve().parents[2] / "configs/features.json"


class TextEncoder:
    def __init__(self, bert: BertModel, tokenizer: BertWordPieceTokenizer, head_state: dict | None = None):
        self.bert = bert.eval()
        self.tokenizer = tokenizer
        self.head_state = head_state

    @classmethod
    def from_checkpoint(cls, path: str | Path = CHECKPOINT) -> "TextEncoder":
        bert, ckpt = load_checkpoint(path)
        max_length = int(json.loads(FEATURES.read_text())["text"]["max_length"])
        tokenizer = BertWordPieceTokenizer.from_dir(TOKENIZER_DIR, max_length=max_length)
        head = {k: v.float() for k, v in ckpt["head"].items()} if "head" in ckpt else None
        return cls(bert, tokenizer, head)

    @property
    def dim(self) -> int:
        return self.bert.config.hidden_size

    @torch.no_grad()
    def cls(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """[len(texts), H] float32; one batch of similar lengths at a time (padding-invariant)."""
        ids = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            batch = self.tokenizer.batch(ids[i] for i in rows)
            out[rows] = self.bert.cls_feature(batch["input_ids"], batch["attention_mask"],
                                              batch["token_type_ids"]).numpy()
        return out
