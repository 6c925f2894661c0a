// The .npy/.npz writer against NumPy itself (Debian's /usr/bin/python3): files NumPy reads back
// with the same values, shapes and dtypes, and .npy bytes identical to what `np.save` writes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npyBytes, npzBytes } from './npy.mjs';

const PYTHON = '/usr/bin/python3';
const hasNumpy = existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const python = (code: string, ...args: string[]) => execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });

describe('npyBytes', () => {
  it('pads the header so the data starts 64-byte aligned, with the magic and version 1.0', () => {
    for (const shape of [[], [5], [2, 3], [3, 96, 64], [2, 1, 48, 48]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = npyBytes(new Float32Array(n), shape);
      const headerLength = new DataView(bytes.buffer).getUint16(8, true);
      expect([...bytes.subarray(0, 8)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[10 + headerLength - 1]).toBe(0x0a);
      expect(bytes.length).toBe(10 + headerLength + 4 * n);
    }
  });

  it('refuses a shape that does not fit the data, and unknown array types', () => {
    expect(() => npyBytes(new Float32Array(5), [2, 3])).toThrow(/holds 6 values, data has 5/);
    expect(() => npyBytes(new Float32Array(2), [2.5])).toThrow(/non-negative integers/);
    expect(() => npyBytes([1, 2] as unknown as Float32Array, [2])).toThrow(/valid are Float32Array/);
  });

  it.skipIf(!hasNumpy)('writes the bytes np.save writes, for every dtype it supports', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const cases: [string, Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | BigInt64Array, number[]][] = [
      ['float32', Float32Array.from({ length: 24 }, (_, i) => Math.fround(i * 0.37 - 3)), [2, 3, 4]],
      ['float64', Float64Array.from([Math.PI, -0, 1e-300]), [3]],
      ['int32', Int32Array.from([-2147483648, 0, 2147483647, 7]), [2, 2]],
      ['uint8', Uint8Array.from([0, 255, 128]), [3]],
      ['int8', Int8Array.from([-128, 127]), [2]],
      ['int64', BigInt64Array.from([-(2n ** 62n), 5n]), [2]],
      ['float32', Float32Array.from([1.5]), []],
      ['float32', new Float32Array(0), [0, 96, 64]],
    ];
    // One Python process for all cases (importing NumPy is slow on a busy machine).
    const check = cases.map(([dtype, data, shape], i) => {
      writeFileSync(join(dir, `ours${i}.npy`), npyBytes(data, shape));
      return [join(dir, `ours${i}.npy`), join(dir, `theirs${i}.npy`), dtype];
    });
    python(
      'import sys, json, numpy as np\n'
      + 'for ours, theirs, dtype in json.loads(sys.argv[1]):\n'
      + '    a = np.load(ours)\n'
      + '    assert a.dtype == np.dtype(dtype), (ours, a.dtype)\n'
      + '    np.save(theirs, a)\n',
      JSON.stringify(check),
    );
    check.forEach(([ours, theirs], i) => {
      expect(Buffer.compare(readFileSync(ours!), readFileSync(theirs!)), `${cases[i]?.[0]} ${JSON.stringify(cases[i]?.[2])}`).toBe(0);
    });
  });
});

describe('npzBytes', () => {
  it.skipIf(!hasNumpy)('makes a file np.load reads: names, shapes and values', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'npz-'));
    const logMel = Float32Array.from({ length: 2 * 96 * 64 }, (_, i) => Math.fround(Math.sin(i) * 10));
    const faces = Float32Array.from({ length: 2 * 48 * 48 }, (_, i) => Math.fround((i % 256) / 255));
    const file = join(dir, 'clip.npz');
    writeFileSync(file, npzBytes({
      log_mel: { data: logMel, shape: [2, 96, 64] },
      faces: { data: faces, shape: [2, 1, 48, 48] },
      audio_mask: { data: Float32Array.from([1, 0]), shape: [2] },
    }));
    const out = JSON.parse(python(
      'import sys, json, numpy as np\n'
      + 'z = np.load(sys.argv[1])\n'
      + 'print(json.dumps({k: [list(z[k].shape), str(z[k].dtype), float(z[k].astype(np.float64).sum())] for k in sorted(z.files)}))\n',
      file,
    )) as Record<string, [number[], string, number]>;
    const sum = (a: Float32Array) => a.reduce((s, x) => s + x, 0);
    expect(Object.keys(out)).toEqual(['audio_mask', 'faces', 'log_mel']);
    expect(out.log_mel?.slice(0, 2)).toEqual([[2, 96, 64], 'float32']);
    expect(out.faces?.slice(0, 2)).toEqual([[2, 1, 48, 48], 'float32']);
    expect(out.audio_mask).toEqual([[2], 'float32', 1]);
    expect(out.log_mel?.[2]).toBeCloseTo(sum(logMel), 6);
    expect(out.faces?.[2]).toBeCloseTo(sum(faces), 6);
  });

  it('refuses names NumPy could not give back as keys', () => {
    expect(() => npzBytes({ 'log-mel': { data: new Float32Array(1), shape: [1] } })).toThrow(/not a Python identifier/);
  });
});
