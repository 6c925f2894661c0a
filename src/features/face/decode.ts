// Decoding BlazeFace's raw outputs into face detections, and MediaPipe's weighted
// non-maximum suppression. Pure functions (no runtime): unit-tested in Node and mirrored by
// training/mer/features/face_align.py (golden cases in __golden__/).
//
// Coordinates: continuous pixels (pixel (i, j) covers [j, j+1) x [i, i+1)); boxes [x, y, w, h].

/** Keypoint order of BlazeFace (the subject's sides: the right eye is on the image's left
 *  in an unmirrored frontal view). */
export const KEYPOINT_NAMES = Object.freeze([
  'rightEye',
  'leftEye',
  'noseTip',
  'mouthCenter',
  'rightEarTragion',
  'leftEarTragion',
] as const);
export const NUM_KEYPOINTS = KEYPOINT_NAMES.length;
export const REGRESSOR_SIZE = 4 + 2 * NUM_KEYPOINTS;

export interface FaceDetection {
  /** Sigmoid of the detector's logit, 0..1. */
  score: number;
  /** [x, y, w, h] in source pixels (or view-normalised units before projection). */
  box: [number, number, number, number];
  /** 6 points [x, y] in KEYPOINT_NAMES order: right eye, left eye, nose tip, mouth centre,
   *  right ear tragion, left ear tragion. */
  keypoints: [number, number][];
}

/** MediaPipe clips raw logits to +-100 before the sigmoid. */
export const SCORE_CLIP = 100;
/** Overlap above which detections are merged (MediaPipe's min_suppression_threshold). */
export const NMS_IOU = 0.3;
/** Decode threshold (MediaPipe's solution default min_detection_confidence). */
export const DECODE_MIN_SCORE = 0.5;

/**
 * Detections of one view from raw outputs: `regressors` [N * 16] and `logits` [N], anchors
 * from `ssdAnchors`. Output boxes and keypoints are normalised to the view ([0, 1]); only
 * scores >= minScore are kept, in anchor order.
 */
export function decodeDetections(
  regressors: ArrayLike<number>,
  logits: ArrayLike<number>,
  anchors: ArrayLike<number>,
  inputSize: number,
  minScore = DECODE_MIN_SCORE,
): FaceDetection[] {
  const n = logits.length;
  if (regressors.length !== n * REGRESSOR_SIZE || anchors.length !== n * 2) {
    throw new Error(
      `decodeDetections: expected ${n} x ${REGRESSOR_SIZE} regressors and ${n} anchors, got ${regressors.length} values and ${anchors.length / 2} anchors`,
    );
  }
  const dets: FaceDetection[] = [];
  for (let i = 0; i < n; i++) {
    const raw = Math.min(SCORE_CLIP, Math.max(-SCORE_CLIP, logits[i]!));
    const score = 1 / (1 + Math.exp(-raw));
    if (!(score >= minScore)) continue;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const r = i * REGRESSOR_SIZE;
    const cx = regressors[r]! / inputSize + ax;
    const cy = regressors[r + 1]! / inputSize + ay;
    const w = regressors[r + 2]! / inputSize;
    const h = regressors[r + 3]! / inputSize;
    const keypoints: [number, number][] = [];
    for (let k = 0; k < NUM_KEYPOINTS; k++) {
      keypoints.push([
        regressors[r + 4 + 2 * k]! / inputSize + ax,
        regressors[r + 5 + 2 * k]! / inputSize + ay,
      ]);
    }
    dets.push({ score, box: [cx - w / 2, cy - h / 2, w, h], keypoints });
  }
  return dets;
}

/** Intersection over union of two [x, y, w, h] boxes (0 when disjoint). */
export function iou(a: readonly number[], b: readonly number[]): number {
  const ix = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  const iy = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * MediaPipe's WEIGHTED non-maximum suppression: take the best remaining detection, replace it
 * by the score-weighted mean (box corners, keypoints) of all remaining detections overlapping
 * it by IoU > threshold (itself included), keep its score; repeat with the rest.
 */
export function weightedNms(dets: readonly FaceDetection[], iouThreshold = NMS_IOU): FaceDetection[] {
  // Array.prototype.sort is stable: equal scores keep their input order (as the Python twin).
  let remaining = [...dets].sort((a, b) => b.score - a.score);
  const out: FaceDetection[] = [];
  while (remaining.length > 0) {
    const top = remaining[0]!;
    const cand: FaceDetection[] = [];
    const rest: FaceDetection[] = [];
    for (const d of remaining) (iou(d.box, top.box) > iouThreshold ? cand : rest).push(d);
    let total = 0;
    let x0 = 0;
    let y0 = 0;
    let x1 = 0;
    let y1 = 0;
    const kps = top.keypoints.map(() => [0, 0] as [number, number]);
    for (const d of cand) {
      total += d.score;
      x0 += d.box[0] * d.score;
      y0 += d.box[1] * d.score;
      x1 += (d.box[0] + d.box[2]) * d.score;
      y1 += (d.box[1] + d.box[3]) * d.score;
      d.keypoints.forEach(([kx, ky], k) => {
        kps[k]![0] += kx * d.score;
        kps[k]![1] += ky * d.score;
      });
    }
    if (cand.length === 0) break; // NaN box: cannot overlap itself
    x0 /= total;
    y0 /= total;
    x1 /= total;
    y1 /= total;
    out.push({
      score: top.score,
      box: [x0, y0, x1 - x0, y1 - y0],
      keypoints: kps.map(([kx, ky]) => [kx / total, ky / total] as [number, number]),
    });
    remaining = rest;
  }
  return out;
}

/** The most prominent face (docs/CONTRACTS.md): the largest box among detections with
 *  score >= minScore; equal areas go to the higher score. Null when none qualifies. */
export function pickProminentFace(dets: readonly FaceDetection[], minScore: number): FaceDetection | null {
  let best: FaceDetection | null = null;
  for (const d of dets) {
    if (!(d.score >= minScore)) continue;
    if (best === null) {
      best = d;
      continue;
    }
    const area = d.box[2] * d.box[3];
    const bestArea = best.box[2] * best.box[3];
    if (area > bestArea || (area === bestArea && d.score > best.score)) best = d;
  }
  return best;
}
