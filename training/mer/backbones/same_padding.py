"""TensorFlow "SAME" padding for the backbones ported from TF/Keras (YAMNet, mini-Xception).

Eager PyTorch pads explicitly, then convolves or pools. Inside an ONNX export the same layer is
written as one Conv / MaxPool with ``auto_pad="SAME_UPPER"``: ONNX's SAME_UPPER puts the odd pixel
at the end, exactly like TensorFlow's SAME.
Why: a traced ``F.pad`` exports as a chain of shape arithmetic feeding a separate Pad node, which
onnxruntime neither constant-folds into the convolution nor fuses. Measured 2026-11-24 on the
default fused graph at 11 segments: 18 Pad nodes, about 10 ms a run in onnxruntime-web and 5 ms in
onnxruntime-node.
"""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) padding of one spatial axis under TF SAME: the extra pixel goes after."""
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _eager_pad(x: torch.Tensor, kernel: int, stride: int, value: float) -> torch.Tensor:
    with warnings.catch_warnings():
        # During export this runs inside a Function whose ONNX form is its symbolic, so the
        # tracer's "converting a tensor to a Python integer" warning does not apply.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        top, bottom = same_pads(int(x.shape[-2]), kernel, stride)
        left, right = same_pads(int(x.shape[-1]), kernel, stride)
    return F.pad(x, (left, right, top, bottom), value=value)


def _conv_eager(x, weight, bias, stride: int, groups: int) -> torch.Tensor:
    return F.conv2d(_eager_pad(x, weight.shape[-1], stride, 0.0), weight, bias, stride, 0, 1, groups)


def _max_pool_eager(x, kernel: int, stride: int) -> torch.Tensor:
    return F.max_pool2d(_eager_pad(x, kernel, stride, float("-inf")), kernel, stride)


def _op(g, *args, **kwargs):
    # torch 1.13 hands a Function's symbolic a raw torch.Graph whose .op() warns that it is
    # deprecated; later versions hand a GraphContext with the same .op().
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return g.op(*args, **kwargs)


class _ConvSameUpper(torch.autograd.Function):
    """Export-only: the eager result for tracing, one ONNX Conv for the graph."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride: int, groups: int):
        return _conv_eager(x, weight, bias, stride, groups)

    @staticmethod
    def symbolic(g, x, weight, bias, stride: int, groups: int):
        k = weight.type().sizes()[-2:]
        inputs = [x, weight] if bias is None else [x, weight, bias]
        return _op(g, "Conv", *inputs, auto_pad_s="SAME_UPPER", group_i=groups,
                   kernel_shape_i=list(k), strides_i=[stride, stride], dilations_i=[1, 1])


class _MaxPoolSameUpper(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, kernel: int, stride: int):
        return _max_pool_eager(x, kernel, stride)

    @staticmethod
    def symbolic(g, x, kernel: int, stride: int):
        # onnxruntime leaves padded cells out of the max: the same as padding with -inf.
        return _op(g, "MaxPool", x, auto_pad_s="SAME_UPPER", kernel_shape_i=[kernel, kernel],
                   strides_i=[stride, stride])


def conv2d_same(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                stride: int = 1, groups: int = 1) -> torch.Tensor:
    """Square-kernel convolution with TF SAME padding (dilation 1)."""
    if torch.onnx.is_in_onnx_export():
        return _ConvSameUpper.apply(x, weight, bias, stride, groups)
    return _conv_eager(x, weight, bias, stride, groups)


def max_pool2d_same(x: torch.Tensor, kernel: int = 3, stride: int = 2) -> torch.Tensor:
    """Max pool with TF SAME padding (padding never wins the max)."""
    if torch.onnx.is_in_onnx_export():
        return _MaxPoolSameUpper.apply(x, kernel, stride)
    return _max_pool_eager(x, kernel, stride)
