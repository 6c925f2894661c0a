"""The schema-less TFLite reader: a tiny flatbuffer built here by slot ids, plus the real
YAMNet / BlazeFace files when they are on this machine."""
from __future__ import annotations

from pathlib import Path

import flatbuffers
import numpy as np
import pytest

from mer.tflite import read_tflite

ROOT = Path(__file__).resolve().parents[2]
YAMNET = ROOT.parent / "shared/weights/yamnet/yamnet.tflite"
BLAZEFACE = ROOT / "node_modules/@mediapipe/face_detection/face_detection_full_range.tflite"


def _vec_offsets(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def _tiny_model() -> bytes:
    """input [1,4,4,1] -> CONV_2D(int8 weights [2,3,3,1], float16 bias via DEQUANTIZE) -> out."""
    b = flatbuffers.Builder(1024)
    w = np.arange(-9, 9, dtype=np.int8).reshape(2, 3, 3, 1)
    bias16 = np.array([0.5, -1.25], np.float16)
    datas = [None, None, w.tobytes(), bias16.tobytes(), None, None]
    buffers = []
    for d in datas:
        if d is None:
            b.StartObject(1)
        else:
            vec = b.CreateNumpyVector(np.frombuffer(d, np.uint8))
            b.StartObject(1)
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        buffers.append(b.EndObject())
    # tensors: 0 input, 1 output, 2 weights (int8, quantized), 3 bias fp16, 4 bias fp32 (dequantized)
    specs = [("input", [1, 4, 4, 1], 0, 0), ("output", [1, 2, 2, 2], 0, 1),
             ("w", [2, 3, 3, 1], 9, 2), ("b16", [2], 1, 3), ("b", [2], 0, 4)]
    tensors = []
    for name, shape, ttype, buf in specs:
        nm = b.CreateString(name)
        shp = b.CreateNumpyVector(np.array(shape, np.int32))
        q = None
        if name == "w":
            sc = b.CreateNumpyVector(np.array([0.5], np.float32))
            zp = b.CreateNumpyVector(np.array([0], np.int64))
            b.StartObject(7)
            b.PrependUOffsetTRelativeSlot(2, sc, 0)
            b.PrependUOffsetTRelativeSlot(3, zp, 0)
            q = b.EndObject()
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, shp, 0)
        b.PrependInt8Slot(1, ttype, 0)
        b.PrependUint32Slot(2, buf, 0)
        b.PrependUOffsetTRelativeSlot(3, nm, 0)
        if q is not None:
            b.PrependUOffsetTRelativeSlot(4, q, 0)
        tensors.append(b.EndObject())
    # Conv2DOptions: padding VALID(1), stride 1/1, RELU(1)
    b.StartObject(6)
    b.PrependInt8Slot(0, 1, 0)
    b.PrependInt32Slot(1, 1, 0)
    b.PrependInt32Slot(2, 1, 0)
    b.PrependInt8Slot(3, 1, 0)
    conv_opts = b.EndObject()
    ops = []
    for opcode_index, ins, outs, opts in [(0, [3], [4], None), (1, [0, 2, 4], [1], conv_opts)]:
        iv = b.CreateNumpyVector(np.array(ins, np.int32))
        ov = b.CreateNumpyVector(np.array(outs, np.int32))
        b.StartObject(5)
        b.PrependUint32Slot(0, opcode_index, 0)
        b.PrependUOffsetTRelativeSlot(1, iv, 0)
        b.PrependUOffsetTRelativeSlot(2, ov, 0)
        if opts is not None:
            b.PrependUint8Slot(3, 1, 0)  # BuiltinOptions.Conv2DOptions
            b.PrependUOffsetTRelativeSlot(4, opts, 0)
        ops.append(b.EndObject())
    tv, opv = _vec_offsets(b, tensors), _vec_offsets(b, ops)
    gin = b.CreateNumpyVector(np.array([0], np.int32))
    gout = b.CreateNumpyVector(np.array([1], np.int32))
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, tv, 0)
    b.PrependUOffsetTRelativeSlot(1, gin, 0)
    b.PrependUOffsetTRelativeSlot(2, gout, 0)
    b.PrependUOffsetTRelativeSlot(3, opv, 0)
    sg = b.EndObject()
    codes = []
    for code in (6, 3):  # DEQUANTIZE, CONV_2D
        b.StartObject(4)
        b.PrependInt8Slot(0, code, 0)
        b.PrependInt32Slot(3, code, 0)
        codes.append(b.EndObject())
    cv, sgv, bv = _vec_offsets(b, codes), _vec_offsets(b, [sg]), _vec_offsets(b, buffers)
    desc = b.CreateString("tiny")
    b.StartObject(5)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, cv, 0)
    b.PrependUOffsetTRelativeSlot(2, sgv, 0)
    b.PrependUOffsetTRelativeSlot(3, desc, 0)
    b.PrependUOffsetTRelativeSlot(4, bv, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    return bytes(b.Output())


def test_tiny_model_roundtrip():
    m = read_tflite(_tiny_model())
    assert m.version == 3 and m.description == "tiny"
    assert [op.opcode for op in m.operators] == ["DEQUANTIZE", "CONV_2D"]
    conv = m.operators[1]
    assert conv.options == {"padding": "VALID", "stride_w": 1, "stride_h": 1, "activation": "RELU",
                            "dilation_w": 1, "dilation_h": 1}
    w = m.tensors[conv.inputs[1]]
    assert w.type == "INT8" and w.shape == (2, 3, 3, 1)
    np.testing.assert_array_equal(w.dequantized(), np.arange(-9, 9).reshape(2, 3, 3, 1) * 0.5)
    np.testing.assert_array_equal(m.resolve_constant(conv.inputs[2]), [0.5, -1.25])
    assert m.tensors[0].data is None and m.inputs == [0] and m.outputs == [1]
    assert m.producer(1) is conv and m.tensor("b16").type == "FLOAT16"
    with pytest.raises(ValueError):
        m.tensors[0].dequantized()


@pytest.mark.skipif(not YAMNET.exists(), reason="yamnet.tflite not on this machine")
def test_reads_yamnet():
    m = read_tflite(YAMNET)
    assert len(m.tensors) == 135 and len(m.operators) == 60
    assert m.op_counts()["CONV_2D"] == 14 and m.op_counts()["DEPTHWISE_CONV_2D"] == 13
    assert m.tensors[m.inputs[0]].shape == (1, 15600)
    assert [m.tensors[i].name for i in m.outputs] == ["Identity", "Identity_1"]
    dense = m.tensor("yamnet_frames/dense/MatMul")
    assert dense.type == "INT8" and dense.quantization.zero_point[0] == 0
    assert 0.01 < dense.dequantized().std() < 1


@pytest.mark.skipif(not BLAZEFACE.exists(), reason="@mediapipe/face_detection not installed")
def test_reads_blazeface_float16():
    m = read_tflite(BLAZEFACE)
    assert m.op_counts() == {"DEQUANTIZE": 178, "CONV_2D": 49, "RELU": 47, "DEPTHWISE_CONV_2D": 40,
                             "ADD": 23, "MAX_POOL_2D": 4, "PAD": 8, "RESIZE_BILINEAR": 3, "RESHAPE": 2}
    conv = next(op for op in m.operators if op.opcode == "CONV_2D")
    w = m.resolve_constant(conv.inputs[1])
    assert w.dtype == np.float32 and w.shape == (32, 3, 3, 3)


def test_hybrid_input_quantization_is_symmetric_int8_per_row():
    from mer.tflite import _fake_quantize_rows

    x = np.array([[0.0, 0.5, -1.0, 0.26], [0.0, 0.0, 0.0, 0.0]], np.float32)
    q = _fake_quantize_rows(x)
    np.testing.assert_allclose(q[0] * 127, np.round(x[0] * 127), atol=1e-4)  # scale = max|row| / 127
    np.testing.assert_array_equal(q[1], 0)
    tiny = read_tflite(_tiny_model())
    x_in = np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 4, 4, 1)
    from mer.tflite import evaluate

    exact = evaluate(tiny, [x_in])[1]
    hybrid = evaluate(tiny, [x_in], hybrid=True)[1]
    assert exact.shape == (1, 2, 2, 2) and np.abs(exact - hybrid).max() < 0.05


def test_reference_conv_valid_relu_matches_a_direct_loop():
    from mer.tflite import evaluate

    m = read_tflite(_tiny_model())
    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 4, 4, 1)
    w = np.arange(-9, 9).reshape(2, 3, 3, 1) * 0.5
    b = np.array([0.5, -1.25])
    ref = np.zeros((1, 2, 2, 2))
    for i in range(2):
        for j in range(2):
            for o in range(2):
                ref[0, i, j, o] = max(0.0, (x[0, i:i + 3, j:j + 3, 0] * w[o, :, :, 0]).sum() + b[o])
    np.testing.assert_allclose(evaluate(m, [x])[1], ref, atol=1e-5)
