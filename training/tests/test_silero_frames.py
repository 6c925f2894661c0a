"""The shipped voice-activity graph (public/models/silero_vad_v6_frames.onnx) is what
``mer.features.silero_frames`` derives from @ricky0123/vad-web's silero_vad_v6.onnx, byte for byte;
its numbers equal the original's run frame by frame (src/features/audio/vad.test.ts)."""
from __future__ import annotations

import json

import onnx
import pytest

from mer.features import silero_frames

FEATURES = json.loads((silero_frames.REPO / "training/configs/features.json").read_text())


@pytest.mark.skipif(not silero_frames.SOURCE.exists(), reason="node_modules/@ricky0123/vad-web not installed")
def test_committed_graph_is_the_derivation(tmp_path):
    out = tmp_path / "frames.onnx"
    silero_frames.main(["--out", str(out)])
    assert out.read_bytes() == silero_frames.OUT.read_bytes()


def test_graph_takes_frames_and_has_no_branches():
    assert FEATURES["audio"]["vad"]["model"] == silero_frames.OUT.name
    assert FEATURES["audio"]["vad"]["batched_frames"] is True
    model = onnx.load(str(silero_frames.OUT))
    ops = [n.op_type for n in model.graph.node]
    assert "If" not in ops and ops.count("LSTM") == 1
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input}
    assert dims["input"][0] == "frames" and dims["state"] == [2, 0, 128]
    assert [d.dim_param or d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim] == ["frames", 1]


def test_unknown_branch_is_refused():
    model = onnx.load(str(silero_frames.SOURCE)) if silero_frames.SOURCE.exists() else None
    if model is None:
        pytest.skip("node_modules/@ricky0123/vad-web not installed")
    top = next(n for n in model.graph.node if n.op_type == "If")
    top.name = "somewhere_else"
    with pytest.raises(ValueError, match="one top-level If"):
        silero_frames.frames_graph(model)
