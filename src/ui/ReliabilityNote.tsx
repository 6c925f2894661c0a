// One sentence under the headline saying how often the model's top emotion was right on real
// clips for this kind of input, beside the constant guess: so a first-time user reads "anger 62%"
// as the hint it is. Nothing when the model ships no such numbers (a custom model).
import type { Reliability } from '../pipeline/reliability';
import { percent } from './format';

export function reliabilityText(r: Reliability): string {
  const guess = r.baseline ? `; always answering “${r.baseline.label}” was right for ${percent(r.baseline.top1)}` : '';
  const nearest = r.exact ? '' : ' (measured with voice, face and words; this clip lacks one of them)';
  return `How far to trust this: for ${r.input}, the model’s top emotion was right for ${percent(r.top1)} of ${r.n} real clips`
    + ` (${r.dataset}; ${r.split})${guess}${nearest}. A hint, not a verdict: the model card says more.`;
}

export function ReliabilityNote({ reliability }: { reliability: Reliability | null }) {
  if (!reliability) return null;
  return <span data-testid="reliability">{reliabilityText(reliability)}</span>;
}
