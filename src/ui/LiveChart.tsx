// The last minute of live predictions: fused probability per emotion over time as an SVG line
// chart, with a table of the same numbers for screen readers (the drawing itself is hidden from
// them). Props in, markup out.
import type { LivePrediction } from '../state/live';
import { LIVE_HISTORY_SECONDS } from '../live/window';
import { percent } from './format';

const W = 600;
const H = 180;
const PAD = { left: 34, right: 8, top: 8, bottom: 22 };

export function LiveChart({ labels, history }: { labels: string[]; history: LivePrediction[] }) {
  // "now" (the newest prediction) is always at the right edge; older ones move left and leave.
  const end = history.at(-1)?.time ?? 0;
  const start = end - LIVE_HISTORY_SECONDS;
  const x = (t: number) => PAD.left + ((t - start) / LIVE_HISTORY_SECONDS) * (W - PAD.left - PAD.right);
  const y = (p: number) => PAD.top + (1 - p) * (H - PAD.top - PAD.bottom);
  const stats = labels.map((_, i) => {
    const values = history.map((h) => h.fused[i] ?? 0);
    return {
      latest: values.at(-1) ?? 0,
      mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0,
      max: values.length ? Math.max(...values) : 0,
    };
  });
  return (
    <section className="panel live-chart" aria-labelledby="live-chart-title">
      <h2 id="live-chart-title">The last minute</h2>
      <svg
        viewBox={`0 0 ${W} ${H}`} role="img" aria-hidden="true" className="live-chart-svg"
        data-testid="live-chart" data-points={history.length} data-last-segment={history.at(-1)?.segment ?? -1}
      >
        {[0, 0.5, 1].map((p) => (
          <g key={p}>
            <line className="live-grid" x1={PAD.left} x2={W - PAD.right} y1={y(p)} y2={y(p)} />
            <text className="live-axis" x={PAD.left - 4} y={y(p) + 4} textAnchor="end">{p * 100}%</text>
          </g>
        ))}
        {[60, 45, 30, 15, 0].map((ago) => (
          <text key={ago} className="live-axis" x={x(end - ago)} y={H - 6} textAnchor={ago === 60 ? 'start' : ago ? 'middle' : 'end'}>
            {ago ? `−${ago} s` : 'now'}
          </text>
        ))}
        {labels.map((label, i) => (
          <polyline
            key={label} className={`live-line live-c${i % 8}`} fill="none"
            points={history.map((h) => `${x(h.time).toFixed(1)},${y(h.fused[i] ?? 0).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <ul className="live-legend" aria-hidden="true">
        {labels.map((label, i) => (
          <li key={label}><span className={`swatch live-bg${i % 8}`} />{label}</li>
        ))}
      </ul>
      <table className="live-sr-only" data-testid="live-chart-table">
        <caption>
          Fused probability per emotion over the last {Math.round(Math.min(LIVE_HISTORY_SECONDS, history.length * (history[0]?.segmentSeconds ?? 0)))} s
          ({history.length} predictions)
        </caption>
        <thead><tr><th scope="col">Emotion</th><th scope="col">Now</th><th scope="col">Average</th><th scope="col">Highest</th></tr></thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{percent(stats[i]?.latest ?? 0)}</td>
              <td>{percent(stats[i]?.mean ?? 0)}</td>
              <td>{percent(stats[i]?.max ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
