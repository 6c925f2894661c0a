"""Rewrites applied to a graph after ``torch.onnx.export``, for onnxruntime-web's CPU (WASM)
kernels. Each keeps the arithmetic; the exporters' parity checks run on the rewritten file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def pointwise_convs_as_matmul(src: Path, dst: Path) -> int:
    """Rewrite every 1x1 stride-1 ungrouped Conv (NCHW) as Transpose -> MatMul -> Add -> Transpose,
    so batch and pixels become the rows of one matrix product with the weight as a constant B.

    Why: onnxruntime-web's CPU Conv runs one small GEMM per image, and YAMNet's late layers are
    3x2 or 6x4 pixels: at 11 segments the 1x1 convolutions took 80% of the fused graph's time in
    WASM. As one MatMul (rows = segments x pixels) they run about 2.5x faster there (measured
    2026-11-24, 1 thread: whole graph 149 -> 113 ms). Same arithmetic, so parity is unchanged.
    Returns the number of convolutions rewritten."""
    model = onnx.load(str(src))
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes, rewritten, dropped = [], 0, set()
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        weight = weights.get(node.input[1]) if node.op_type == "Conv" else None
        if (weight is None or list(weight.dims[2:]) != [1, 1] or attrs.get("group", 1) != 1
                or any(s != 1 for s in attrs.get("strides", [1, 1])) or any(attrs.get("pads", [0]))
                or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", b"VALID")):
            nodes.append(node)
            continue
        base = node.name or node.output[0]
        kernel = numpy_helper.to_array(weight)[:, :, 0, 0]                    # [Cout, Cin]
        matrix = numpy_helper.from_array(np.ascontiguousarray(kernel.T), base + "/weight_cin_cout")
        graph.initializer.append(matrix)
        dropped.add(weight.name)
        nhwc, product = base + "/nhwc", base + "/matmul"
        nodes += [helper.make_node("Transpose", [node.input[0]], [nhwc], perm=[0, 2, 3, 1], name=base + "/to_nhwc"),
                  helper.make_node("MatMul", [nhwc, matrix.name], [product], name=base + "/matmul")]
        if len(node.input) > 2 and node.input[2]:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [product + "_bias"], name=base + "/bias"))
            product += "_bias"
        nodes.append(helper.make_node("Transpose", [product], [node.output[0]], perm=[0, 3, 1, 2], name=base + "/to_nchw"))
        rewritten += 1
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {name for node in graph.node for name in node.input}
    for init in [i for i in graph.initializer if i.name in dropped and i.name not in still_used]:
        graph.initializer.remove(init)
    onnx.save(model, str(dst))
    return rewritten
