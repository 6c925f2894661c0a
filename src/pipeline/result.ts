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

export interface AnalysisResult {
  file: string;
  labels: string[];
  fused: number[];
  modalities: Record<Modality, number[] | null>;
  attention: Record<Modality, number>;
  segments: SegmentResult[];
  backend: Backend;
  timings_ms: Record<string, number>;
}

/** T = max(1, ceil(N / samples per segment)), or from the duration when there is no audio. */
export function segmentCount(samples: number | null, seconds: number, segmentSeconds: number, sampleRate: number): number {
  if (samples !== null) return Math.max(1, Math.ceil(samples / Math.round(segmentSeconds * sampleRate)));
  return Math.max(1, Math.ceil(seconds / segmentSeconds - 1e-9));
}

const round = (x: number, digits = 6) => Math.round(x * 10 ** digits) / 10 ** digits;
const row = (data: Float32Array, index: number, width: number) => Array.from(data.subarray(index * width, (index + 1) * width));

export interface BuildResultInput {
  file: string;
  labels: string[];
  segmentSeconds: number;
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
    fused: Array.from(outputs.fused.data),
    modalities: {
      audio: audioPresent ? Array.from(outputs.audio.data) : null,
      visual: visualPresent ? Array.from(outputs.visual.data) : null,
      text: x.textPresent ? Array.from(outputs.text.data) : null,
    },
    attention: { audio: alpha[0] ?? 0, visual: alpha[1] ?? 0, text: alpha[2] ?? 0 },
    segments,
    backend: x.backend,
    timings_ms: Object.fromEntries(Object.entries(x.timings).map(([k, v]) => [k, Math.round(v)])),
  };
}
