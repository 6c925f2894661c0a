"""YAMNet (MobileNetV1 on AudioSet, 521 classes) rebuilt in PyTorch from ``yamnet.tflite``:
the audio backbone on our log-mel front end (``mer.features.logmel``).

Input: log-mel patches ``[B, 1, 96, 64]`` (time, mel) exactly as our front end computes them.
Layers (../shared/NOTES.md): L1 3x3 conv stride 2 (1 -> 32), then L2..L14 depthwise 3x3 +
pointwise 1x1 with stride 2 at L3, L5, L7, L13; TF "SAME" padding; batch norm is already folded
into the biases; ReLU after every convolution. The five convolution groups (``stages``) are split
at the stride-2 layers: L1-L2 (64 ch, 48x32), L3-L4 (128, 24x16), L5-L6 (256, 12x8),
L7-L12 (512, 6x4), L13-L14 (1024, 3x2). ``head`` = global average pooling -> the 1024-d
embedding (``out_dim``); ``classifier`` is the AudioSet dense layer for ``scores``.

Weights: int8 tensors dequantized as ``int8 x scale`` (per-tensor, zero point 0), float32
first-layer kernel and biases taken as they are. Layers are mapped by operator order, since the
depthwise weight tensor names in the file are misleading.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mer.backbones.base import Backbone
from mer.backbones.same_padding import conv2d_same

DEFAULT_TFLITE = Path(__file__).resolve().parents[3].parent / "shared/weights/yamnet/yamnet.tflite"

# (stride, output channels) of L2..L14 (depthwise-separable layers); L1 is a 3x3 conv to 32.
SEPARABLE_LAYERS: tuple[tuple[int, int], ...] = (
    (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512),
    (1, 512), (1, 512), (1, 512), (1, 512), (1, 512), (2, 1024), (1, 1024),
)
# Group boundaries in layer numbers (1-based, inclusive).
GROUPS: tuple[tuple[int, int], ...] = ((1, 2), (3, 4), (5, 6), (7, 12), (13, 14))
NUM_CLASSES = 521


class SameConv2d(nn.Conv2d):
    """A square convolution with TensorFlow's SAME padding (``same_padding.conv2d_same``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv2d_same(x, self.weight, self.bias, self.stride[0], self.groups)


class ConvReLU(nn.Sequential):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv = SameConv2d(cin, cout, 3, stride=stride, bias=True)
        self.relu = nn.ReLU(inplace=True)


class SeparableLayer(nn.Module):
    """Depthwise 3x3 + ReLU, pointwise 1x1 + ReLU (batch norm folded into the biases)."""

    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.depthwise = SameConv2d(cin, cin, 3, stride=stride, groups=cin, bias=True)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.pointwise(F.relu(self.depthwise(x))))


class YAMNet(Backbone):
    """YAMNet as a ``Backbone``: ``forward(log_mel [B,1,96,64]) -> embedding [B,1024]``;
    ``scores`` gives the 521 AudioSet class probabilities (for the parity check)."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvReLU(1, 32, stride=2)]
        cin = 32
        for stride, cout in SEPARABLE_LAYERS:
            layers.append(SeparableLayer(cin, cout, stride))
            cin = cout
        self.stages = nn.ModuleList(nn.Sequential(*layers[a - 1:b]) for a, b in GROUPS)
        self.stage_channels = [SEPARABLE_LAYERS[b - 2][1] for _, b in GROUPS]
        self.out_dim = 1024
        self.classifier = nn.Linear(1024, NUM_CLASSES)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return x if x.dim() == 4 else x.unsqueeze(1)  # accept [B, 96, 64] too

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))

    def scores(self, log_mel: torch.Tensor) -> torch.Tensor:
        """AudioSet class probabilities ``[B, 521]`` (sigmoid)."""
        return torch.sigmoid(self.classifier(self(log_mel)))

    def layers(self) -> list[nn.Module]:
        """L1..L14 in order."""
        return [layer for stage in self.stages for layer in stage]

    @classmethod
    def from_tflite(cls, path: str | Path = DEFAULT_TFLITE) -> "YAMNet":
        """Build the network and load its weights from ``yamnet.tflite``."""
        from mer.tflite import read_tflite

        model = read_tflite(path)
        net = cls()
        convs = [op for op in model.operators if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D")]
        if len(convs) != 27:
            raise ValueError(f"expected 27 convolutions in a YAMNet tflite, found {len(convs)}")

        def weight(op, slot):  # float32 array, following DEQUANTIZE for the int8 depthwise kernels
            return model.resolve_constant(op.inputs[slot])

        def load_conv(conv: nn.Conv2d, op, depthwise: bool) -> None:
            w = weight(op, 1)
            w = w.transpose(3, 0, 1, 2) if depthwise else w.transpose(0, 3, 1, 2)  # -> [O, I/g, kh, kw]
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise ValueError(f"op {op.index}: weight {w.shape} does not fit {tuple(conv.weight.shape)}")
            conv.weight.data.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            conv.bias.data.copy_(torch.from_numpy(weight(op, 2)))
            stride = op.options["stride_h"]
            if stride != conv.stride[0] or op.options["activation"] != "RELU":
                raise ValueError(f"op {op.index}: stride/activation {op.options} unexpected")

        layers = net.layers()
        load_conv(layers[0].conv, convs[0], depthwise=False)
        for i, layer in enumerate(layers[1:]):
            dw, pw = convs[1 + 2 * i], convs[2 + 2 * i]
            assert dw.opcode == "DEPTHWISE_CONV_2D" and pw.opcode == "CONV_2D"
            load_conv(layer.depthwise, dw, depthwise=True)
            load_conv(layer.pointwise, pw, depthwise=False)
        dense = next(op for op in model.operators if op.opcode == "FULLY_CONNECTED"
                     and model.tensors[op.inputs[1]].shape == (NUM_CLASSES, 1024))
        net.classifier.weight.data.copy_(torch.from_numpy(weight(dense, 1)))
        net.classifier.bias.data.copy_(torch.from_numpy(weight(dense, 2)))
        return net.eval()


def class_names(csv_path: str | Path | None = None) -> list[str]:
    """The 521 AudioSet display names (``yamnet_class_map.csv`` next to the tflite)."""
    import csv

    path = Path(csv_path) if csv_path else DEFAULT_TFLITE.with_name("yamnet_class_map.csv")
    with open(path, newline="") as f:
        return [row["display_name"] for row in csv.DictReader(f)]
