// The face crops the model saw (grey, [0, 1], channels x size x size per segment; docs/CONTRACTS.md
// "Face crops") turned into small PNG data URLs the page can show and the PNG export can draw.
// They stay beside the result in the store: media never goes into the result, its exports or links.
import type { FaceCrops } from '../pipeline/engine';

/** Segment `index`'s crop as RGBA bytes (grey bytes as they are; floats in [0, 1] scaled, clamped to 0-255). */
export function cropRgba(crops: FaceCrops | { pixels: Float32Array; size: number; channels: number }, index: number): Uint8ClampedArray<ArrayBuffer> {
  const { size, channels, pixels } = crops;
  const area = size * size;
  const offset = index * channels * area;
  const scale = pixels instanceof Uint8Array ? 1 : 255;
  const rgba = new Uint8ClampedArray(area * 4);
  for (let p = 0; p < area; p++) {
    const grey = Math.round((pixels[offset + p] ?? 0) * scale);
    rgba[4 * p] = grey;
    rgba[4 * p + 1] = grey;
    rgba[4 * p + 2] = grey;
    rgba[4 * p + 3] = 255;
  }
  return rgba;
}

/** One data URL per segment, null where no face was found (its crop is zeros, never shown as a face). */
export function cropDataUrls(crops: FaceCrops): (string | null)[] {
  const count = crops.present.length;
  const canvas = document.createElement('canvas');
  canvas.width = crops.size;
  canvas.height = crops.size;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Array.from({ length: count }, () => null);
  return Array.from({ length: count }, (_, i) => {
    if (!((crops.present[i] ?? 0) > 0)) return null;
    ctx.putImageData(new ImageData(cropRgba(crops, i), crops.size, crops.size), 0, 0);
    return canvas.toDataURL('image/png');
  });
}
