// A small hand-made result for the export and timeline tests: 3 segments, one silent, one without a face.
import type { AnalysisResult } from '../pipeline/result';

export function sampleResult(overrides: Partial<AnalysisResult> = {}): AnalysisResult {
  return {
    file: 'talk, final.mp4',
    labels: ['anger', 'happiness', 'neutral'],
    segment_seconds: 0.96,
    fused: [0.7, 0.2, 0.4],
    modalities: { audio: [0.6, 0.1, 0.5], visual: [0.8, 0.3, 0.2], text: null },
    modality_basis: 'text_masked',
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

/**
 * A long result with `n` segments (an hour is 3,750) of deterministic, varied numbers: every 7th
 * segment silent, every 5th without a face, Ekman-7 labels. For the tests that check the exports,
 * the timeline and share links at the size a long video gives.
 */
export function longResult(n: number): AnalysisResult {
  const labels = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.round((seed / 2 ** 31) * 1e6) / 1e6; };
  const probs = () => labels.map(() => rand());
  return {
    file: 'one-hour.mp4',
    labels,
    segment_seconds: 0.96,
    fused: probs(),
    modalities: { audio: probs(), visual: probs(), text: null },
    modality_basis: 'text_masked',
    attention: { audio: 0.4, visual: 0.6, text: 0 },
    segments: Array.from({ length: n }, (_, i) => {
      const face = i % 5 !== 0;
      return {
        start: Math.round(i * 0.96 * 1e6) / 1e6,
        end: Math.round((i + 1) * 0.96 * 1e6) / 1e6,
        audio: i % 7 === 0 ? null : probs(),
        visual: face ? probs() : null,
        face,
        face_box: face ? [100 + (i % 13), 80, 60, 64] : null,
      };
    }),
    backend: 'wasm',
    timings_ms: { decode: 41_000, audio: 60_000, frames: 300_000, face: 500_000, fusion: 120_000, total: 1_100_000 },
  };
}
