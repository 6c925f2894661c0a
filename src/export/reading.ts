// How to read a result, in words, for the exports and the command line (the page shows the same):
// the headline (uncertain when the top two are close or none reaches 0.5, src/pipeline/verdict.ts),
// that each emotion is scored on its own, which transcript the run used when that is known, and how
// far to trust it (the model's measured accuracy for these inputs, src/pipeline/reliability.ts).
import type { AnalysisResult } from '../pipeline/result';
import { SCORES_ARE_INDEPENDENT, verdict } from '../pipeline/verdict';
import type { TextWindow } from '../pipeline/windowTexts';

export type TranscriptKind = 'none' | 'typed' | 'subtitles';

export interface Reading {
  headline: string;
  uncertain: boolean;
  scores: string;
  /** Which transcript the run used; absent when not known (a shared link does not say). */
  transcript?: TranscriptKind;
  /**
   * With timed captions: the words each window of the file gave the text model (seconds, text,
   * word pieces read and cut; '' where nobody speaks, text left out there). Absent when the
   * transcript was one text for every window, or not known.
   */
  text_windows?: ExportedTextWindow[];
  /** How far to trust it, in words; absent when not known (a shared link, a model without measured numbers). */
  trust?: string;
}

export interface ExportedTextWindow { start_s: number; end_s: number; text: string; tokens: number; cut: number }

/** Said beside the per-window words: how the words were used. */
export const TEXT_PER_WINDOW = 'timed captions: each window got the words spoken in it';

export function readingOf(
  result: Pick<AnalysisResult, 'labels' | 'fused'>, transcript?: TranscriptKind | null, windows?: readonly TextWindow[] | null,
  trust?: string | null,
): Reading {
  const v = verdict(result.labels, result.fused);
  return {
    headline: v.headline, uncertain: v.uncertain, scores: SCORES_ARE_INDEPENDENT, ...(transcript ? { transcript } : {}),
    ...(windows?.length ? { text_windows: windows.map((w) => ({ start_s: w.start, end_s: w.end, text: w.text, tokens: w.tokens, cut: w.cut })) } : {}),
    ...(trust ? { trust } : {}),
  };
}
