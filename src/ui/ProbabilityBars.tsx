// Per-emotion probabilities as labelled bars with numbers (multi-label: they need not sum to 1).
import { percent } from './format';

export function ProbabilityBars({ labels, values, title }: { labels: string[]; values: number[]; title: string }) {
  const top = values.indexOf(Math.max(...values));
  return (
    <section className="panel" aria-labelledby="probs-title">
      <h2 id="probs-title">{title}</h2>
      <ul className="bars" data-testid="probabilities">
        {labels.map((label, i) => {
          const v = values[i] ?? 0;
          return (
            <li key={label} className={i === top ? 'bar bar-top' : 'bar'}>
              <span className="bar-label" id={`prob-${label}`}>{label}</span>
              <div
                className="bar-track"
                role="meter"
                aria-labelledby={`prob-${label}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(v * 1000) / 10}
                aria-valuetext={percent(v)}
                data-testid="prob-bar"
                data-label={label}
                data-value={v}
              >
                <div className="bar-fill" style={{ width: percent(v, 3) }} />
              </div>
              <span className="bar-value">{percent(v)}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
