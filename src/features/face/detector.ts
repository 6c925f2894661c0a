// Runs the ported BlazeFace full-range detector (public/models/face_detector.onnx) on a frame:
// plans the views (letterboxed frame + tiles), resamples them into one batch, runs the
// session once, decodes and merges the detections into source pixels.
// The only module of src/features/face that touches onnxruntime.

import { Tensor, type InferenceSession } from 'onnxruntime-web';
import { FULL_RANGE, ssdAnchors, type AnchorSpec } from './anchors';
import { DECODE_MIN_SCORE, REGRESSOR_SIZE, type FaceDetection } from './decode';
import { assertRgba, type RgbaImage } from './image';
import { detectionsFromViews, planViews, viewTensor, type View } from './views';

export type { FaceDetection } from './decode';
export { pickProminentFace } from './decode';
export { alignFaceCrop } from './align';

/** ONNX I/O names (scripts/port_face_detector.py). Input: [B, S, S, 3] RGB 0..255 float32. */
export const DETECTOR_IO = Object.freeze({ input: 'image', regressors: 'regressors', logits: 'classificators' });

export interface DetectOptions {
  /** Decode threshold before NMS. Keep the default (0.5, as the training pipeline) so boxes match
   *  training; the manifest's face.min_score is applied afterwards by pickProminentFace. */
  decodeMinScore?: number;
  /** Also look at overlapping tiles (default true): finds faces small in a wide shot. */
  tiles?: boolean;
  /** Look only at these views (the tracking view, track.ts) instead of planning the whole frame's. */
  views?: View[];
  /** Detector geometry (default full range). */
  spec?: AnchorSpec;
  /** Tensor constructor of the runtime that made `session` (default onnxruntime-web's). */
  tensor?: typeof Tensor;
}

const anchorCache = new Map<AnchorSpec, Float64Array>();

/** Faces in an RGBA frame, in source pixels, best score first. */
export async function detectFaces(
  session: InferenceSession,
  image: RgbaImage,
  options: DetectOptions = {},
): Promise<FaceDetection[]> {
  assertRgba(image);
  const spec = options.spec ?? FULL_RANGE;
  const s = spec.inputSize;
  const views = options.views ?? planViews(image.width, image.height, s, options.tiles ?? true);
  const batch = new Float32Array(views.length * s * s * 3);
  views.forEach((v, i) => viewTensor(image, v, s, batch, i * s * s * 3));
  const TensorCtor = options.tensor ?? Tensor;
  const feeds = { [DETECTOR_IO.input]: new TensorCtor('float32', batch, [views.length, s, s, 3]) };
  const result = await session.run(feeds);
  const reg = result[DETECTOR_IO.regressors]?.data as Float32Array | undefined;
  const logit = result[DETECTOR_IO.logits]?.data as Float32Array | undefined;
  if (!reg || !logit) {
    throw new Error(
      `face detector: outputs ${DETECTOR_IO.regressors} and ${DETECTOR_IO.logits} expected, got ${Object.keys(result).join(', ')}`,
    );
  }
  let anchors = anchorCache.get(spec);
  if (!anchors) {
    anchors = ssdAnchors(spec);
    anchorCache.set(spec, anchors);
  }
  const n = anchors.length / 2;
  const outputs = views.map((_, i) => ({
    regressors: reg.subarray(i * n * REGRESSOR_SIZE, (i + 1) * n * REGRESSOR_SIZE),
    logits: logit.subarray(i * n, (i + 1) * n),
  }));
  return detectionsFromViews(outputs, views, image.width, image.height, spec, options.decodeMinScore ?? DECODE_MIN_SCORE, anchors);
}
