// How the per-segment timeline is drawn and read: each cell's colour, a sentence per segment for
// screen readers and the text table, keyboard moves, pages of a long timeline and clock times.
// What a segment decides (segmentDecision, the overview, a cell's span) is domain logic and lives
// in src/pipeline/decisions.ts.
import { segmentDecision } from '../pipeline/decisions';
import type { AnalysisResult } from '../pipeline/result';
import { percent } from './format';

/** Ekman-7 colours, mid-tone so they read on light and dark panels alike (and in the PNG export). */
export const EMOTION_COLOURS: Readonly<Record<string, string>> = Object.freeze({
  anger: '#d03b2f',
  disgust: '#6f8f1d',
  fear: '#8a4fbf',
  happiness: '#e0a100',
  sadness: '#2f6fc0',
  surprise: '#d9488f',
  neutral: '#8b929c',
});
/** For label sets other than Ekman-7: a fixed cycle (Tableau 10). */
const FALLBACK_COLOURS = Object.freeze(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']);

export function colourFor(label: string, index: number): string {
  return EMOTION_COLOURS[label.toLowerCase()] ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length] ?? '#888888';
}

export const formatSeconds = (s: number): string => `${s.toFixed(2)} s`;

/** One sentence per segment: time, top emotion and what it rests on, and what was missing. */
export function describeSegment(result: Pick<AnalysisResult, 'attention' | 'labels' | 'segments'>, index: number): string {
  const segment = result.segments[index];
  if (!segment) return '';
  const d = segmentDecision(result, segment);
  const when = `Segment ${index + 1} of ${result.segments.length}, ${formatSeconds(segment.start)} to ${formatSeconds(segment.end)}`;
  const what = d.top < 0
    ? 'no decision (no voice and no face)'
    : `${result.labels[d.top] ?? '?'} ${percent(d.probs[d.top] ?? 0)} (from ${d.source})`;
  const missing = [segment.audio ? '' : 'no voice', segment.face ? '' : 'no face'].filter(Boolean).join(', ');
  return `${when}: ${what}${missing ? `; ${missing}` : ''}`;
}

/** The next cell for a key on the timeline (arrows, Home, End), or null for other keys. */
export function nextCell(key: string, index: number, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, index + 10);
    case 'PageUp':
      return Math.max(0, index - 10);
    default:
      return null;
  }
}

// ---------------------------------------------------------------- long results (thousands of segments)

/**
 * Cells drawn at once. An hour is 3,750 segments: as one strip of buttons it would be ~20,000 DOM
 * nodes in a strip 60,000 px wide, slow to render and useless to scan. So a long timeline shows
 * one page of cells (the one holding the current segment) under an overview of the whole clip.
 */
export const PAGE_CELLS = 120;
/** The page of cells holding segment `index`: `[first, first + count)`. */
export function pageOf(index: number, total: number, size = PAGE_CELLS): { page: number; first: number; count: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(pages - 1, Math.max(0, Math.floor(index / size)));
  const first = page * size;
  return { page, first, count: Math.max(0, Math.min(size, total - first)), pages };
}

/** A clock time for long clips: "0:07", "12:05", "1:02:03" (whole seconds, rounded down). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
