// What a result decides, segment by segment and over stretches of a clip, computed from the result
// alone (so a shared result reads the same as the analysis did): each segment's decision and what
// it rests on, coverage, the overview of a long clip, and how long a timeline cell is. Domain
// logic shared by the UI, the exports and share links (it used to live in ui/).
//
// The fused graph decides once per clip; per segment it gives the voice and face decisions only,
// so a segment's decision is those two weighted by the clip's α (text has no per-segment decision).
// The voice and face decisions are the graph's with the transcript masked (result.modality_basis).
import type { AnalysisResult, Modality, ModalityBasis, SegmentResult } from './result';

/** A shortened timeline (a long share link): `per` segments averaged into each of its entries, `segments` in the analysis. */
export interface Coarse { per: number; segments: number }

/** What each modality is called on screen and in exports. */
export const MODALITY_NAMES: Readonly<Record<Modality, string>> = Object.freeze({ audio: 'Voice', visual: 'Face', text: 'Words' });

/** Each modality's own decision, named for what it is: voice and face are judged with the transcript masked. */
export const OWN_DECISION_NAMES: Readonly<Record<Modality, string>> = Object.freeze({
  audio: 'Voice (without the words)', visual: 'Face (without the words)', text: 'Words',
});

/** One sentence saying what the voice and face decisions are (the fused decision and α use every modality). */
export function ownDecisionsNote(basis: ModalityBasis): string {
  return basis === 'text_masked'
    ? 'Voice and face are each judged with the transcript left out, so the words cannot decide them; the fused decision and the weights α use voice, face and words together.'
    : 'This link comes from an older version of the app: its voice and face decisions may have been swayed by the transcript.';
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

/** How many segments had a voice and a face, for the plain statements under the timeline. */
export function coverage(segments: readonly SegmentResult[]): { total: number; voice: number; face: number } {
  return {
    total: segments.length,
    voice: segments.filter((s) => s.audio !== null).length,
    face: segments.filter((s) => s.face).length,
  };
}

/** Bars in the overview of a long timeline (each covers `per` segments). */
export const OVERVIEW_BINS = 200;

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

/**
 * How long one timeline cell is and how many segments it stands for: 1 for an analysis;
 * more for a share link of a long clip, whose timeline was averaged to fit (src/share/shareLink.ts).
 */
export function cellSpan(result: Pick<AnalysisResult, 'segments' | 'segment_seconds'> & { coarse?: Coarse | null }): { seconds: number } & Coarse {
  const first = result.segments[0];
  const per = result.coarse?.per ?? 1;
  return {
    seconds: first ? Math.round((first.end - first.start) * 1000) / 1000 : result.segment_seconds,
    per,
    segments: result.coarse?.segments ?? result.segments.length,
  };
}
