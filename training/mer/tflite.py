"""A small, schema-less reader for TensorFlow Lite flatbuffers (``.tflite``).

Used to port pretrained TFLite models (YAMNet, MediaPipe BlazeFace) to PyTorch: it reads
tensors (name, shape, type, raw data, quantization), operators (builtin opcode name,
inputs, outputs, the builtin options we need) and the graph's inputs and outputs. It does
not execute anything.

It needs no generated schema code: ``python3-flatbuffers``' generic ``Table`` reads a field
by its slot id in ``tensorflow/lite/schema/schema.fbs`` (vtable offset ``4 + 2 * id``).
The slot ids used here are the schema's (version 3) and are listed in the ``_F_*`` tables.

Typical use::

    model = read_tflite("yamnet.tflite")
    for op in model.operators:
        print(op.opcode, [model.tensors[i].name for i in op.inputs], op.options)
    w = model.tensors[op.inputs[1]].dequantized()     # float32 numpy array

Quantized weights are dequantized as ``(q - zero_point) * scale`` (per tensor, or per
channel along ``quantized_dimension``); float16 weights are widened to float32.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
from flatbuffers import number_types as N
from flatbuffers.table import Table

# TensorType enum -> (name, numpy dtype or None).
TENSOR_TYPES: dict[int, tuple[str, Any]] = {
    0: ("FLOAT32", np.float32), 1: ("FLOAT16", np.float16), 2: ("INT32", np.int32),
    3: ("UINT8", np.uint8), 4: ("INT64", np.int64), 5: ("STRING", None), 6: ("BOOL", np.bool_),
    7: ("INT16", np.int16), 8: ("COMPLEX64", np.complex64), 9: ("INT8", np.int8),
    10: ("FLOAT64", np.float64), 11: ("COMPLEX128", np.complex128), 12: ("UINT64", np.uint64),
    13: ("RESOURCE", None), 14: ("VARIANT", None), 15: ("UINT32", np.uint32),
    16: ("UINT16", np.uint16), 17: ("INT4", None), 18: ("BFLOAT16", None),
}

# BuiltinOperator enum (schema.fbs), the first 128 codes.
BUILTIN_OPS: tuple[str, ...] = (
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC",
    "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE",
    "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
    "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
    "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX",
    "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM",
    "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
    "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
    "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX",
    "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
    "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
    "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK",
    "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
    "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
)

PADDING = ("SAME", "VALID")
ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")

# Builtin options we decode: op name -> [(field name, slot id, kind, default)].
# kind: "i8"/"i32"/"bool" scalars, "padding"/"act" enums, "vec_i32" vectors.
_OPTION_FIELDS: dict[str, list[tuple[str, int, str, Any]]] = {
    "CONV_2D": [("padding", 0, "padding", 0), ("stride_w", 1, "i32", 0), ("stride_h", 2, "i32", 0),
                ("activation", 3, "act", 0), ("dilation_w", 4, "i32", 1), ("dilation_h", 5, "i32", 1)],
    "DEPTHWISE_CONV_2D": [("padding", 0, "padding", 0), ("stride_w", 1, "i32", 0),
                          ("stride_h", 2, "i32", 0), ("depth_multiplier", 3, "i32", 0),
                          ("activation", 4, "act", 0), ("dilation_w", 5, "i32", 1),
                          ("dilation_h", 6, "i32", 1)],
    "AVERAGE_POOL_2D": [("padding", 0, "padding", 0), ("stride_w", 1, "i32", 0),
                        ("stride_h", 2, "i32", 0), ("filter_w", 3, "i32", 0),
                        ("filter_h", 4, "i32", 0), ("activation", 5, "act", 0)],
    "FULLY_CONNECTED": [("activation", 0, "act", 0), ("weights_format", 1, "i8", 0),
                        ("keep_num_dims", 2, "bool", False),
                        ("asymmetric_quantize_inputs", 3, "bool", False)],
    "ADD": [("activation", 0, "act", 0)],
    "SUB": [("activation", 0, "act", 0)],
    "MUL": [("activation", 0, "act", 0)],
    "DIV": [("activation", 0, "act", 0)],
    "CONCATENATION": [("axis", 0, "i32", 0), ("activation", 1, "act", 0)],
    "RESHAPE": [("new_shape", 0, "vec_i32", None)],
    "RESIZE_BILINEAR": [("align_corners", 2, "bool", False), ("half_pixel_centers", 3, "bool", False)],
    "RESIZE_NEAREST_NEIGHBOR": [("align_corners", 0, "bool", False),
                                ("half_pixel_centers", 1, "bool", False)],
    "GATHER": [("axis", 0, "i32", 0), ("batch_dims", 1, "i32", 0)],
    "MEAN": [("keep_dims", 0, "bool", False)],
    "SUM": [("keep_dims", 0, "bool", False)],
    "SQUEEZE": [("squeeze_dims", 0, "vec_i32", None)],
    "STRIDED_SLICE": [("begin_mask", 0, "i32", 0), ("end_mask", 1, "i32", 0),
                      ("ellipsis_mask", 2, "i32", 0), ("new_axis_mask", 3, "i32", 0),
                      ("shrink_axis_mask", 4, "i32", 0)],
    "SOFTMAX": [("beta", 0, "f32", 0.0)],
    "LEAKY_RELU": [("alpha", 0, "f32", 0.0)],
}
_OPTION_FIELDS["MAX_POOL_2D"] = _OPTION_FIELDS["AVERAGE_POOL_2D"]
_OPTION_FIELDS["L2_POOL_2D"] = _OPTION_FIELDS["AVERAGE_POOL_2D"]
_OPTION_FIELDS["REDUCE_MAX"] = _OPTION_FIELDS["MEAN"]


def _field_pos(t: Table, slot: int) -> int:
    """Absolute position of field ``slot``'s value, or 0 when absent (default applies)."""
    o = t.Offset(4 + 2 * slot)
    return t.Pos + o if o else 0


def _scalar(t: Table, slot: int, flags, default):
    o = t.Offset(4 + 2 * slot)
    return t.Get(flags, t.Pos + o) if o else default


def _sub_table(t: Table, slot: int) -> Table | None:
    o = t.Offset(4 + 2 * slot)
    return Table(t.Bytes, t.Indirect(t.Pos + o)) if o else None


def _table_vector(t: Table, slot: int) -> list[Table]:
    o = t.Offset(4 + 2 * slot)
    if not o:
        return []
    start, n = t.Vector(o), t.VectorLen(o)
    return [Table(t.Bytes, t.Indirect(start + 4 * i)) for i in range(n)]


def _numeric_vector(t: Table, slot: int, dtype) -> np.ndarray:
    o = t.Offset(4 + 2 * slot)
    if not o:
        return np.zeros(0, dtype)
    start, n = t.Vector(o), t.VectorLen(o)
    return np.frombuffer(t.Bytes, dtype=np.dtype(dtype).newbyteorder("<"), count=n, offset=start).copy()


def _string(t: Table, slot: int) -> str:
    o = t.Offset(4 + 2 * slot)
    return t.String(t.Pos + o).decode("utf-8") if o else ""


@dataclass
class Quantization:
    scale: np.ndarray          # float32 [n] (n = 1 per tensor, or channels)
    zero_point: np.ndarray     # int64 [n]
    quantized_dimension: int = 0

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    type: str                  # "FLOAT32", "INT8", ...
    buffer: int                # buffer index (0 = no data: an activation)
    data: np.ndarray | None    # raw constant data in its stored type and shape, or None
    quantization: Quantization | None

    def dequantized(self) -> np.ndarray:
        """The constant as float32: int8/uint8/int16/int32 via scale and zero point
        (per tensor or per channel), float16 widened; raises for activations."""
        if self.data is None:
            raise ValueError(f"tensor {self.index} '{self.name}' has no constant data")
        d = self.data
        q = self.quantization
        if d.dtype in (np.float32, np.float64, np.float16):
            return d.astype(np.float32)
        if q is None or q.scale.size == 0:
            return d.astype(np.float32)
        scale, zp = q.scale.astype(np.float32), q.zero_point.astype(np.float32)
        if q.per_channel:
            bshape = [1] * d.ndim
            bshape[q.quantized_dimension] = -1
            scale, zp = scale.reshape(bshape), zp.reshape(bshape)
        return ((d.astype(np.float32) - zp) * scale).astype(np.float32)


@dataclass
class Operator:
    index: int
    opcode: str                # builtin op name, e.g. "CONV_2D"; "CUSTOM:<code>" for custom ops
    inputs: list[int]          # tensor indices, -1 = optional input left out
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class TFLiteModel:
    version: int
    description: str
    tensors: list[Tensor]
    operators: list[Operator]
    inputs: list[int]
    outputs: list[int]

    def tensor(self, name: str) -> Tensor:
        for t in self.tensors:
            if t.name == name:
                return t
        raise KeyError(f"no tensor named '{name}'")

    def producer(self, tensor_index: int) -> Operator | None:
        """The operator that writes ``tensor_index`` (None for constants and graph inputs)."""
        for op in self.operators:
            if tensor_index in op.outputs:
                return op
        return None

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.operators:
            counts[op.opcode] = counts.get(op.opcode, 0) + 1
        return counts

    def resolve_constant(self, tensor_index: int) -> np.ndarray:
        """Float32 value of a constant, following a DEQUANTIZE op if one produces it
        (how float16 and some int8 weights are stored)."""
        t = self.tensors[tensor_index]
        if t.data is not None:
            return t.dequantized()
        op = self.producer(tensor_index)
        if op is not None and op.opcode == "DEQUANTIZE":
            return self.resolve_constant(op.inputs[0])
        raise ValueError(f"tensor {tensor_index} '{t.name}' is not a constant")


def _decode_options(opname: str, opts: Table | None) -> dict[str, Any]:
    spec = _OPTION_FIELDS.get(opname)
    if spec is None or opts is None:
        return {}
    out: dict[str, Any] = {}
    for name, slot, kind, default in spec:
        if kind == "vec_i32":
            v = _numeric_vector(opts, slot, np.int32)
            out[name] = v.tolist() if v.size or default is None else default
        elif kind == "i32":
            out[name] = _scalar(opts, slot, N.Int32Flags, default)
        elif kind == "i8":
            out[name] = _scalar(opts, slot, N.Int8Flags, default)
        elif kind == "f32":
            out[name] = _scalar(opts, slot, N.Float32Flags, default)
        elif kind == "bool":
            out[name] = bool(_scalar(opts, slot, N.BoolFlags, default))
        elif kind == "padding":
            out[name] = PADDING[_scalar(opts, slot, N.Int8Flags, default)]
        elif kind == "act":
            out[name] = ACTIVATIONS[_scalar(opts, slot, N.Int8Flags, default)]
    return out


def read_tflite(path_or_bytes: str | Path | bytes, subgraph: int = 0) -> TFLiteModel:
    """Parse a ``.tflite`` file (or its bytes) into tensors and operators of one subgraph."""
    buf = path_or_bytes if isinstance(path_or_bytes, (bytes, bytearray)) else Path(path_or_bytes).read_bytes()
    buf = bytearray(buf)
    root = Table(buf, flatbuffers.encode.Get(N.UOffsetTFlags.packer_type, buf, 0))
    # Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4.
    version = _scalar(root, 0, N.Uint32Flags, 0)
    opcodes: list[str] = []
    for oc in _table_vector(root, 1):
        # OperatorCode: deprecated_builtin_code 0 (int8), custom_code 1, version 2, builtin_code 3.
        code = max(_scalar(oc, 0, N.Int8Flags, 0), _scalar(oc, 3, N.Int32Flags, 0))
        name = BUILTIN_OPS[code] if code < len(BUILTIN_OPS) else f"BUILTIN_{code}"
        if name == "CUSTOM":
            name = f"CUSTOM:{_string(oc, 1)}"
        opcodes.append(name)
    buffers: list[np.ndarray | None] = []
    for b in _table_vector(root, 4):
        # Buffer: data 0 ([ubyte]), offset 1 / size 2 (for models over 2 GB, data outside).
        data = _numeric_vector(b, 0, np.uint8)
        if data.size == 0:
            off, size = _scalar(b, 1, N.Uint64Flags, 0), _scalar(b, 2, N.Uint64Flags, 0)
            data = np.frombuffer(buf, np.uint8, count=size, offset=off).copy() if off > 1 else None
        buffers.append(data if data is not None and data.size else None)

    sg = _table_vector(root, 2)[subgraph]
    # SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4.
    tensors: list[Tensor] = []
    for i, t in enumerate(_table_vector(sg, 0)):
        # Tensor: shape 0, type 1, buffer 2, name 3, quantization 4.
        shape = tuple(int(s) for s in _numeric_vector(t, 0, np.int32))
        ttype, np_dtype = TENSOR_TYPES.get(_scalar(t, 1, N.Int8Flags, 0), (f"TYPE_{_scalar(t, 1, N.Int8Flags, 0)}", None))
        bidx = _scalar(t, 2, N.Uint32Flags, 0)
        raw = buffers[bidx] if bidx < len(buffers) else None
        data = None
        if raw is not None and np_dtype is not None:
            data = np.frombuffer(raw.tobytes(), dtype=np.dtype(np_dtype).newbyteorder("<")).astype(np_dtype)
            data = data.reshape(shape) if int(np.prod(shape)) == data.size else data
        quant = None
        qt = _sub_table(t, 4)
        if qt is not None:
            # QuantizationParameters: min 0, max 1, scale 2, zero_point 3, ..., quantized_dimension 6.
            scale = _numeric_vector(qt, 2, np.float32)
            if scale.size:
                zp = _numeric_vector(qt, 3, np.int64)
                if zp.size == 0:
                    zp = np.zeros_like(scale, dtype=np.int64)
                quant = Quantization(scale, zp, _scalar(qt, 6, N.Int32Flags, 0))
        tensors.append(Tensor(i, _string(t, 3), shape, ttype, bidx, data, quant))

    operators: list[Operator] = []
    for i, op in enumerate(_table_vector(sg, 3)):
        # Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4.
        name = opcodes[_scalar(op, 0, N.Uint32Flags, 0)]
        operators.append(Operator(
            index=i, opcode=name,
            inputs=_numeric_vector(op, 1, np.int32).tolist(),
            outputs=_numeric_vector(op, 2, np.int32).tolist(),
            options=_decode_options(name, _sub_table(op, 4)),
        ))
    return TFLiteModel(
        version=version,
        description=_string(root, 3),
        tensors=tensors,
        operators=operators,
        inputs=_numeric_vector(sg, 1, np.int32).tolist(),
        outputs=_numeric_vector(sg, 2, np.int32).tolist(),
    )


# --- Reference execution -----------------------------------------------------------------------
# A slow float interpreter for checking ports op by op: every constant is dequantized to float32
# and activations stay float (TFLite's hybrid int8 kernels also quantize activations at run time,
# so the real runtime differs slightly). NHWC layout, as TFLite.

def _same_pads(size: int, k: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def _activate(x: np.ndarray, act: str) -> np.ndarray:
    if act == "NONE":
        return x
    if act == "RELU":
        return np.maximum(x, 0)
    if act == "RELU6":
        return np.clip(x, 0, 6)
    if act == "RELU_N1_TO_1":
        return np.clip(x, -1, 1)
    if act == "TANH":
        return np.tanh(x)
    raise NotImplementedError(f"fused activation {act}")


def _conv_nhwc(x: np.ndarray, w: np.ndarray, o: dict, depthwise: bool) -> np.ndarray:
    """x [N,H,W,C]; w [O,kh,kw,I] (conv) or [1,kh,kw,C*m] (depthwise)."""
    _, kh, kw, _ = w.shape
    sh, sw, dh, dw = o["stride_h"], o["stride_w"], o.get("dilation_h", 1), o.get("dilation_w", 1)
    n, h, wd, c = x.shape
    if o["padding"] == "SAME":
        (pt, pb), (pl, pr) = _same_pads(h, kh, sh, dh), _same_pads(wd, kw, sw, dw)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    # patches [N, oh, ow, kh, kw, C]
    patches = np.stack([np.stack([xp[:, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw, :]
                                  for j in range(kw)], axis=3) for i in range(kh)], axis=3)
    if depthwise:
        mult = w.shape[3] // c
        p = np.repeat(patches, mult, axis=-1) if mult > 1 else patches
        return np.einsum("nhwijc,ijc->nhwc", p, w[0])
    return np.einsum("nhwijc,oijc->nhwo", patches, w)


def _fake_quantize_rows(x: np.ndarray) -> np.ndarray:
    """Symmetric int8 quantization per row (per batch item), as TFLite's hybrid kernels do to
    their float input before an int8-weight matmul; returns the dequantized values."""
    flat = x.reshape(x.shape[0], -1).astype(np.float64)
    scale = np.abs(flat).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.sign(flat) * np.floor(np.abs(flat) / scale + 0.5), -127, 127)  # round half away
    return (q * scale).reshape(x.shape).astype(np.float32)


def evaluate(model: TFLiteModel, inputs: list[np.ndarray], hybrid: bool = False) -> dict[int, np.ndarray]:
    """Run the graph in float numpy; returns every tensor's value by index. Supports the ops
    of YAMNet and BlazeFace (add others as needed). ``hybrid=True`` also emulates TFLite's
    dynamic-range ("hybrid") kernels: the float input of a CONV_2D / FULLY_CONNECTED whose
    weights are stored as int8 is quantized to int8 per batch row first."""
    vals: dict[int, np.ndarray] = {}
    for i, x in zip(model.inputs, inputs):
        vals[i] = np.asarray(x, np.float32).reshape(model.tensors[i].shape)

    def get(i: int) -> np.ndarray:
        if i not in vals:
            vals[i] = model.tensors[i].dequantized() if model.tensors[i].type not in ("INT32", "INT64") \
                else model.tensors[i].data
        return vals[i]

    for op in model.operators:
        ins = [get(i) if i >= 0 else None for i in op.inputs]
        o, name = op.options, op.opcode
        if hybrid and name in ("CONV_2D", "FULLY_CONNECTED") and model.tensors[op.inputs[1]].type == "INT8":
            x = ins[0] if name == "CONV_2D" else ins[0].reshape(-1, ins[1].shape[1])
            ins[0] = _fake_quantize_rows(x)
        if name == "DEQUANTIZE":
            y = ins[0].astype(np.float32)
        elif name == "RESHAPE":
            y = ins[0].reshape(model.tensors[op.outputs[0]].shape)
        elif name == "SLICE":
            begin, size = ins[1], ins[2]
            y = ins[0][tuple(slice(b, None if s < 0 else b + s) for b, s in zip(begin, size))]
        elif name == "STRIDED_SLICE":
            if any(o[k] for k in ("ellipsis_mask", "new_axis_mask", "shrink_axis_mask")):
                raise NotImplementedError("STRIDED_SLICE masks")
            b, e, s = ins[1], ins[2], ins[3]
            y = ins[0][tuple(slice(None if o["begin_mask"] >> d & 1 else b[d],
                                   None if o["end_mask"] >> d & 1 else e[d], s[d]) for d in range(len(b)))]
        elif name == "GATHER":
            y = np.take(ins[0], ins[1], axis=o["axis"])
        elif name in ("ADD", "MUL", "SUB", "DIV"):
            f = {"ADD": np.add, "MUL": np.multiply, "SUB": np.subtract, "DIV": np.divide}[name]
            y = _activate(f(ins[0], ins[1]), o.get("activation", "NONE"))
        elif name == "PAD":
            y = np.pad(ins[0], [tuple(p) for p in ins[1]])
        elif name == "FULLY_CONNECTED":
            x = ins[0].reshape(-1, ins[1].shape[1])
            y = x @ ins[1].T + (ins[2] if ins[2] is not None else 0)
            y = _activate(y, o["activation"]).reshape(model.tensors[op.outputs[0]].shape)
        elif name == "SQRT":
            y = np.sqrt(ins[0])
        elif name == "LOG":
            y = np.log(ins[0])
        elif name == "LOGISTIC":
            y = 0.5 * (1 + np.tanh(0.5 * ins[0]))
        elif name == "RELU":
            y = np.maximum(ins[0], 0)
        elif name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            y = _conv_nhwc(ins[0], ins[1], o, name == "DEPTHWISE_CONV_2D")
            y = _activate(y + (ins[2] if len(ins) > 2 and ins[2] is not None else 0), o["activation"])
        elif name == "MEAN":
            y = ins[0].mean(axis=tuple(int(a) for a in np.atleast_1d(ins[1])), keepdims=o["keep_dims"])
        elif name == "MAX_POOL_2D":
            x = ins[0]
            (pt, pb), (pl, pr) = ((_same_pads(x.shape[1], o["filter_h"], o["stride_h"]),
                                   _same_pads(x.shape[2], o["filter_w"], o["stride_w"]))
                                  if o["padding"] == "SAME" else ((0, 0), (0, 0)))
            xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
            oh = (xp.shape[1] - o["filter_h"]) // o["stride_h"] + 1
            ow = (xp.shape[2] - o["filter_w"]) // o["stride_w"] + 1
            y = np.max([[xp[:, i:i + o["stride_h"] * (oh - 1) + 1:o["stride_h"],
                            j:j + o["stride_w"] * (ow - 1) + 1:o["stride_w"]]
                         for j in range(o["filter_w"])] for i in range(o["filter_h"])], axis=(0, 1))
        elif name == "CONCATENATION":
            y = _activate(np.concatenate(ins, axis=o["axis"]), o["activation"])
        elif name == "RESIZE_BILINEAR":
            x = ins[0]
            oh, ow = (int(v) for v in ins[1])
            def coords(out_n: int, in_n: int) -> np.ndarray:
                if o["align_corners"] and out_n > 1:
                    return np.arange(out_n) * (in_n - 1) / (out_n - 1)
                scale = in_n / out_n
                if o["half_pixel_centers"]:
                    return np.maximum((np.arange(out_n) + 0.5) * scale - 0.5, 0)
                return np.arange(out_n) * scale
            def interp(a: np.ndarray, axis: int, c: np.ndarray) -> np.ndarray:
                lo = np.floor(c).astype(int)
                hi = np.minimum(lo + 1, a.shape[axis] - 1)
                f = (c - lo).reshape([-1 if d == axis else 1 for d in range(a.ndim)])
                return np.take(a, lo, axis) * (1 - f) + np.take(a, hi, axis) * f
            y = interp(interp(x, 1, coords(oh, x.shape[1])), 2, coords(ow, x.shape[2]))
        else:
            raise NotImplementedError(f"op {name} in the reference interpreter")
        vals[op.outputs[0]] = np.asarray(y, np.float32)
    return vals


if __name__ == "__main__":  # pragma: no cover - a quick inspector: python -m mer.tflite model.tflite
    import sys

    m = read_tflite(sys.argv[1])
    print(f"version {m.version}, {len(m.tensors)} tensors, {len(m.operators)} ops: {m.op_counts()}")
    print("inputs", [(m.tensors[i].name, m.tensors[i].shape) for i in m.inputs])
    print("outputs", [(m.tensors[i].name, m.tensors[i].shape) for i in m.outputs])
    for op in m.operators:
        ins = [f"{m.tensors[j].name}{list(m.tensors[j].shape)}:{m.tensors[j].type}" if j >= 0 else "-" for j in op.inputs]
        print(op.index, op.opcode, ins, "->", [m.tensors[j].name for j in op.outputs], op.options)
