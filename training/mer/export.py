"""Export the fused SEM-MBT graph to ONNX (docs/CONTRACTS.md "The fused SEM-MBT graph").

  python -m mer.export CHECKPOINT [--out public/models]        # a trained model
  python -m mer.export --random --config CONFIG [--out DIR]    # random weights, any config

Writes ``fusion.onnx`` (fp32), ``fusion_fp16.onnx`` (fp16 weights stored, Cast to fp32 at load:
half the download, same arithmetic) and ``fusion_int8.onnx`` (weight-only int8: per-output-channel
symmetric int8 initializers restored by Cast * scale, which onnxruntime folds at session creation),
plus ``fusion.json`` (labels, config, parameter count, per-file sha256). Each ONNX file also
carries its label set and time base in its metadata (``labels``: the output classes in order,
``segment_seconds``, ``face_crop``, ``text_dim``), so a graph is never read with another model's
labels. ``--device`` (default cpu) is where the model is traced and the ``--check`` reference
runs; cpu keeps the reference free of GPU kernels' rounding (TF32). Opset 17, batch 1,
dynamic T. onnxruntime has no Debian Python package, so ``--check`` runs each file with
onnxruntime-node (training/scripts/ort_run.mjs) and compares with PyTorch.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .compat import load_checkpoint as load_checkpoint_state, onnx_export
from .config import REPO_ROOT, architecture_only, config_from_dict, load_config
from .model import INPUT_NAMES, OUTPUT_NAMES, FusedGraph, MERModel, build_model
from .onnx_passes import pointwise_convs_as_matmul

OPSET = 17
ORT_RUN = REPO_ROOT / "training" / "scripts" / "ort_run.mjs"
# Initializers smaller than this stay fp32 in the int8 file (biases, norms: tiny and sensitive).
INT8_MIN_ELEMENTS = 256


def example_inputs(model: MERModel, segments: int = 3, seed: int = 0) -> tuple[torch.Tensor, ...]:
    m = model.config["model"]
    g = torch.Generator().manual_seed(seed)
    c, s = m["face"]["channels"], m["face"]["size"]
    log_mel = torch.randn(1, segments, m["patch_frames"], m["mel_bins"], generator=g) * 2.0 - 4.0
    faces = torch.rand(1, segments, c, s, s, generator=g)
    text_cls = torch.randn(1, model.text_dim, generator=g)
    ones = torch.ones(1, segments)
    return log_mel, faces, text_cls, ones.clone(), ones.clone(), torch.ones(1, 1)


def graph_metadata(model: MERModel) -> dict[str, str]:
    """What the app needs to read the graph's outputs: labels in output order and the time base."""
    from .config import load_features
    m = model.config["model"]
    labels = model.config["labels"]
    return {"labels": json.dumps(model.config["label_names"]),
            "label_set": labels if isinstance(labels, str) else "custom",
            "segment_seconds": str(load_features()["audio"]["segment_seconds"]),
            "face_crop": json.dumps({"channels": m["face"]["channels"], "size": m["face"]["size"]}),
            "text_dim": str(model.text_dim), "producer": "mer.export"}


def stamp_metadata(path: Path, metadata: dict[str, str]) -> None:
    model = onnx.load(str(path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))


def export_fp32(model: MERModel, path: Path, segments: int = 3) -> None:
    graph = FusedGraph(model).eval()
    device = next(model.parameters()).device
    dynamic = {"log_mel": {1: "T"}, "faces": {1: "T"}, "audio_mask": {1: "T"}, "visual_mask": {1: "T"},
               "audio_segments": {1: "T"}, "visual_segments": {1: "T"}}
    with torch.no_grad():
        onnx_export(graph, tuple(t.to(device) for t in example_inputs(model, segments)), path, opset_version=OPSET,
                          input_names=list(INPUT_NAMES), output_names=list(OUTPUT_NAMES),
                          dynamic_axes=dynamic, do_constant_folding=True)
    pointwise_convs_as_matmul(path, path)
    stamp_metadata(path, graph_metadata(model))
    onnx.checker.check_model(str(path))


def _consumers(graph: onnx.GraphProto) -> dict[str, list[tuple[onnx.NodeProto, int]]]:
    users: dict[str, list] = {}
    for node in graph.node:
        for index, name in enumerate(node.input):
            users.setdefault(name, []).append((node, index))
    return users


def _prepend(graph: onnx.GraphProto, nodes: list) -> None:
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend(list(nodes) + existing)


def to_fp16_weights(src: Path, dst: Path) -> None:
    """Store float initializers as fp16 with a Cast back to fp32 in front of their users."""
    model = onnx.load(str(src))
    graph = model.graph
    casts = []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        array = numpy_helper.to_array(init)
        if array.size < 16:
            continue
        name = init.name
        half = numpy_helper.from_array(array.astype(np.float16), name + "_fp16")
        init.CopyFrom(half)
        casts.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT, name=name + "_cast"))
    _prepend(graph, casts)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def to_int8_weights(src: Path, dst: Path) -> None:
    """Weight-only int8: each large float initializer feeding MatMul/Gemm/Conv becomes int8 with a
    per-output-channel scale (symmetric) and is restored as ``Cast(int8) * scale`` in the graph."""
    model = onnx.load(str(src))
    graph = model.graph
    users = _consumers(graph)
    new_nodes, new_inits, drop = [], [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            continue
        array = numpy_helper.to_array(init)
        uses = users.get(init.name, [])
        if array.size < INT8_MIN_ELEMENTS or array.ndim < 2 or not uses:
            continue
        # The exporter shares identical weights through Identity nodes; those pass the value on.
        weight_uses = [(node, index) for node, index in uses if node.op_type != "Identity"]
        if not weight_uses or not all(node.op_type in ("MatMul", "Gemm", "Conv") and index == 1 for node, index in weight_uses):
            continue
        kinds = {(node.op_type, next((a.i for a in node.attribute if a.name == "transB"), 0)) for node, _ in weight_uses}
        if len(kinds) != 1:
            axis = None
        else:
            op, trans_b = kinds.pop()
            axis = {"Conv": 0, "MatMul": array.ndim - 1, "Gemm": 0 if trans_b else 1}[op]
        if axis is None:
            scale = np.array(max(np.abs(array).max(), 1e-12) / 127.0, dtype=np.float32)
            q = np.round(array / scale)
        else:
            reduce = tuple(i for i in range(array.ndim) if i != axis)
            shape = [1] * array.ndim
            shape[axis] = -1
            scale = (np.maximum(np.abs(array).max(axis=reduce), 1e-12) / 127.0).astype(np.float32).reshape(shape)
            q = np.round(array / scale)
        q = np.clip(q, -127, 127).astype(np.int8)
        name = init.name
        new_inits += [numpy_helper.from_array(q, name + "_q"), numpy_helper.from_array(scale, name + "_scale")]
        # Cast + Mul rather than DequantizeLinear: onnxruntime constant-folds these at session
        # creation (it deliberately keeps DequantizeLinear unfolded for its QDQ fusions, which
        # would dequantize every weight on every run).
        new_nodes += [helper.make_node("Cast", [name + "_q"], [name + "_qf"], to=TensorProto.FLOAT, name=name + "_cast"),
                      helper.make_node("Mul", [name + "_qf", name + "_scale"], [name], name=name + "_dequant")]
        drop.append(init)
    for init in drop:
        graph.initializer.remove(init)
    graph.initializer.extend(new_inits)
    _prepend(graph, new_nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_onnxruntime(path: Path, inputs: dict[str, np.ndarray] | list[dict[str, np.ndarray]]):
    """Run with onnxruntime-node through a small Node script; returns name -> array (or a list of
    those when ``inputs`` is a list: one session, each feed in turn)."""
    many = isinstance(inputs, list)
    feeds = [{k: {"dims": list(v.shape), "data": v.astype(np.float32).ravel().tolist()} for k, v in x.items()}
             for x in (inputs if many else [inputs])]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps(feeds if many else feeds[0]))
        subprocess.run(["node", str(ORT_RUN), str(path), str(src), str(out)], check=True, cwd=REPO_ROOT)
        result = json.loads(out.read_text())
    convert = lambda r: {k: np.asarray(v["data"], dtype=np.float32).reshape(v["dims"]) for k, v in r.items()}
    return [convert(r) for r in result] if many else convert(result)


def torch_outputs(model: MERModel, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    graph = FusedGraph(model).eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        outs = graph(*(torch.from_numpy(inputs[n]).to(device) for n in INPUT_NAMES))
    return {n: o.float().cpu().numpy() for n, o in zip(OUTPUT_NAMES, outs)}


def parity(model: MERModel, paths: dict[str, Path], segments: int = 5) -> dict[str, float]:
    """Max abs difference per file vs PyTorch over all outputs, on inputs with a missing segment."""
    inputs = {n: t.numpy() for n, t in zip(INPUT_NAMES, example_inputs(model, segments, seed=1))}
    inputs["visual_mask"][0, -1] = 0.0
    expected = torch_outputs(model, inputs)
    report = {}
    for kind, path in paths.items():
        got = run_onnxruntime(path, inputs)
        report[kind] = float(max(np.abs(got[n] - expected[n]).max() for n in OUTPUT_NAMES))
    return report


def repo_relative(value):
    """``value`` with every absolute path under the repository's folder (or beside it, like
    ../shared) written relative to the repository root, so a shipped fusion.json names no build
    machine's folders."""
    if isinstance(value, dict):
        return {k: repo_relative(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [repo_relative(v) for v in value]
    if isinstance(value, str) and value.startswith(str(REPO_ROOT.parent) + os.sep):
        return os.path.relpath(value, REPO_ROOT)
    return value


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def export_all(model: MERModel, out_dir: Path, check: bool = False, stem: str = "fusion") -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    paths = {"fp32": out_dir / f"{stem}.onnx", "fp16": out_dir / f"{stem}_fp16.onnx",
             "int8": out_dir / f"{stem}_int8.onnx"}
    export_fp32(model, paths["fp32"])
    to_fp16_weights(paths["fp32"], paths["fp16"])
    to_int8_weights(paths["fp32"], paths["int8"])
    info = {
        "labels": model.config["label_names"],
        "metadata": graph_metadata(model),
        "inputs": list(INPUT_NAMES), "outputs": list(OUTPUT_NAMES), "opset": OPSET,
        "parameters": count_parameters(model),
        "files": [{"path": p.name, "precision": k, "bytes": p.stat().st_size, "sha256": sha256(p)}
                  for k, p in paths.items()],
        "config": repo_relative({k: v for k, v in model.config.items() if k != "label_names"}),
    }
    if check:
        info["parity_max_abs"] = parity(model, paths)
    (out_dir / f"{stem}.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def load_checkpoint(path: str | Path) -> MERModel:
    state = load_checkpoint_state(path)
    model = build_model(architecture_only(config_from_dict(state["config"])))
    model.load_state_dict(state["model"])
    return model.eval()


def export_text_encoder(path: str | Path, out_dir: Path) -> dict | None:
    """A checkpoint trained with ``text.encoder: bert`` also holds the fine-tuned BERT: write it in
    the transformers.js folder layout (``<out>/text``) with the text engineer's exporter."""
    state = load_checkpoint_state(path)
    if not state.get("text_encoder"):
        return None
    from .text.export import export_folder
    from .train import TextEncoder
    config = config_from_dict(state["config"])
    encoder = TextEncoder({**config["text"], "pretrained": None}, config["model"]["text_dim"])
    encoder.load_state_dict(state["text_encoder"])
    tokenizer = config["text"]["tokenizer"]
    return export_folder(encoder.bert.eval(), out_dir / "text", tokenizer) if tokenizer else export_folder(encoder.bert.eval(), out_dir / "text")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mer.export", description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", nargs="?", help="checkpoint .pt written by mer.train (best.pt)")
    ap.add_argument("--random", action="store_true", help="export randomly initialised weights of --config")
    ap.add_argument("--config", help="YAML config (with --random)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(REPO_ROOT / "training" / "runs" / "export"), help="output folder")
    ap.add_argument("--check", action="store_true", help="parity against PyTorch with onnxruntime-node")
    ap.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"),
                    help="trace (and run the --check reference) here; default cpu")
    args = ap.parse_args(argv)
    import warnings
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    if args.random:
        torch.manual_seed(args.seed)
        model = build_model(architecture_only(load_config(args.config))).eval()
    elif args.checkpoint:
        model = load_checkpoint(args.checkpoint)
    else:
        ap.error("give a CHECKPOINT, or --random with --config")
    from .device import resolve_device
    model = model.to(resolve_device(args.device))
    info = export_all(model, Path(args.out), check=args.check)
    if args.checkpoint and not args.random:
        text_files = export_text_encoder(args.checkpoint, Path(args.out))
        if text_files:
            print(f"text encoder (transformers.js layout): {Path(args.out) / 'text'} ({len(text_files)} files)")
    for f in info["files"]:
        print(f"{Path(args.out) / f['path']}: {f['bytes'] / 1e6:.2f} MB ({f['precision']})")
    print(f"parameters: {info['parameters']:,}")
    if "parity_max_abs" in info:
        print("max abs diff vs PyTorch:", json.dumps(info["parity_max_abs"]))


if __name__ == "__main__":
    main()
