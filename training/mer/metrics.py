"""Evaluation metrics of paper section 4.2, equations (7)-(12) (after Dai et al. 2021), per
class of a multi-label problem, from binary predictions (probability >= threshold):

  (10) Acc_i = (TP + TN) / (P + N)        -- binary accuracy. The extracted text reads TP/(P+N);
                                             "binary accuracy" and the values the paper reports
                                             (0.8-0.9 for rare classes) only fit (TP+TN)/(P+N).
  (11) WA_i  = (TP * N/P + TN) / (2N)     -- weighted accuracy
  (12) F1_i  = 2TP / (2TP + FP + FN)
  (7)-(9) Avg Acc, Avg WA, Avg F1 = the means over classes.

Thresholds: a fixed 0.5 (``probs >= 0.5``), or, as Dai et al. 2021 whose numbers the paper's
Table 2 compares with (github.com/wenliangdai/Multimodal-End2end-Sparse, ``src/evaluate.py``
``eval_iemocap`` and ``src/trainers/emotiontrainer.py``): per class the threshold of the grid
0.05, 0.10, ..., 0.95 with the best validation F1 (the first on ties), a sample counting as
positive when its probability is strictly above it, then applied unchanged to test
(``tune_thresholds`` and ``summarize(..., thresholds, strict=True)``).

Inputs may be numpy arrays or torch tensors on any device.
"""
from __future__ import annotations

import numpy as np


DAI_GRID = np.round(np.arange(0.05, 1.0, 0.05), 2)


def as_numpy(x) -> np.ndarray:
    """numpy view of an array or a (CUDA, bf16, ...) tensor."""
    if hasattr(x, "detach"):
        return x.detach().float().cpu().numpy()
    return np.asarray(x)


def confusion(probs, labels, threshold=0.5, strict: bool = False):
    """``threshold``: a scalar or one value per class; ``strict``: positive when ``>`` (Dai) not ``>=``."""
    probs = as_numpy(probs)
    # Compared in the probabilities' own precision, as Dai's torch code does (float32 0.3 is not > 0.3).
    threshold = np.asarray(threshold, dtype=probs.dtype if probs.dtype.kind == "f" else np.float64)
    pred = probs > threshold if strict else probs >= threshold
    true = as_numpy(labels) >= 0.5
    tp = (pred & true).sum(0).astype(np.float64)
    tn = (~pred & ~true).sum(0).astype(np.float64)
    fp = (pred & ~true).sum(0).astype(np.float64)
    fn = (~pred & true).sum(0).astype(np.float64)
    return tp, tn, fp, fn


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b > 0)


def per_class(probs, labels, threshold=0.5, strict: bool = False) -> dict[str, np.ndarray]:
    tp, tn, fp, fn = confusion(probs, labels, threshold, strict)
    p, n = tp + fn, tn + fp
    return {
        "acc": _div(tp + tn, p + n),                       # eq. (10)
        "wa": _div(tp * _div(n, p) + tn, 2 * n),            # eq. (11)
        "f1": _div(2 * tp, 2 * tp + fp + fn),               # eq. (12)
        "positives": p, "negatives": n,
    }


def summarize(probs, labels, threshold=0.5, strict: bool = False) -> dict:
    pc = per_class(probs, labels, threshold, strict)
    out = {"avg_acc": float(pc["acc"].mean()), "avg_wa": float(pc["wa"].mean()),   # eq. (7), (8)
           "avg_f1": float(pc["f1"].mean()), "n": int(as_numpy(labels).shape[0]),  # eq. (9)
           "per_class": {k: v.tolist() for k, v in pc.items()}}
    if np.ndim(threshold):
        out["thresholds"] = [float(t) for t in threshold]
    return out


def tune_thresholds(probs, labels, grid: np.ndarray = DAI_GRID) -> np.ndarray:
    """Per class, the grid threshold with the best F1 on these (validation) predictions, positive
    meaning ``prob > threshold``; the first (lowest) on ties, as ``np.argmax`` in Dai's code."""
    probs, labels = as_numpy(probs), as_numpy(labels)
    f1 = np.stack([per_class(probs, labels, t, strict=True)["f1"] for t in grid])   # [len(grid), M]
    return grid[np.argmax(f1, axis=0)] if len(probs) else np.full(probs.shape[-1], 0.5)


METRIC_STYLES = {"iemocap": ("acc", "f1"), "mosei": ("wa", "f1"), "all": ("acc", "wa", "f1")}


def format_table(rows: dict[str, dict], label_names: list[str], dataset: str, split: str, style: str = "all") -> str:
    """The paper's Table 2/3 layout: per class two metrics (IEMOCAP: Acc, F1; CMU-MOSEI: WA, F1),
    then the averages; one row per model or decision. ``style``: one of METRIC_STYLES."""
    if style not in METRIC_STYLES:
        raise ValueError(f"style {style!r}: valid are {sorted(METRIC_STYLES)}")
    metrics = METRIC_STYLES[style]
    head = ["Model"] + [f"{c} {m.upper() if m == 'wa' else m.capitalize()}" for c in label_names for m in metrics]
    head += ["Avg Acc", "Avg WA", "Avg F1", "n"]
    lines = [f"{dataset} / {split}", " | ".join(head), " | ".join("---" for _ in head)]
    for name, s in rows.items():
        pc = s["per_class"]
        cells = [name] + [f"{pc[m][i]:.3f}" for i in range(len(label_names)) for m in metrics]
        cells += [f"{s['avg_acc']:.3f}", f"{s['avg_wa']:.3f}", f"{s['avg_f1']:.3f}", str(s["n"])]
        lines.append(" | ".join(cells))
    return "\n".join(lines)
