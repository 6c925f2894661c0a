"""Evaluation metrics of paper section 4.2, equations (7)-(12) (after Dai et al. 2021), per
class of a multi-label problem, from binary predictions (probability >= threshold):

  (10) Acc_i = (TP + TN) / (P + N)        -- binary accuracy. The extracted text reads TP/(P+N);
                                             "binary accuracy" and the values the paper reports
                                             (0.8-0.9 for rare classes) only fit (TP+TN)/(P+N).
  (11) WA_i  = (TP * N/P + TN) / (2N)     -- weighted accuracy
  (12) F1_i  = 2TP / (2TP + FP + FN)
  (7)-(9) Avg Acc, Avg WA, Avg F1 = the means over classes.
"""
from __future__ import annotations

import numpy as np


def confusion(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5):
    pred = np.asarray(probs) >= threshold
    true = np.asarray(labels) >= 0.5
    tp = (pred & true).sum(0).astype(np.float64)
    tn = (~pred & ~true).sum(0).astype(np.float64)
    fp = (pred & ~true).sum(0).astype(np.float64)
    fn = (~pred & true).sum(0).astype(np.float64)
    return tp, tn, fp, fn


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b > 0)


def per_class(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> dict[str, np.ndarray]:
    tp, tn, fp, fn = confusion(probs, labels, threshold)
    p, n = tp + fn, tn + fp
    return {
        "acc": _div(tp + tn, p + n),                       # eq. (10)
        "wa": _div(tp * _div(n, p) + tn, 2 * n),            # eq. (11)
        "f1": _div(2 * tp, 2 * tp + fp + fn),               # eq. (12)
        "positives": p, "negatives": n,
    }


def summarize(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> dict:
    pc = per_class(probs, labels, threshold)
    return {"avg_acc": float(pc["acc"].mean()), "avg_wa": float(pc["wa"].mean()),   # eq. (7), (8)
            "avg_f1": float(pc["f1"].mean()), "n": int(np.asarray(labels).shape[0]),  # eq. (9)
            "per_class": {k: v.tolist() for k, v in pc.items()}}


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
