// How the per-segment timeline is drawn and read: each cell's colour, a sentence per segment for
// screen readers and the text table, keyboard moves, pages of a long timeline and clock times.
// What a segment decides (segmentDecision, the overview, a cell's span) is domain logic and lives
// in src/pipeline/decisions.ts.
import { segmentDecision } from '../pipeline/decisions';
import type { AnalysisResult } from '../pipeline/result';
import { percent } from './format';

// Colours and clock times are shared with the PNG export (src/format.ts).
export { colourFor, EMOTION_COLOURS, formatClock } from '../format';

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
