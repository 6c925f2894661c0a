// How far to trust a result, under its headline: how often the model's top emotion was right on
// real clips for this kind of input, beside the constant guess (src/pipeline/reliability.ts), so a
// first-time user reads "anger 62%" as the hint it is. Where the number comes from (clips, split)
// is one tap away: on a phone the whole sentence took seven lines. Nothing without such numbers.
import { reliabilitySource, reliabilitySummary, type Reliability } from '../pipeline/reliability';

export function ReliabilityNote({ reliability }: { reliability: Reliability | null }) {
  if (!reliability) return null;
  // A block of its own: a <details> may not sit inside a span or a paragraph.
  return (
    <div className="reliability" data-testid="reliability">
      <span data-testid="reliability-summary">{reliabilitySummary(reliability)}</span>{' '}
      <details className="reliability-source">
        <summary>Where this number comes from</summary>
        <span data-testid="reliability-source">{reliabilitySource(reliability)}</span>
      </details>
    </div>
  );
}
