// The result as a JSON file: the AnalysisResult of docs/CONTRACTS.md in the same shape and key
// order as `npm run analyze -- --json` (scripts/analyze.mjs `jsonLine`), so files from the page and
// from the command line compare line for line. Media (video, face crops) and a shared link's
// transcript are never part of it.
import type { AnalysisResult } from '../pipeline/result';
import { readingOf, type TranscriptKind } from './reading';
import type { TextWindow } from '../pipeline/windowTexts';

/** A plain copy of `result` with exactly the contract's keys, in the contract's order. */
export function resultForExport(result: AnalysisResult): AnalysisResult {
  return {
    file: result.file,
    labels: [...result.labels],
    segment_seconds: result.segment_seconds,
    fused: [...result.fused],
    modalities: {
      audio: result.modalities.audio && [...result.modalities.audio],
      visual: result.modalities.visual && [...result.modalities.visual],
      text: result.modalities.text && [...result.modalities.text],
    },
    modality_basis: result.modality_basis,
    attention: { audio: result.attention.audio, visual: result.attention.visual, text: result.attention.text },
    segments: result.segments.map((s) => ({
      start: s.start, end: s.end, audio: s.audio && [...s.audio], visual: s.visual && [...s.visual], face: s.face,
      face_box: s.face_box ? [...s.face_box] : null,
    })),
    backend: result.backend,
    timings_ms: { ...result.timings_ms },
  };
}

/**
 * Pretty-printed (two spaces) with a final newline: readable, and diffable with the CLI's output.
 * After the result's keys, `reading`: the headline in words (uncertain when it is), that each
 * emotion is scored on its own, the transcript the run used when known, and with timed captions the
 * words each window was given (src/export/reading.ts).
 */
export function resultJson(result: AnalysisResult, transcript?: TranscriptKind | null, windows?: readonly TextWindow[] | null,
  trust?: string | null): string {
  return `${JSON.stringify({ ...resultForExport(result), reading: readingOf(result, transcript, windows, trust) }, null, 2)}\n`;
}
