// The attentive decision fusion weights α (audio, visual, text): how much each modality's
// decision counted. A modality that was left out shows 0 and says why.
import { MODALITY_NAMES as NAMES } from '../pipeline/decisions';
import { MODALITIES, type Modality } from '../pipeline/result';
import { percent } from './format';

export function AttentionWeights({ attention, present }: { attention: Record<Modality, number>; present: Record<Modality, boolean> }) {
  return (
    <section className="panel" aria-labelledby="alpha-title">
      <h2 id="alpha-title">What the decision rested on</h2>
      <div className="stack" aria-hidden="true">
        {MODALITIES.map((m) => (
          <div key={m} className={`stack-part stack-${m}`} style={{ flexGrow: attention[m] }} />
        ))}
      </div>
      <dl className="alpha" data-testid="attention">
        {MODALITIES.map((m) => (
          <div key={m} className="alpha-row" data-testid="alpha" data-modality={m} data-value={attention[m]}>
            <dt><span className={`swatch stack-${m}`} aria-hidden="true" />{NAMES[m]} ({m})</dt>
            <dd>
              α = {attention[m].toFixed(3)} <span className="muted">({percent(attention[m])}{present[m] ? '' : ', not available'})</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
