// What an ONNX file says about itself, read from its bytes before any session exists: the model's
// `metadata_props` (mer.export writes the labels and time base there) and the shapes its graph
// declares for its outputs. onnxruntime-web exposes no model metadata, so the few protobuf fields
// needed are read here (onnx.proto: ModelProto, GraphProto, ValueInfoProto, TypeProto); everything
// else, initializers included, is skipped by its length without being copied.

export interface OnnxInfo {
  /** `metadata_props` as key -> value. */
  metadata: Record<string, string>;
  /** Each graph output's declared dims: a number, a symbolic name, or null when unknown. */
  outputs: Record<string, (number | string | null)[]>;
}

// Field numbers of onnx.proto.
const MODEL = Object.freeze({ graph: 7, metadataProps: 14 });
const GRAPH_OUTPUT = 12;
const ENTRY = Object.freeze({ key: 1, value: 2 });
const VALUE_INFO = Object.freeze({ name: 1, type: 2 });
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM = Object.freeze({ value: 1, param: 2 });

const WIRE = Object.freeze({ varint: 0, fixed64: 1, bytes: 2, fixed32: 5 });

/** A field of a protobuf message: its number and, by wire type, a value or a sub-range of the buffer. */
interface Field { number: number; varint?: number; bytes?: Uint8Array }

class BadOnnx extends Error {
  override name = 'BadOnnx';
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new BadOnnx('truncated varint');
      const b = buf[pos++] ?? 0;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new BadOnnx('varint too long');
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === WIRE.varint) yield { number, varint: varint() };
    else if (wire === WIRE.bytes) {
      const length = varint();
      if (pos + length > buf.length) throw new BadOnnx('field runs past the end');
      yield { number, bytes: buf.subarray(pos, pos + length) };
      pos += length;
    } else if (wire === WIRE.fixed64) pos += 8;
    else if (wire === WIRE.fixed32) pos += 4;
    else throw new BadOnnx(`unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder();

function outputDims(valueInfo: Uint8Array): [string, (number | string | null)[]] {
  let name = '';
  const dims: (number | string | null)[] = [];
  for (const f of fields(valueInfo)) {
    if (f.number === VALUE_INFO.name && f.bytes) name = utf8.decode(f.bytes);
    if (f.number !== VALUE_INFO.type || !f.bytes) continue;
    for (const t of fields(f.bytes)) {
      if (t.number !== TYPE_TENSOR || !t.bytes) continue;
      for (const s of fields(t.bytes)) {
        if (s.number !== TENSOR_SHAPE || !s.bytes) continue;
        for (const d of fields(s.bytes)) {
          if (d.number !== SHAPE_DIM || !d.bytes) continue;
          let dim: number | string | null = null;
          for (const x of fields(d.bytes)) {
            if (x.number === DIM.value && x.varint !== undefined) dim = x.varint;
            if (x.number === DIM.param && x.bytes) dim = utf8.decode(x.bytes);
          }
          dims.push(dim);
        }
      }
    }
  }
  return [name, dims];
}

/** The metadata and output shapes of the ONNX model in `bytes`; throws when they are not an ONNX model's. */
export function readOnnxInfo(bytes: Uint8Array): OnnxInfo {
  const metadata: Record<string, string> = {};
  const outputs: Record<string, (number | string | null)[]> = {};
  try {
    for (const f of fields(bytes)) {
      if (f.number === MODEL.metadataProps && f.bytes) {
        let key = '';
        let value = '';
        for (const e of fields(f.bytes)) {
          if (e.number === ENTRY.key && e.bytes) key = utf8.decode(e.bytes);
          if (e.number === ENTRY.value && e.bytes) value = utf8.decode(e.bytes);
        }
        if (key) Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
      } else if (f.number === MODEL.graph && f.bytes) {
        for (const g of fields(f.bytes)) {
          if (g.number !== GRAPH_OUTPUT || !g.bytes) continue;
          const [name, dims] = outputDims(g.bytes);
          if (name) Object.defineProperty(outputs, name, { value: dims, enumerable: true, writable: true, configurable: true });
        }
      }
    }
  } catch (e) {
    if (e instanceof BadOnnx) throw new Error(`not a readable ONNX model (${e.message})`);
    throw e;
  }
  return { metadata, outputs };
}
