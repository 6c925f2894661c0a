// How far a result can be trusted, from the model's own measured numbers (the manifest's
// `metrics`, written by training/mer/default_model/build.py): the top-1 accuracy measured for the
// same kind of input (voice, face, words: which were present), beside the constant guess on the
// same clips. Pure: the UI shows it, a custom model without these numbers gets none.
import { percent } from '../format';
import type { ManifestMetric } from '../inference/manifest';
import type { AnalysisResult } from './result';

export interface InputsPresent { audio: boolean; visual: boolean; text: boolean }

/** Measured input conditions, in the names build.py gives them (CONDITION_NAMES there). */
const CONDITIONS = Object.freeze([
  Object.freeze({ key: 'fused', metric: 'top-1 accuracy (fused, with the words, 7 classes)', says: 'voice, face and words together' }),
  Object.freeze({ key: 'no_text', metric: 'top-1 accuracy (fused, voice + face without the words, 7 classes)', says: 'voice and face without words' }),
  Object.freeze({ key: 'audio', metric: 'top-1 accuracy (voice only, 7 classes)', says: 'the voice alone' }),
  Object.freeze({ key: 'visual', metric: 'top-1 accuracy (face only, 7 classes)', says: 'the face alone' }),
  Object.freeze({ key: 'text', metric: 'top-1 accuracy (words only, 7 classes)', says: 'the words alone' }),
] as const);
export type ConditionKey = (typeof CONDITIONS)[number]['key'];
/** The words alone through the fused graph on other people's utterances (build.py's held_out_words_metrics). */
const WORDS_ELSEWHERE = 'top-1 accuracy (fused graph, words only, 7 classes)';
/** Every metric name this module reads (a test checks the shipped metrics.json has them). */
export const RELIABILITY_METRICS: readonly string[] = Object.freeze([...CONDITIONS.map((c) => c.metric), WORDS_ELSEWHERE]);
const BASELINE = /^baseline: always '([^']+)', top-1 accuracy$/;

/** Which inputs a result had (a missing modality's decision is null). */
export function presentInputs(result: Pick<AnalysisResult, 'modalities'>): InputsPresent {
  return { audio: result.modalities.audio !== null, visual: result.modalities.visual !== null, text: result.modalities.text !== null };
}

/** The measured condition for these inputs: exact when measured, else the nearest one that has the words (or not). */
export function conditionFor(p: InputsPresent): ConditionKey | null {
  if (p.text) return p.audio || p.visual ? 'fused' : 'text';
  if (p.audio && p.visual) return 'no_text';
  if (p.audio) return 'audio';
  if (p.visual) return 'visual';
  return null;
}

export interface Reliability {
  /** What the number is for ("voice and face without words"). */
  input: string;
  /** True when the result's inputs are exactly the measured ones (words with only voice or only face are measured as all three). */
  exact: boolean;
  top1: number;
  n: number;
  dataset: string;
  split: string;
  /** The constant guess on the same clips, when the metrics have it. */
  baseline: { label: string; top1: number } | null;
  /** With words: how the words alone did on utterances of people outside those clips, when measured. */
  wordsElsewhere?: { top1: number; n: number; dataset: string; baseline: { label: string; top1: number } | null };
}

/** The constant guess measured on the same data as ``measured``. */
function baselineOf(metrics: readonly ManifestMetric[], measured: ManifestMetric): Reliability['baseline'] {
  const base = metrics.find((m) => m.dataset === measured.dataset && BASELINE.test(m.name));
  return base ? { label: BASELINE.exec(base.name)![1]!, top1: base.value } : null;
}

export function reliability(metrics: readonly ManifestMetric[], present: InputsPresent): Reliability | null {
  const key = conditionFor(present);
  const condition = CONDITIONS.find((c) => c.key === key);
  const measured = condition && metrics.find((m) => m.name === condition.metric);
  if (!condition || !measured) return null;
  const words = present.text ? metrics.find((m) => m.name === WORDS_ELSEWHERE) : undefined;
  return {
    input: condition.says,
    exact: key !== 'fused' || (present.audio && present.visual),
    top1: measured.value, n: measured.n, dataset: measured.dataset, split: measured.split,
    baseline: baselineOf(metrics, measured),
    ...(words ? { wordsElsewhere: { top1: words.value, n: words.n, dataset: words.dataset, baseline: baselineOf(metrics, words) } } : {}),
  };
}

/** How often the top emotion was right for these inputs, beside the constant guess: what the page shows
 * at once under the headline (on a phone a short paragraph; where the number comes from is one tap away). */
export function reliabilitySummary(r: Reliability): string {
  const guess = r.baseline ? `; always answering “${r.baseline.label}” was right for ${percent(r.baseline.top1)}` : '';
  const nearest = r.exact ? '' : ' (measured with voice, face and words; this clip lacks one of them)';
  return `How far to trust this: for ${r.input}, the model’s top emotion was right for ${percent(r.top1)} of ${r.n} real clips${guess}${nearest}.`;
}

/** Where the number comes from: the clips and how they were split, what the words did on other
 * people (when there were words and it was measured), and what it is not. */
export function reliabilitySource(r: Reliability): string {
  const w = r.wordsElsewhere;
  const guess = w?.baseline ? `, where always answering “${w.baseline.label}” was right for ${percent(w.baseline.top1)}` : '';
  const words = w ? ` The words alone were right for ${percent(w.top1)} of ${w.n} utterances by other people${guess} (${w.dataset}).` : '';
  return `Measured on ${r.dataset}; ${r.split}.${words} A hint, not a verdict: the model card says more.`;
}

/** The whole sentence, for the exports and the command line (the page shows the same two parts). */
export function reliabilityText(r: Reliability): string {
  return `${reliabilitySummary(r)} ${reliabilitySource(r)}`;
}

/** The measured numbers for a result analysed with the model whose metrics these are; null when they do not measure its inputs. */
export function resultReliability(metrics: readonly ManifestMetric[], result: Pick<AnalysisResult, 'modalities'>): Reliability | null {
  return reliability(metrics, presentInputs(result));
}

/** The whole sentence for such a result (exports, command line); null when there are no numbers for its inputs. */
export function trustSentence(metrics: readonly ManifestMetric[], result: Pick<AnalysisResult, 'modalities'>): string | null {
  const r = resultReliability(metrics, result);
  return r ? reliabilityText(r) : null;
}
