// How a result's headline reads, said once for the page, the exports and the command line: the
// fused scores are independent sigmoids (each emotion 0-100% on its own; several can be high, they
// need not add up to 100%), so the top score is "most likely" only when it passes 0.5 and leads the
// runner-up clearly. Otherwise the headline says it is uncertain and names both.
import { percent } from '../format';

/** A score at or above this is "likely" on its own (the sigmoid's midpoint). */
export const LIKELY = 0.5;
/** The top two are "close" when they are at most this far apart (10 percentage points). */
export const CLOSE_MARGIN = 0.1;

/** The sentence every view shows beside the scores. */
export const SCORES_ARE_INDEPENDENT = 'Each emotion is scored on its own, from 0 to 100%: several can be high at once, so the scores do not add up to 100%.';

export type VerdictKind = 'likely' | 'close' | 'none-likely';

export interface Verdict {
  kind: VerdictKind;
  /** True for `close` and `none-likely`. */
  uncertain: boolean;
  /** The top emotion and the runner-up (null with a single label). */
  top: { label: string; score: number };
  second: { label: string; score: number } | null;
  /** "Most likely: anger (66.8%)", or "Uncertain: anger (66.8%) or happiness (61.5%), within 10 points". */
  headline: string;
}


/** The verdict on fused scores `fused` for `labels` (ties keep the earlier label first). */
export function verdict(labels: readonly string[], fused: readonly number[]): Verdict {
  const order = labels.map((label, i) => ({ label, score: fused[i] ?? 0 }))
    .map((x, i) => ({ ...x, i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map(({ label, score }) => ({ label, score }));
  const top = order[0] ?? { label: '', score: 0 };
  const second = order[1] ?? null;
  const named = (x: { label: string; score: number }) => `${x.label} (${percent(x.score)})`;
  if (top.score < LIKELY) {
    return {
      kind: 'none-likely', uncertain: true, top, second,
      headline: `Uncertain: no emotion reaches ${percent(LIKELY, 0)}; highest ${named(top)}${second ? ` and ${named(second)}` : ''}`,
    };
  }
  if (second && top.score - second.score <= CLOSE_MARGIN + 1e-9) {
    return {
      kind: 'close', uncertain: true, top, second,
      headline: `Uncertain: ${named(top)} or ${named(second)}, within ${Math.round(CLOSE_MARGIN * 100)} points of each other`,
    };
  }
  return { kind: 'likely', uncertain: false, top, second, headline: `Most likely: ${named(top)}` };
}
