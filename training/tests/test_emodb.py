"""EmoDB pretraining pieces on tiny generated data: label parsing from file names, the Ekman
mapping, masked pooling in the head, the trainable tail on cached frozen-group features, and the
metric summary."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mer.backbones.yamnet import YAMNet
from mer.pretrain.emodb import (EMODB_LABELS, EMODB_TO_EKMAN, EmoDBHead, TrainableTail, _summary,
                                parse_name)

EKMAN = ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"]


def test_labels_come_from_file_names():
    assert parse_name("03a01Fa.wav") == ("03", "happiness")  # audio_labels.csv says disgust: wrong
    assert parse_name("16b10Wb.wav") == ("16", "anger")
    assert parse_name("11a05Lc.wav") == ("11", "boredom")


def test_ekman_mapping_drops_boredom_only():
    assert set(EMODB_TO_EKMAN) == set(EMODB_LABELS)
    mapped = {k: v for k, v in EMODB_TO_EKMAN.items() if v is not None}
    assert EMODB_TO_EKMAN["boredom"] is None and len(mapped) == 6
    assert all(v in EKMAN for v in mapped.values()) and len(set(mapped.values())) == 6


def test_head_ignores_masked_segments():
    head = EmoDBHead(8, dropout=0.0).eval()
    emb = torch.randn(1, 3, 8)
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    changed = emb.clone()
    changed[0, 2] += 100
    assert torch.allclose(head(emb, mask), head(changed, mask))
    assert torch.allclose(head(emb, mask), head(emb[:, :2], mask[:, :2]))


def test_trainable_tail_on_cached_group_outputs():
    net = YAMNet()
    tail = TrainableTail(net, freeze=4, dropout=0.0)
    assert tail.groups[0] is net.stages[4]  # training the tail trains the backbone's own modules
    feats = torch.randn(2, 3, 512, 6, 4).half()
    out = tail(feats, torch.ones(2, 3))
    assert out.shape == (2, len(EMODB_LABELS))
    out.sum().backward()
    assert net.stages[4][0].pointwise.weight.grad is not None


def test_summary_counts_and_ekman_view():
    y = np.array([0, 1, 2, 6])
    probs = np.eye(7)[[0, 6, 2, 1]].astype(np.float32)  # boredom->neutral, neutral->boredom
    probs[3, 6] = 0.5  # second choice for the neutral one: neutral
    s = _summary(y, probs)
    assert s["n"] == 4 and s["accuracy"] == 0.5
    assert s["ekman6_n"] == 3 and s["ekman6_accuracy_without_boredom"] == 1.0


def test_group_stats_head_pools_time_and_ignores_masked_segments():
    from mer.pretrain.emodb import GroupStatsHead, _fit_stats_head

    feats = torch.randn(4, 2, 3, 5, 2)  # B, T, C, H (time), W (freq)
    mask = torch.tensor([[1.0, 0.0]] * 4)
    pooled = GroupStatsHead.pool(feats, mask)
    assert pooled.shape == (4, 2 * 3 * 2)
    torch.testing.assert_close(pooled[:, :6], feats[:, 0].mean(2).flatten(1))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((70, 12)).astype(np.float32)
    y = np.arange(70) % 7
    x[np.arange(70), y] += 3  # separable
    head = _fit_stats_head(x, y, 1.0, channels=3, freq=2)
    with torch.no_grad():
        pred = head.fc((torch.from_numpy(x) - head.center) / head.scale).argmax(1).numpy()
    assert (pred == y).mean() > 0.9

# The EmoDB track's own checkpoint (audio_emodb.pt) is no longer shipped: the default model's audio
# backbone is mer.pretrain.speech's, whose saved checkpoint is checked in test_speech.py.
