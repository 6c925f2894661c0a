// The RGBA frame type the face stage works on (ImageData-compatible, so a canvas's
// getImageData(), a VideoFrame copied to RGBA, or a decoded raw frame all fit).

export interface RgbaImage {
  /** RGBA bytes, row-major, `width * height * 4`. */
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

export function assertRgba(image: RgbaImage): void {
  const { data, width, height } = image;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new Error(`face: image size must be positive integers, got ${width} x ${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new Error(`face: expected ${width * height * 4} RGBA bytes for ${width} x ${height}, got ${data.length}`);
  }
}

/**
 * Per-axis taps for supersampled bilinear sampling at `count` positions: indices of the two
 * neighbours (clamped to the edge), the weight of the second, and whether the position lies
 * inside [0, length). Pixel i's centre is at i + 0.5.
 */
export function bilinearTaps(positions: ArrayLike<number>, length: number) {
  const n = positions.length;
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float64Array(n);
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    inside[i] = p >= 0 && p < length ? 1 : 0;
    const f = p - 0.5;
    const fl = Math.floor(f);
    w[i] = f - fl;
    i0[i] = Math.min(length - 1, Math.max(0, fl));
    i1[i] = Math.min(length - 1, Math.max(0, fl + 1));
  }
  return { i0, i1, w, inside };
}
