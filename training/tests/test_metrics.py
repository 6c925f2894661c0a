"""Metrics, eq. (7)-(12), against hand-computed cases; losses' pos_weight."""
import numpy as np
import torch

from mer.losses import mer_loss, pos_weight_from_labels
from mer.metrics import format_table, per_class, summarize


def test_hand_computed_case():
    # class 0: labels 1,1,0,0,0 ; predictions 1,0,1,0,0 -> TP 1, FN 1, FP 1, TN 2; P 2, N 3
    # class 1: labels 0,0,0,0,1 ; predictions 0,0,0,0,1 -> perfect
    labels = np.array([[1, 0], [1, 0], [0, 0], [0, 0], [0, 1]])
    probs = np.array([[0.9, 0.1], [0.2, 0.3], [0.6, 0.0], [0.1, 0.4], [0.4, 0.7]])
    pc = per_class(probs, labels)
    assert np.allclose(pc["acc"], [3 / 5, 1.0])                       # (TP+TN)/(P+N)
    assert np.allclose(pc["wa"], [(1 * 3 / 2 + 2) / 6, 1.0])          # (TP*N/P + TN)/(2N)
    assert np.allclose(pc["f1"], [2 / (2 + 1 + 1), 1.0])               # 2TP/(2TP+FP+FN)
    s = summarize(probs, labels)
    assert np.isclose(s["avg_acc"], (0.6 + 1) / 2) and np.isclose(s["avg_f1"], (0.5 + 1) / 2)
    assert s["n"] == 5
    table = format_table({"fused": s}, ["a", "b"], "toy", "test", style="iemocap")
    assert "a Acc | a F1 | b Acc | b F1" in table and "0.800" in table


def test_degenerate_classes_do_not_divide_by_zero():
    pc = per_class(np.zeros((3, 1)), np.zeros((3, 1)))
    assert pc["f1"][0] == 0 and pc["acc"][0] == 1 and np.isfinite(pc["wa"]).all()


def test_pos_weight_and_aux_loss():
    w = pos_weight_from_labels(np.array([[1, 0], [0, 0], [0, 0], [1, 1]]))
    assert torch.allclose(w, torch.tensor([1.0, 3.0]))
    out = {k: torch.zeros(2, 2) for k in ("fused", "audio", "visual", "text")}
    out["present"] = torch.tensor([[1.0, 0, 1], [1, 1, 1]])
    base = mer_loss(out, torch.ones(2, 2), w)
    assert torch.isclose(base, torch.log(torch.tensor(2.0)) * 2)       # mean of w * ln 2
    assert mer_loss(out, torch.ones(2, 2), w, aux_weight=1.0) > base
    # Each modality's own targets: a modality taught another class than the sample's changes only its term.
    logits = {**out, "text": torch.tensor([[4.0, -4.0], [4.0, -4.0]])}
    own = torch.ones(2, 3, 2)
    own[:, 2] = torch.tensor([1.0, 0.0])
    assert mer_loss(logits, torch.ones(2, 2), w, 1.0, own) < mer_loss(logits, torch.ones(2, 2), w, 1.0)
    assert torch.isclose(mer_loss(out, torch.ones(2, 2), w, 1.0, torch.ones(2, 3, 2)), mer_loss(out, torch.ones(2, 2), w, 1.0))
