"""Weight-only int8 quantization of an ONNX graph with the ``onnx`` library alone (no
onnxruntime for Python here): the result runs on any onnxruntime (node, web, WebGPU)
because it only uses standard opset-13+ ops.

- MatMul / Gemm weights (2-D float initializers, >= ``min_elements``): symmetric int8 per
  output column, fed through ``DequantizeLinear(axis=1)`` into the unchanged MatMul.
- Embedding tables (2-D float initializers read by ``Gather`` on axis 0): symmetric int8
  per row; the graph gathers the int8 rows and their scales, then ``Cast`` + ``Mul``, so
  only the looked-up rows are dequantized at run time.
Everything else (biases, LayerNorm, small tables) stays float32.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _symmetric_int8(weight: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantize with one scale per slice along ``axis`` (kept); returns (int8, scales)."""
    reduce_axes = tuple(i for i in range(weight.ndim) if i != axis)
    scale = np.abs(weight).max(axis=reduce_axes) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    shape = [1] * weight.ndim
    shape[axis] = -1
    q = np.clip(np.rint(weight / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def quantize_weights_int8(model: onnx.ModelProto, min_elements: int = 4096) -> onnx.ModelProto:
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def eligible(name: str) -> np.ndarray | None:
        t = inits.get(name)
        if t is None or t.data_type != TensorProto.FLOAT or len(t.dims) != 2:
            return None
        if int(np.prod(t.dims)) < min_elements:
            return None
        return numpy_helper.to_array(t)

    new_nodes: list[tuple[int, onnx.NodeProto]] = []  # (insert before node index, node)
    drop: set[str] = set()
    node_index = {id(n): i for i, n in enumerate(graph.node)}

    for name in list(inits):
        users = consumers.get(name, [])
        if not users:
            continue
        weight = eligible(name)
        if weight is None:
            continue
        first = min(node_index[id(n)] for n in users)
        if all(n.op_type == "MatMul" and list(n.input).index(name) == 1 for n in users) or \
                all(n.op_type == "Gemm" and list(n.input).index(name) == 1 and
                    not any(a.name == "transB" and a.i for a in n.attribute) for n in users):
            q, scale = _symmetric_int8(weight, axis=1)
            graph.initializer.extend([
                numpy_helper.from_array(q, name + "_int8"),
                numpy_helper.from_array(scale, name + "_scale"),
                numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), name + "_zero"),
            ])
            new_nodes.append((first, helper.make_node(
                "DequantizeLinear", [name + "_int8", name + "_scale", name + "_zero"],
                [name + "_dq"], axis=1, name=name + "_DequantizeLinear")))
            for n in users:
                n.input[list(n.input).index(name)] = name + "_dq"
            drop.add(name)
        elif all(n.op_type == "Gather" and n.input[0] == name and
                 not any(a.name == "axis" and a.i != 0 for a in n.attribute) for n in users):
            q, scale = _symmetric_int8(weight, axis=0)
            graph.initializer.extend([
                numpy_helper.from_array(q, name + "_int8"),
                numpy_helper.from_array(scale[:, None], name + "_rowscale"),
            ])
            for k, n in enumerate(users):
                out = n.output[0]
                tag = f"{name}_{k}"
                n.input[0] = name + "_int8"
                n.output[0] = tag + "_rows_int8"
                at = node_index[id(n)] + 1
                new_nodes += [
                    (at, helper.make_node("Gather", [name + "_rowscale", n.input[1]],
                                          [tag + "_rows_scale"], axis=0, name=tag + "_GatherScale")),
                    (at, helper.make_node("Cast", [tag + "_rows_int8"], [tag + "_rows_float"],
                                          to=TensorProto.FLOAT, name=tag + "_Cast")),
                    (at, helper.make_node("Mul", [tag + "_rows_float", tag + "_rows_scale"], [out],
                                          name=tag + "_Dequantize")),
                ]
            drop.add(name)

    kept = [t for t in graph.initializer if t.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    before: dict[int, list[onnx.NodeProto]] = {}
    for at, node in new_nodes:
        before.setdefault(at, []).append(node)
    original = list(graph.node)
    ordered = []
    for i in range(len(original) + 1):
        ordered += before.get(i, [])
        if i < len(original):
            ordered.append(original[i])
    del graph.node[:]
    graph.node.extend(ordered)
    onnx.checker.check_model(model)
    return model


def quantize_file(src: str | Path, dst: str | Path, min_elements: int = 4096) -> None:
    model = onnx.load(str(src))
    onnx.save(quantize_weights_int8(model, min_elements), str(dst))
