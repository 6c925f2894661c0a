// Test helpers shared by the face tests: the golden files and the synthetic test pattern.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbaImage } from './image';

const here = dirname(fileURLToPath(import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const loadGolden = (name: string): any => JSON.parse(readFileSync(join(here, '__golden__', name), 'utf8'));

/** synthetic_image of training/mer/features/face_golden.py, as RGBA. */
export function syntheticImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 4 * (y * width + x);
      data[p] = (7 * x + 13 * y) % 256;
      data[p + 1] = (x * x + 3 * y) % 256;
      data[p + 2] = (x * y + 50) % 256;
      data[p + 3] = 255;
    }
  }
  return { data, width, height };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
