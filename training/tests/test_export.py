"""ONNX export of the fused graph: contract I/O names, dynamic T, parity with PyTorch through
onnxruntime-node (fp32 within 1e-4; int8 probabilities within 0.02), masking in the graph."""
import json
import shutil

import numpy as np
import onnx
import pytest

from _mer_helpers import tiny_config
from mer.export import example_inputs, export_all, run_onnxruntime, torch_outputs
from mer.model import INPUT_NAMES, OUTPUT_NAMES, build_model

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node + onnxruntime-node")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    import torch
    torch.manual_seed(3)
    model = build_model(tiny_config()).eval()
    out = tmp_path_factory.mktemp("onnx")
    info = export_all(model, out, check=True)
    return model, out, info


def test_io_contract(exported):
    _, out, info = exported
    graph = onnx.load(str(out / "fusion.onnx")).graph
    assert [i.name for i in graph.input] == list(INPUT_NAMES)
    assert [o.name for o in graph.output] == list(OUTPUT_NAMES)
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in graph.input}
    assert dims["log_mel"] == [1, "T", 96, 64] and dims["faces"] == [1, "T", 1, 48, 48]
    assert dims["text_cls"] == [1, 16] and dims["text_mask"] == [1, 1]
    assert onnx.load(str(out / "fusion.onnx")).opset_import[0].version == 17
    meta = json.loads((out / "fusion.json").read_text())
    assert meta["labels"][0] == "anger" and len(meta["files"]) == 3


def test_parity(exported):
    _, _, info = exported
    parity = info["parity_max_abs"]
    assert parity["fp32"] < 1e-4
    assert parity["fp16"] < 5e-3
    assert parity["int8"] < 0.02


def test_masks_and_other_lengths_in_onnx(exported):
    model, out, _ = exported
    for t in (1, 7):
        x = {n: v.numpy() for n, v in zip(INPUT_NAMES, example_inputs(model, t, seed=5))}
        x["audio_mask"][:] = 0          # no audio at all, text only + visual
        got = run_onnxruntime(out / "fusion.onnx", x)
        ref = torch_outputs(model, x)
        assert got["audio_segments"].shape == (1, t, 7)
        assert got["alpha"][0, 0] == 0.0
        for n in OUTPUT_NAMES:
            assert np.abs(got[n] - ref[n]).max() < 1e-4, n


def test_evaluate_exported_graph_matches_pytorch(tmp_path):
    """mer.evaluate --onnx scores the exported file on a manifest split like the PyTorch model."""
    import json as _json
    from _mer_helpers import TINY
    from mer.config import load_config
    from mer.data.synthetic import make_synthetic
    from mer.evaluate import evaluate
    from mer.export import export_all, load_checkpoint
    from mer.train import train
    raw = _json.loads(_json.dumps(TINY))
    raw["data"] = {"manifest": str(make_synthetic(tmp_path / "d", n=24, max_t=3))}
    raw["train"] = {"threads": 1, "epochs": 1, "lr": 5e-3, "backbone_lr": 5e-3, "out_dir": str(tmp_path / "run")}
    train(load_config(None, raw), fresh=True, quiet=True)
    ckpt = str(tmp_path / "run" / "last.pt")
    export_all(load_checkpoint(ckpt), tmp_path / "onnx")
    ref = evaluate(ckpt, split="test", threads=1)
    for name in ("fusion.onnx", "fusion_int8.onnx"):
        got = evaluate(ckpt, split="test", threads=1, onnx_path=str(tmp_path / "onnx" / name))
        a, b = ref["tables"]["decisions"]["fused"], got["tables"]["decisions"]["fused"]
        assert a["n"] == b["n"] > 0
        if name == "fusion.onnx":
            assert abs(a["avg_f1"] - b["avg_f1"]) < 1e-9
        np.testing.assert_allclose(got["mean_alpha"], ref["mean_alpha"], atol=0.02)


def test_pointwise_convolutions_are_exported_as_one_matmul(exported):
    """1x1 convolutions (the SEM's query/output maps here) leave the graph as Transpose -> MatMul
    -> Add -> Transpose, so onnxruntime-web multiplies all segments' pixels at once; test_parity
    above covers their arithmetic."""
    _, out, _ = exported
    graph = onnx.load(str(out / "fusion.onnx")).graph
    weights = {i.name: list(i.dims) for i in graph.initializer}
    pointwise = [n.name for n in graph.node if n.op_type == "Conv" and weights.get(n.input[1], [0, 0, 0])[2:] == [1, 1]
                 and all(a.i == 1 for a in n.attribute if a.name == "group")
                 and all(list(a.ints) == [1, 1] for a in n.attribute if a.name == "strides")]
    assert pointwise == []
    assert sum(n.name.endswith("/matmul") for n in graph.node) >= 2
    assert "Pad" not in {n.op_type for n in graph.node}


def test_shipped_fusion_json_names_no_build_machine_folder():
    import json

    from mer.config import REPO_ROOT
    from mer.export import repo_relative
    inside, beside = f"{REPO_ROOT}/training/checkpoints/x.pt", f"{REPO_ROOT.parent}/shared/weights/y.tflite"
    assert repo_relative({"a": inside, "b": [beside, 3, "/opt/z"]}) == {
        "a": "training/checkpoints/x.pt", "b": ["../shared/weights/y.tflite", 3, "/opt/z"]}
    shipped = json.loads((REPO_ROOT / "public/models/fusion.json").read_text())

    def strings(v):
        if isinstance(v, dict):
            return [s for x in v.values() for s in strings(x)]
        if isinstance(v, list):
            return [s for x in v for s in strings(x)]
        return [v] if isinstance(v, str) else []
    assert [s for s in strings(shipped["config"]) if s.startswith("/")] == []
