// Consistency of a share link's numbers, beyond their shape (schema.ts): a link is typed by a
// stranger, and one whose numbers contradict each other would open as a genuine result. The checks
// follow from how a result is made (src/pipeline/result.ts, training/mer/fusion.py):
// - α sums to 1, a missing modality has α = 0, and at least one modality is present;
// - the fused score of every emotion is sigmoid(Σ_m α_m · logit(p_m)) over the present modalities
//   (eq. 6 of the paper; checked with interval arithmetic on the link's 1e-4 grid), so the headline
//   read from the fused scores agrees with what the modalities said. That holds when the voice and
//   face scores come from the same graph run as the fused ones: always without a transcript, and in
//   links that do not say otherwise (basis "unknown"). With a transcript and voice/face decided in a
//   second, text-masked run (basis "text_masked") only the weaker check applies: not every overall
//   score is 0;
// - the timeline is contiguous from 0 in equal steps (one segment, or `per` segments when shortened), and
//   a shortened timeline's claimed segment count agrees with its duration;
// - a segment has face scores exactly when it has a face, and a modality is present for the clip
//   exactly when some segment has it.
// Each problem is reported as one plain sentence (no field paths).
import { PROBABILITY_SCALE, type WireResult } from './schema';

/** Milliseconds a segment lasts when a link does not say (links made before they said: the default model's segment, docs/CONTRACTS.md). */
export const SEGMENT_MS = 960;
/** How far α may sum from 1 (three values rounded to 1e-4 are at most 1.5e-4 off; this allows float error). */
export const ALPHA_SUM_TOLERANCE = 1e-3;
/** Largest α a missing modality may have (the graph gives exactly 0). */
export const MISSING_ALPHA_TOLERANCE = 5e-4;
/** Slack beyond the rounding intervals for the fused-score identity (float32 arithmetic in the graph). */
export const FUSED_TOLERANCE = 2e-3;
/** Times are rounded to whole milliseconds: starts and ends may be this far off the grid. */
const TIME_TOLERANCE_MS = 2;

const NAMES = Object.freeze({ audio: 'voice', visual: 'face', text: 'words' } as const);
const ABSENT = Object.freeze({ audio: 'there was no voice', visual: 'no face was seen', text: 'there was no transcript' } as const);
const MODALITIES = Object.freeze(['audio', 'visual', 'text'] as const);

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => (p <= 0 ? -Infinity : p >= 1 ? Infinity : Math.log(p / (1 - p)));
/** x·y where 0·∞ counts as 0 (a zero weight removes a modality entirely). */
const times = (x: number, y: number) => (x === 0 || y === 0 ? 0 : x * y);
/** The interval a value rounded to the link's grid came from. */
const grid = (units: number): [number, number] => [
  Math.max(0, (units - 0.5) / PROBABILITY_SCALE), Math.min(1, (units + 0.5) / PROBABILITY_SCALE),
];
const pct = (units: number) => `${Math.round(units / (PROBABILITY_SCALE / 100))}%`;

/**
 * The range the fused score of emotion `k` must lie in, given the modalities' scores and α as
 * rounded in the link: [sigmoid(min Σ α·logit p), sigmoid(max Σ α·logit p)].
 */
export function fusedInterval(w: Pick<WireResult, 'modalities' | 'attention'>, k: number): [number, number] {
  let lo = 0;
  let hi = 0;
  MODALITIES.forEach((m, i) => {
    const scores = w.modalities[m];
    if (!scores) return;
    const [alo, ahi] = grid(w.attention[i] ?? 0);
    const [plo, phi] = grid(scores[k] ?? 0);
    const corners = [times(alo, logit(plo)), times(alo, logit(phi)), times(ahi, logit(plo)), times(ahi, logit(phi))];
    lo += Math.min(...corners);
    hi += Math.max(...corners);
  });
  return [sigmoid(lo), sigmoid(hi)];
}

/** The first contradiction in a (schema-valid) link, as a sentence without a final full stop; null when it is consistent. */
export function inconsistency(w: WireResult): string | null {
  const segmentMs = w.segment_ms ?? SEGMENT_MS;
  const present = MODALITIES.filter((m) => w.modalities[m] !== null);
  if (!present.length) return 'it says no modality (voice, face or words) was available, so there was nothing to decide from';
  for (const [i, m] of MODALITIES.entries()) {
    const alpha = w.attention[i] ?? 0;
    if (w.modalities[m] === null && alpha > MISSING_ALPHA_TOLERANCE * PROBABILITY_SCALE) {
      return `it gives the ${NAMES[m]} a weight of ${pct(alpha)} although it says ${ABSENT[m]}`;
    }
  }
  const sum = w.attention.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - PROBABILITY_SCALE) > ALPHA_SUM_TOLERANCE * PROBABILITY_SCALE) {
    return `its modality weights add up to ${pct(sum)}, but they always add up to 100%`;
  }

  if (!w.segments.length) return 'it has no timeline, but every analysis has at least one segment';
  const per = w.coarse?.[0] ?? 1;
  const total = w.coarse?.[1] ?? w.segments.length;
  const step = per * segmentMs;
  for (const [i, [start, end]] of w.segments.entries()) {
    const last = i === w.segments.length - 1;
    const expectedEnd = last ? total * segmentMs : (i + 1) * step;
    if (Math.abs(start - i * step) > TIME_TOLERANCE_MS || Math.abs(end - expectedEnd) > TIME_TOLERANCE_MS) {
      return w.coarse
        ? `its timeline says it stands for ${total.toLocaleString('en')} segments, which does not match the times of its cells`
        : `its timeline has a gap or a segment of the wrong length at segment ${i + 1} (segments are ${segmentMs / 1000} s each, one after another from 0 s)`;
    }
  }
  for (const [i, [, , , visual, face]] of w.segments.entries()) {
    if ((visual !== null) !== (face === 1)) {
      return `segment ${i + 1} of its timeline ${face ? 'says a face was seen but has no face scores' : 'has face scores but says no face was seen'}`;
    }
  }
  for (const [m, column] of [['audio', 2], ['visual', 3]] as const) {
    const anySegment = w.segments.some((s) => s[column] !== null);
    if (anySegment !== (w.modalities[m] !== null)) {
      return anySegment
        ? `its timeline has ${NAMES[m]} scores although it says ${ABSENT[m]}`
        : `it has ${NAMES[m]} scores for the clip but no segment of its timeline has any`;
    }
  }

  if (w.fused.every((units) => units === 0)) return 'every overall score is 0%, which the model never gives';
  const sameRun = (w.basis ?? 'unknown') === 'unknown' || w.modalities.text === null;
  for (const [k, units] of sameRun ? w.fused.entries() : []) {
    const [lo, hi] = fusedInterval(w, k);
    const [flo, fhi] = grid(units);
    if (fhi < lo - FUSED_TOLERANCE || flo > hi + FUSED_TOLERANCE) {
      return `its overall score for ${w.labels[k] ?? 'an emotion'} (${pct(units)}) is not what its voice, face and words scores and weights give`;
    }
  }
  return null;
}
