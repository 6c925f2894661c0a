// The result object (docs/CONTRACTS.md "Result object"), shared by the UI, share links and
// `npm run analyze --json`. Built by a pure function from the fused graph's outputs and masks.
import type { Backend, FaceBox, FusionOutputs } from '../protocol';

export type Modality = 'audio' | 'visual' | 'text';
export const MODALITIES = Object.freeze(['audio', 'visual', 'text'] as const);

export interface SegmentResult {
  start: number;
  end: number;
  audio: number[] | null;
  visual: number[] | null;
  face: boolean;
  face_box: FaceBox | null;
}

/**
 * How the voice and face decisions (`modalities.audio` / `.visual`, `segments[].audio` / `.visual`)
 * were made. `text_masked`: by the fused graph run with the transcript masked (text_mask = 0), so
 * the words cannot decide them; `fused`, `attention` and `modalities.text` come from the run with
 * every modality. `unknown`: a shared link from before this was recorded (its voice and face
 * decisions may have seen the transcript).
 */
export type ModalityBasis = 'text_masked' | 'unknown';

export interface AnalysisResult {
  file: string;
  labels: string[];
  /** Seconds per segment: the model's time base (src/timebase.ts); every timeline is drawn from it. */
  segment_seconds: number;
  fused: number[];
  modalities: Record<Modality, number[] | null>;
  modality_basis: ModalityBasis;
  attention: Record<Modality, number>;
  segments: SegmentResult[];
  backend: Backend;
  timings_ms: Record<string, number>;
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;
const row = (data: Float32Array, index: number, width: number) => Array.from(data.subarray(index * width, (index + 1) * width));

export interface BuildResultInput {
  file: string;
  labels: string[];
  segmentSeconds: number;
  /** The graph's outputs; `audio`, `visual` and their `_segments` from the text-masked run (ModalityBasis). */
  outputs: FusionOutputs;
  audioMask: Float32Array;
  visualMask: Float32Array;
  textPresent: boolean;
  faceBoxes: (FaceBox | null)[];
  backend: Backend;
  timings: Record<string, number>;
}

export function buildResult(x: BuildResultInput): AnalysisResult {
  const m = x.labels.length;
  const t = x.audioMask.length;
  const { outputs } = x;
  if (outputs.fused.data.length !== m) {
    throw new Error(`The model predicts ${outputs.fused.data.length} emotions but the manifest lists ${m} labels.`);
  }
  const audioPresent = x.audioMask.some((v) => v > 0);
  const visualPresent = x.visualMask.some((v) => v > 0);
  const alpha = outputs.alpha.data;
  const segments: SegmentResult[] = Array.from({ length: t }, (_, i) => ({
    start: round(i * x.segmentSeconds),
    end: round((i + 1) * x.segmentSeconds),
    audio: (x.audioMask[i] ?? 0) > 0 ? row(outputs.audio_segments.data, i, m) : null,
    visual: (x.visualMask[i] ?? 0) > 0 ? row(outputs.visual_segments.data, i, m) : null,
    face: (x.visualMask[i] ?? 0) > 0,
    face_box: x.faceBoxes[i] ?? null,
  }));
  return {
    file: x.file,
    labels: [...x.labels],
    segment_seconds: x.segmentSeconds,
    fused: Array.from(outputs.fused.data),
    modalities: {
      audio: audioPresent ? Array.from(outputs.audio.data) : null,
      visual: visualPresent ? Array.from(outputs.visual.data) : null,
      text: x.textPresent ? Array.from(outputs.text.data) : null,
    },
    modality_basis: 'text_masked',
    attention: { audio: alpha[0] ?? 0, visual: alpha[1] ?? 0, text: alpha[2] ?? 0 },
    segments,
    backend: x.backend,
    timings_ms: Object.fromEntries(Object.entries(x.timings).map(([k, v]) => [k, Math.round(v)])),
  };
}
