// NumPy's .npy (format 1.0) and .npz files from Node, for the feature files training reads
// (`np.load`). The .npy header is a few bytes (magic, version, a padded Python dict literal);
// .npz is a zip of .npy members, stored uncompressed like `np.savez`, zipped with fflate (already
// the app's zip library). Spec: numpy.lib.format.
import { zipSync } from 'fflate';

/** Typed array class -> NumPy dtype descriptor (little-endian, as every machine we run on). */
const DTYPES = Object.freeze(new Map([
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [Int32Array, '<i4'],
  [BigInt64Array, '<i8'],
  [Uint8Array, '|u1'],
  [Int8Array, '|i1'],
]));

const MAGIC = [0x93, ...new TextEncoder().encode('NUMPY')];
/** Magic (6) + version (2) + header length (2) + header: padded so the data starts 64-byte aligned. */
const ALIGN = 64;

function dtypeOf(data) {
  const descr = DTYPES.get(data.constructor);
  if (!descr) {
    const valid = [...DTYPES.keys()].map((c) => c.name).join(', ');
    throw new TypeError(`npy: cannot write ${data?.constructor?.name ?? typeof data}; valid are ${valid}`);
  }
  return descr;
}

/** `(2, 3)`, `(5,)`, `()`: Python's tuple syntax, as NumPy writes it. */
const pythonTuple = (shape) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** One .npy file: `data` (C order) with `shape`; the element count must match. */
export function npyBytes(data, shape) {
  const descr = dtypeOf(data);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`npy: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape ${pythonTuple(shape)} holds ${count} values, data has ${data.length}`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1; // + the final newline
  header += ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n';
  if (header.length > 0xffff) throw new RangeError('npy: header too long for format 1.0');
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** One .npz file: `{name: {data, shape}}` -> zip of `name.npy` members, uncompressed (as `np.savez`). */
export function npzBytes(arrays) {
  const members = {};
  for (const [name, { data, shape }] of Object.entries(arrays)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`npz: array name ${JSON.stringify(name)} is not a Python identifier`);
    members[`${name}.npy`] = [npyBytes(data, shape), { level: 0 }];
  }
  return zipSync(members);
}
