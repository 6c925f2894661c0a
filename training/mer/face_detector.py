"""MediaPipe BlazeFace (short- and full-range) rebuilt in PyTorch from its ``.tflite`` file.

The browser runs this network as ``public/models/face_detector.onnx`` (onnxruntime-web) and
the offline pipeline runs the same module in PyTorch (``mer.features.face_align``), so both
sides see identical raw outputs. MediaPipe's own npm packages do not run offline
(../shared/NOTES.md), hence the port.

The network is read op by op from the flatbuffer (``mer.tflite``) and replayed in order:
BlazeFace uses only CONV_2D, DEPTHWISE_CONV_2D, ADD, RELU, PAD (channel padding of the
residual branch), MAX_POOL_2D, RESIZE_BILINEAR (full range's feature pyramid), RESHAPE and
CONCATENATION; float16 weights arrive through DEQUANTIZE and are widened to float32. Activations
are kept NCHW; TensorFlow's SAME padding is computed from the static shapes.

I/O of the module (and of the exported ONNX):
- ``image``: ``[B, S, S, 3]`` float32 RGB in 0..255 (S = 192 full range, 128 short range),
  NHWC as the TFLite model; the module maps it to MediaPipe's [-1, 1] range itself
  (``x / 127.5 - 1``), so callers only letterbox/resize.
- ``regressors``: ``[B, N, 16]`` raw box (x, y, w, h offsets) + 6 keypoints (x, y), in input
  pixels relative to the anchor centre; ``classificators``: ``[B, N, 1]`` raw logits.
  N = 2304 (full range, one anchor per cell of a 48x48 grid) or 896 (short range).
Decoding (anchors, sigmoid, weighted NMS) is in ``mer.features.face_align`` and
``src/features/face/decode.ts``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mer.backbones.same_padding import conv2d_same, same_pads
from mer.compat import onnx_export
from mer.tflite import TFLiteModel, read_tflite

REPO_ROOT = Path(__file__).resolve().parents[2]
MEDIAPIPE_DIR = REPO_ROOT / "node_modules" / "@mediapipe" / "face_detection"
TFLITE_FILES = {
    "full": MEDIAPIPE_DIR / "face_detection_full_range.tflite",
    "short": MEDIAPIPE_DIR / "face_detection_short_range.tflite",
}
ONNX_PATH = REPO_ROOT / "public" / "models" / "face_detector.onnx"

_SUPPORTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "RELU", "PAD", "MAX_POOL_2D",
              "RESIZE_BILINEAR", "RESHAPE", "CONCATENATION", "DEQUANTIZE"}


class BlazeFace(nn.Module):
    """Replays a BlazeFace TFLite graph with PyTorch ops (weights as float32 parameters)."""

    def __init__(self, model: TFLiteModel):
        super().__init__()
        counts = model.op_counts()
        unknown = set(counts) - _SUPPORTED
        if unknown:
            raise ValueError(f"unsupported TFLite ops {sorted(unknown)}; supported: {sorted(_SUPPORTED)}")
        (inp,) = model.inputs
        _, self.input_size, _, _ = model.tensors[inp].shape
        self._input = inp
        self._outputs = list(model.outputs)
        self.output_names = ["regressors" if model.tensors[i].shape[-1] == 16 else "classificators"
                             for i in self._outputs]
        self.weights = nn.ParameterList()
        self._plan: list[tuple] = []   # (opcode, input ids, output id, static args)
        for op in model.operators:
            if op.opcode == "DEQUANTIZE":
                continue  # constants are resolved where used
            ins, out = op.inputs, op.outputs[0]
            shape_in = model.tensors[ins[0]].shape
            if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                w = model.resolve_constant(ins[1])
                b = model.resolve_constant(ins[2])
                if op.opcode == "CONV_2D":      # [O, H, W, I] -> [O, I, H, W]
                    w_t, groups = np.transpose(w, (0, 3, 1, 2)), 1
                else:                            # [1, H, W, C] -> [C, 1, H, W]
                    w_t, groups = np.transpose(w, (3, 0, 1, 2)), w.shape[3]
                k, s = w_t.shape[2], op.options["stride_h"]
                pad = (0, 0, 0, 0)
                if op.options["padding"] == "SAME":
                    ph, pw = same_pads(shape_in[1], k, s), same_pads(shape_in[2], k, s)
                    pad = (pw[0], pw[1], ph[0], ph[1])
                self.weights.append(nn.Parameter(torch.from_numpy(np.ascontiguousarray(w_t)), requires_grad=False))
                self.weights.append(nn.Parameter(torch.from_numpy(b.copy()), requires_grad=False))
                wi = len(self.weights) - 2
                if op.options["activation"] not in ("NONE", "RELU"):
                    raise ValueError(f"fused activation {op.options['activation']} not supported")
                self._plan.append(("conv", [ins[0]], out, (wi, s, pad, groups, op.options["activation"] == "RELU")))
            elif op.opcode == "ADD":
                self._plan.append(("add", ins[:2], out, (op.options.get("activation") == "RELU",)))
            elif op.opcode == "RELU":
                self._plan.append(("relu", ins[:1], out, ()))
            elif op.opcode == "PAD":
                p = model.tensors[ins[1]].data.astype(int)  # [[N],[H],[W],[C]] (before, after)
                if p[0].any():
                    raise ValueError("PAD on the batch axis not supported")
                # NCHW F.pad order: (W before, W after, H before, H after, C before, C after)
                self._plan.append(("pad", ins[:1], out, (int(p[2, 0]), int(p[2, 1]), int(p[1, 0]), int(p[1, 1]),
                                                         int(p[3, 0]), int(p[3, 1]))))
            elif op.opcode == "MAX_POOL_2D":
                k, s = op.options["filter_h"], op.options["stride_h"]
                pad = (0, 0, 0, 0)
                if op.options["padding"] == "SAME":
                    ph, pw = same_pads(shape_in[1], k, s), same_pads(shape_in[2], k, s)
                    pad = (pw[0], pw[1], ph[0], ph[1])
                if any(pad):
                    raise ValueError("padded max pooling not supported")
                self._plan.append(("maxpool", ins[:1], out, (k, s)))
            elif op.opcode == "RESIZE_BILINEAR":
                if op.options["align_corners"] or not op.options["half_pixel_centers"]:
                    raise ValueError("only half-pixel-centre bilinear resizing is supported")
                size = tuple(int(v) for v in model.tensors[ins[1]].data)
                self._plan.append(("resize", ins[:1], out, (size,)))
            elif op.opcode == "RESHAPE":
                last = model.tensors[out].shape[-1]
                self._plan.append(("flatten", ins[:1], out, (last,)))
            elif op.opcode == "CONCATENATION":
                self._plan.append(("concat", list(ins), out, (op.options["axis"],)))

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        env: dict[int, torch.Tensor] = {self._input: image.permute(0, 3, 1, 2) / 127.5 - 1.0}
        for kind, ins, out, args in self._plan:
            x = env[ins[0]]
            if kind == "conv":
                wi, s, pad, groups, relu = args
                if pad[0] == pad[1] == pad[2] == pad[3]:
                    x = F.conv2d(x, self.weights[wi], self.weights[wi + 1], stride=s, groups=groups, padding=pad[0])
                else:  # SAME with the odd pixel after: one Conv with auto_pad in ONNX, no Pad node
                    x = conv2d_same(x, self.weights[wi], self.weights[wi + 1], s, groups)
                y = F.relu(x) if relu else x
            elif kind == "add":
                y = x + env[ins[1]]
                y = F.relu(y) if args[0] else y
            elif kind == "relu":
                y = F.relu(x)
            elif kind == "pad":
                y = F.pad(x, args)
            elif kind == "maxpool":
                y = F.max_pool2d(x, args[0], args[1])
            elif kind == "resize":
                y = F.interpolate(x, size=args[0], mode="bilinear", align_corners=False)
            elif kind == "flatten":   # NCHW -> NHWC -> [B, H*W*anchors, last]
                y = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1, args[0])
            else:  # concat of flattened tensors
                y = torch.cat([env[i] for i in ins], dim=args[0])
            env[out] = y
        return tuple(env[i] for i in self._outputs)


def load_blazeface(variant: str = "full", path: str | Path | None = None) -> BlazeFace:
    """BlazeFace from MediaPipe's ``.tflite`` (``variant`` 'full' or 'short'), in eval mode."""
    if path is None:
        if variant not in TFLITE_FILES:
            raise ValueError(f"unknown variant '{variant}'; valid: {sorted(TFLITE_FILES)}")
        path = TFLITE_FILES[variant]
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run `npm install` (it ships in the devDependency @mediapipe/face_detection)")
    return BlazeFace(read_tflite(path)).eval()


def export_onnx(model: BlazeFace, path: str | Path, opset: int = 17) -> None:
    """ONNX with a dynamic batch axis (the browser batches the frame's views in one run)."""
    s = model.input_size
    dummy = torch.zeros(2, s, s, 3)
    onnx_export(
        model, dummy, path, opset_version=opset,
        input_names=["image"], output_names=model.output_names,
        dynamic_axes={"image": {0: "batch"}, **{n: {0: "batch"} for n in model.output_names}},
        do_constant_folding=True,
    )
    # No mer.onnx_passes.pointwise_convs_as_matmul here: BlazeFace's 1x1 convolutions are mostly
    # 96x96 and 48x48 pixels, where one product per image is already efficient and the transposes
    # cost more (measured 2026-11-24, 7 views, 1 thread: WASM 96 -> 136 ms, native 30 -> 40 ms).
