// How to read a result, in words, for the exports and the command line (the page shows the same):
// the headline (uncertain when the top two are close or none reaches 0.5, src/pipeline/verdict.ts),
// that each emotion is scored on its own, and which transcript the run used when that is known.
import type { AnalysisResult } from '../pipeline/result';
import { SCORES_ARE_INDEPENDENT, verdict } from '../pipeline/verdict';

export type TranscriptKind = 'none' | 'typed' | 'subtitles';

export interface Reading {
  headline: string;
  uncertain: boolean;
  scores: string;
  /** Which transcript the run used; absent when not known (a shared link does not say). */
  transcript?: TranscriptKind;
}

export function readingOf(result: Pick<AnalysisResult, 'labels' | 'fused'>, transcript?: TranscriptKind | null): Reading {
  const v = verdict(result.labels, result.fused);
  return { headline: v.headline, uncertain: v.uncertain, scores: SCORES_ARE_INDEPENDENT, ...(transcript ? { transcript } : {}) };
}
