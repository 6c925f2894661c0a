// Each modality's own decision in the newest live prediction: its most likely emotion, or why it
// was left out of the fusion. Voice and face are judged with the transcript masked (their names say so).
import { OWN_DECISION_NAMES as NAMES } from '../pipeline/decisions';
import { MODALITIES, type Modality } from '../pipeline/result';
import type { LivePrediction } from '../state/live';
import { percent } from './format';

const MISSING: Readonly<Record<Modality, string>> = Object.freeze({
  audio: 'left out: no voice in the window',
  visual: 'left out: no face found in the window',
  text: 'left out: nothing typed',
});

export function LiveModalities({ labels, prediction }: { labels: string[]; prediction: LivePrediction }) {
  return (
    <section className="panel" aria-labelledby="live-mod-title">
      <h2 id="live-mod-title">Each modality’s own decision</h2>
      <dl className="alpha" data-testid="live-modalities">
        {MODALITIES.map((m) => {
          const v = prediction.modalities[m];
          const top = v ? v.indexOf(Math.max(...v)) : -1;
          return (
            <div key={m} className="alpha-row" data-testid="live-modality" data-modality={m} data-present={v !== null}>
              <dt><span className={`swatch stack-${m}`} aria-hidden="true" />{NAMES[m]}</dt>
              <dd>{v ? <>{labels[top]} <span className="muted">({percent(v[top] ?? 0)})</span></> : <span className="muted">{MISSING[m]}</span>}</dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
