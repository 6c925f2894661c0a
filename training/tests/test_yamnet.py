"""The YAMNet port: architecture (groups, channels, shapes) on its own, and, when
yamnet.tflite is on this machine, equality with a numpy op-by-op execution of the .tflite graph
(its own in-graph front end feeding both). The check against the real TFLite runtime is
scripts/yamnet-tflite-parity.mjs (headless Chromium)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mer.backbones.yamnet import YAMNet

YAMNET = Path(__file__).resolve().parents[3] / "shared/weights/yamnet/yamnet.tflite"


def test_groups_and_shapes():
    net = YAMNet().eval()
    assert net.stage_channels == [64, 128, 256, 512, 1024] and net.out_dim == 1024
    x = torch.randn(2, 1, 96, 64)
    sizes = []
    with torch.no_grad():
        h = net.stem(x)
        for stage in net.stages:
            h = stage(h)
            sizes.append(tuple(h.shape[1:]))
        assert net.head(h).shape == (2, 1024) and net.scores(x).shape == (2, 521)
    assert sizes == [(64, 48, 32), (128, 24, 16), (256, 12, 8), (512, 6, 4), (1024, 3, 2)]
    assert [len(s) for s in net.stages] == [2, 2, 2, 6, 2]


def test_freeze_groups():
    net = YAMNet()
    net.freeze_groups(3)
    frozen = [all(not p.requires_grad for p in s.parameters()) for s in net.stages]
    assert frozen == [True, True, True, False, False]


@pytest.mark.skipif(not YAMNET.exists(), reason="yamnet.tflite not on this machine")
def test_matches_numpy_execution_of_the_tflite_graph():
    from mer.tflite import evaluate, read_tflite

    model = read_tflite(YAMNET)
    net = YAMNet.from_tflite(YAMNET)
    embedding_index = model.tensor("yamnet_frames/global_average_pooling2d/Mean").index
    t = np.arange(15600) / 16000
    rng = np.random.default_rng(0)
    signals = {"silence": np.zeros(15600), "sine_1khz": 0.5 * np.sin(2 * np.pi * 1000 * t),
               "noise": 0.1 * rng.standard_normal(15600)}
    tops = {}
    for name, x in signals.items():
        vals = evaluate(model, [x[None].astype(np.float32)])
        log_mel = torch.from_numpy(vals[model.outputs[1]])[None, None]
        with torch.no_grad():
            emb = net(log_mel)
            scores = torch.sigmoid(net.classifier(emb))
        np.testing.assert_allclose(scores[0].numpy(), vals[model.outputs[0]][0], atol=1e-4)
        np.testing.assert_allclose(emb[0].numpy(), vals[embedding_index][0], atol=1e-3)
        tops[name] = int(scores.argmax())
    assert tops["silence"] == 494  # "Silence"
