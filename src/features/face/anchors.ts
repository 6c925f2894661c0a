// SSD anchor centres for MediaPipe's BlazeFace detectors (SsdAnchorsCalculator with
// fixed_anchor_size: every anchor is 1 x 1, so only its centre matters).
// Python twin: training/mer/features/face_align.py `ssd_anchors`.

export interface AnchorSpec {
  /** Square input side of the network, pixels. */
  readonly inputSize: number;
  /** One stride per SSD layer; consecutive layers with equal strides share one grid. */
  readonly strides: readonly number[];
  /** > 0 adds a second anchor per layer and cell (MediaPipe's interpolated scale). */
  readonly interpolatedScaleAspectRatio: number;
}

/** face_detection_full_range.tflite: 192 px input, one 48 x 48 grid, 2304 anchors. */
export const FULL_RANGE: AnchorSpec = Object.freeze({
  inputSize: 192,
  strides: Object.freeze([4]),
  interpolatedScaleAspectRatio: 0,
});

/** face_detection_short_range.tflite: 128 px input, 16 x 16 x 2 + 8 x 8 x 6 = 896 anchors. */
export const SHORT_RANGE: AnchorSpec = Object.freeze({
  inputSize: 128,
  strides: Object.freeze([8, 16, 16, 16]),
  interpolatedScaleAspectRatio: 1,
});

const ANCHOR_OFFSET = 0.5;

/** Anchor centres as a flat `[x0, y0, x1, y1, ...]` array in [0, 1], in the network's output order. */
export function ssdAnchors(spec: AnchorSpec = FULL_RANGE): Float64Array {
  const perLayer = 1 + (spec.interpolatedScaleAspectRatio > 0 ? 1 : 0);
  const out: number[] = [];
  let i = 0;
  while (i < spec.strides.length) {
    let j = i;
    let n = 0;
    while (j < spec.strides.length && spec.strides[j] === spec.strides[i]) {
      n += perLayer;
      j++;
    }
    const grid = Math.ceil(spec.inputSize / spec.strides[i]!);
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let a = 0; a < n; a++) out.push((x + ANCHOR_OFFSET) / grid, (y + ANCHOR_OFFSET) / grid);
      }
    }
    i = j;
  }
  return Float64Array.from(out);
}
