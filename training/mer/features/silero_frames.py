"""Silero VAD v6 rewritten to take many frames per run: ``silero_vad_v6_frames.onnx``, the
voice-activity detector the app ships (docs/CONTRACTS.md "Voice activity").

The file in ``@ricky0123/vad-web`` takes one 576-sample frame (64 of context + 512) and the LSTM
state per run and wraps everything in ``If`` nodes (8 and 16 kHz branches, batch and rank checks):
in onnxruntime-web each run costs ~1-3 ms, and a 10 s clip is 313 runs. This rewrite:

1. keeps the 16 kHz branch and, in each nested ``If``, the branch a ``[1, 576]`` frame with a
   ``[2, 1, 128]`` state takes (the other branches never run for the app's inputs);
2. feeds the frames as the LSTM's *sequence* (``[frames, 1, 128]`` instead of batch ``[1, frames,
   128]``): the STFT and the convolutions run on all frames at once, as a batch, and the LSTM
   steps through them in order, carrying its state as the app carried it from run to run;
3. decodes every step's hidden state (not only the last one) into p(speech).

Inputs ``input [frames, 576]``, ``state [2, 1, 128]``, ``sr`` (kept, unused); outputs ``output
[frames, 1]`` (p per frame) and ``stateN`` (after the last frame). The operators and their
shapes per frame are the original's, so onnxruntime computes the same numbers: the p of every
frame and the final state are bit-identical to running the original frame by frame
(``src/features/audio/vad.test.ts``, onnxruntime-node; onnxruntime-web WASM checked on the bench
clips and IEMOCAP dev clips, 2026-12-05). The weights are the original's (only the 8 kHz copy is
dropped: 2.3 -> 1.3 MB).

``python -m mer.features.silero_frames [--source PATH] [--out PATH]``; the output is
deterministic and committed (``training/tests/test_silero_frames.py`` re-derives it and compares
bytes).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import onnx
from onnx import TensorProto, helper

REPO = Path(__file__).resolve().parents[3]
SOURCE = REPO / "node_modules/@ricky0123/vad-web/dist/silero_vad_v6.onnx"
OUT = REPO / "public/models/silero_vad_v6_frames.onnx"

# The branch each If takes for sr = 16000, input [1, 576], state [2, 1, 128] (by node name, the
# part after the inliner's prefix). Any If not named here fails the rewrite.
THEN = frozenset({"If_0", "/decoder/If", "/decoder/If_1", "/If"})
ELSE = frozenset({"/decoder/rnn/If", "/decoder/rnn/If_1", "/decoder/rnn/If_2", "/decoder/rnn/If_3",
                  "/decoder/rnn/If_4"})


def _short(name: str) -> str:
    return name.split("__")[-1]


def _flatten(nodes) -> list:
    out = []
    for node in nodes:
        if node.op_type != "If":
            out.append(node)
            continue
        name = _short(node.name)
        if name not in THEN and name not in ELSE:
            raise ValueError(f"unexpected If node {name!r}: not the Silero v6 graph this rewrite knows")
        branch = next(a.g for a in node.attribute if a.name == ("then_branch" if name in THEN else "else_branch"))
        out += _flatten(branch.node)
        for if_out, branch_out in zip(node.output, branch.output):
            out.append(helper.make_node("Identity", [branch_out.name], [if_out], name=f"{node.name}/picked/{if_out}"))
    return out


def _initializers(graph) -> list:
    found = list(graph.initializer)
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                found += _initializers(a.g)
    return found


def frames_graph(model: onnx.ModelProto) -> onnx.ModelProto:
    """The rewrite described above, as a new model."""
    top = [n for n in model.graph.node if n.op_type == "If"]
    if len(top) != 1 or _short(top[0].name) != "If_0":
        raise ValueError("expected one top-level If (sr == 16000) in the Silero v6 graph")
    nodes = _flatten(top)
    nodes += [n for n in model.graph.node if n.op_type == "Identity"]  # If_0 outputs -> output, stateN

    by_name = {_short(n.name): n for n in nodes}
    outputs = {_short(o): o for n in nodes for o in n.output}
    # 2. the frames are the LSTM's sequence: [frames, 128] -> [frames, 1, 128] (was unsqueezed at 0: batch).
    by_name["/decoder/rnn/Unsqueeze_3"].input[1] = "frames_axis_1"
    # 3. the decoder reads every step's h: Y [frames, 1, 1, 128] -> [frames, 128] (was Y_h, the last one).
    lstm = by_name["/decoder/rnn/LSTM"]
    every_h = helper.make_node("Squeeze", [outputs["/decoder/rnn/LSTM_output_0"], "frames_axes_1_2"], ["frames_every_h"],
                               name="frames/every_h")
    nodes.insert(nodes.index(lstm) + 1, every_h)
    by_name["/decoder/Unsqueeze"].input[0] = "frames_every_h"

    used = {i for n in nodes for i in n.input}
    nodes = [n for n in nodes if n.op_type != "Constant" or n.output[0] in used]  # e.g. the replaced axis
    inits = [t for t in _initializers(model.graph) if t.name in used] + [
        helper.make_tensor("frames_axis_1", TensorProto.INT64, [1], [1]),
        helper.make_tensor("frames_axes_1_2", TensorProto.INT64, [2], [1, 2]),
    ]
    inputs = [onnx.ValueInfoProto.FromString(i.SerializeToString()) for i in model.graph.input]
    inputs[0].type.tensor_type.shape.dim[0].dim_param = "frames"
    outputs_vi = [onnx.ValueInfoProto.FromString(o.SerializeToString()) for o in model.graph.output]
    shape = outputs_vi[0].type.tensor_type.shape
    del shape.dim[:]
    shape.dim.add().dim_param = "frames"
    shape.dim.add().dim_value = 1
    graph = helper.make_graph(nodes, "silero_vad_v6_frames", inputs, outputs_vi, inits)
    out = helper.make_model(graph, opset_imports=model.opset_import, ir_version=model.ir_version,
                            producer_name="mer.features.silero_frames")
    out.doc_string = "Silero VAD v6 (MIT, snakers4/silero-vad via @ricky0123/vad-web 0.0.31), 16 kHz, frames as the LSTM sequence"
    onnx.checker.check_model(out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    model = frames_graph(onnx.load(str(args.source)))
    args.out.write_bytes(model.SerializeToString())
    print(f"{args.out}: {args.out.stat().st_size} bytes, {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
