// A small hand-made result for the export and timeline tests: 3 segments, one silent, one without a face.
import type { AnalysisResult } from '../pipeline/result';

export function sampleResult(overrides: Partial<AnalysisResult> = {}): AnalysisResult {
  return {
    file: 'talk, final.mp4',
    labels: ['anger', 'happiness', 'neutral'],
    fused: [0.7, 0.2, 0.4],
    modalities: { audio: [0.6, 0.1, 0.5], visual: [0.8, 0.3, 0.2], text: null },
    attention: { audio: 0.25, visual: 0.75, text: 0 },
    segments: [
      { start: 0, end: 0.96, audio: [0.6, 0.1, 0.5], visual: [0.2, 0.9, 0.1], face: true, face_box: [10, 20, 48, 48] },
      { start: 0.96, end: 1.92, audio: null, visual: [0.7, 0.1, 0.2], face: true, face_box: [11, 20, 48, 48] },
      { start: 1.92, end: 2.88, audio: [0.1, 0.2, 0.9], visual: null, face: false, face_box: null },
    ],
    backend: 'wasm',
    timings_ms: { decode: 12, fusion: 300, total: 900 },
    ...overrides,
  };
}
