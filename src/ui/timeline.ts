// What the per-segment timeline shows, computed from the result alone (so a shared result draws the
// same timeline as the analysis did): each segment's decision, its top emotion and colour, which
// modalities it had, and a sentence saying all of that for screen readers and the text table.
// The fused graph decides once per clip; per segment it gives the voice and face decisions only,
// so a segment's decision is those two weighted by the clip's α (text has no per-segment decision).
import type { AnalysisResult, SegmentResult } from '../pipeline/result';
import type { Coarse } from '../share/shareLink';
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

/** Which per-segment decisions a segment's colour rests on. */
export type SegmentSource = 'voice and face' | 'voice' | 'face' | 'none';

export interface SegmentDecision {
  /** Per-emotion probabilities (empty when the segment had neither voice nor face). */
  probs: number[];
  source: SegmentSource;
  /** Index of the top emotion, or -1 when there is no decision. */
  top: number;
}

export const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > (xs[best] ?? -Infinity) ? i : best), xs.length ? 0 : -1);

/**
 * The segment's decision: its voice and face decisions weighted by the clip's α for audio and visual,
 * renormalised over the ones the segment has (equal weights if both α are 0).
 */
export function segmentDecision(result: Pick<AnalysisResult, 'attention'>, segment: SegmentResult): SegmentDecision {
  const { audio, visual } = segment;
  if (audio && visual) {
    let wa = result.attention.audio;
    let wv = result.attention.visual;
    if (!(wa + wv > 0)) wa = wv = 0.5;
    const probs = audio.map((a, i) => (wa * a + wv * (visual[i] ?? 0)) / (wa + wv));
    return { probs, source: 'voice and face', top: argmax(probs) };
  }
  if (audio) return { probs: [...audio], source: 'voice', top: argmax(audio) };
  if (visual) return { probs: [...visual], source: 'face', top: argmax(visual) };
  return { probs: [], source: 'none', top: -1 };
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

/** How many segments had a voice and a face, for the plain statements under the timeline. */
export function coverage(segments: readonly SegmentResult[]): { total: number; voice: number; face: number } {
  return {
    total: segments.length,
    voice: segments.filter((s) => s.audio !== null).length,
    face: segments.filter((s) => s.face).length,
  };
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
/** Bars in the overview of a long timeline (each covers `per` segments). */
export const OVERVIEW_BINS = 200;

/** The page of cells holding segment `index`: `[first, first + count)`. */
export function pageOf(index: number, total: number, size = PAGE_CELLS): { page: number; first: number; count: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(pages - 1, Math.max(0, Math.floor(index / size)));
  const first = page * size;
  return { page, first, count: Math.max(0, Math.min(size, total - first)), pages };
}

export interface OverviewBin {
  /** Segments `[first, first + count)`. */
  first: number;
  count: number;
  start: number;
  end: number;
  /** Top emotion of the bin's mean segment decision (-1: no segment in it had voice or face). */
  top: number;
  /** Share of the bin's segments with a voice heard / a face found. */
  voice: number;
  face: number;
}

/**
 * The whole clip in at most `bins` bars: each bar is the mean of its segments' decisions (the ones
 * that have one), so a long stretch of one feeling shows as one colour however long the clip.
 */
export function overviewBins(result: Pick<AnalysisResult, 'attention' | 'labels' | 'segments'>, bins = OVERVIEW_BINS): OverviewBin[] {
  const { segments } = result;
  const per = Math.max(1, Math.ceil(segments.length / Math.max(1, bins)));
  const m = result.labels.length;
  const out: OverviewBin[] = [];
  for (let first = 0; first < segments.length; first += per) {
    const count = Math.min(per, segments.length - first);
    const sum = new Array<number>(m).fill(0);
    let decided = 0;
    let voice = 0;
    let face = 0;
    for (let i = first; i < first + count; i++) {
      const s = segments[i] as SegmentResult;
      if (s.audio) voice++;
      if (s.face) face++;
      const d = segmentDecision(result, s);
      if (d.top < 0) continue;
      decided++;
      for (let k = 0; k < m; k++) sum[k] = (sum[k] ?? 0) + (d.probs[k] ?? 0);
    }
    out.push({
      first, count,
      start: segments[first]?.start ?? 0,
      end: segments[first + count - 1]?.end ?? 0,
      top: decided ? argmax(sum) : -1,
      voice: voice / count,
      face: face / count,
    });
  }
  return out;
}

/** A clock time for long clips: "0:07", "12:05", "1:02:03" (whole seconds, rounded down). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * How long one timeline cell is and how many 0.96 s segments it stands for: 1 for an analysis;
 * more for a share link of a long clip, whose timeline was averaged to fit (src/share/shareLink.ts).
 */
export function cellSpan(result: Pick<AnalysisResult, 'segments'> & { coarse?: Coarse | null }): { seconds: number } & Coarse {
  const first = result.segments[0];
  const per = result.coarse?.per ?? 1;
  return {
    seconds: first ? Math.round((first.end - first.start) * 1000) / 1000 : 0.96,
    per,
    segments: result.coarse?.segments ?? result.segments.length,
  };
}
