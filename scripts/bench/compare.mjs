// The pure half of `npm run bench -- --baseline <ref>`: the start-up figures of issue 16 measured
// for the working tree (new) and the baseline commit (old) in interleaved runs, summarised as
// medians and new/old ratios, and written as a Markdown table. On a shared machine a whole run
// can be slow for both: the paired ratio (median over runs of new_i / old_i, each pair measured
// back to back) cancels most of that, the ratio of medians is shown beside it.
import { markdownTable, median, percentile, round } from './report.mjs';

/** The start-up figures, in the table's order, with issue 16's target where it sets one (ms). */
export const STARTUP_FIGURES = Object.freeze([
  { key: 'first_visit_models', label: 'models ready, first visit (since navigation)', target: 8000 },
  { key: 'return_visit_models', label: 'models ready, return visit (since navigation)', target: 2500 },
  { key: 'first_result', label: 'drop → first result, sample clip, return visit', target: 4000 },
  { key: 'first_result_since_navigation', label: 'navigation → first result, sample clip', target: null },
  { key: 'live_first_prediction', label: 'live: Start → first prediction (cached models)', target: 3000 },
]);

/** Run order for interleaving: new, old, old, new, new, old … so neither always goes first. */
export function interleavedOrder(runs) {
  const order = [];
  for (let i = 0; i < runs; i++) order.push(...(i % 2 ? ['old', 'new'] : ['new', 'old']));
  return order;
}

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Median over runs of new_i / old_i, for the runs where both were measured; null when none. */
export function pairedRatio(newValues, oldValues) {
  const ratios = [];
  for (let i = 0; i < Math.min(newValues.length, oldValues.length); i++) {
    const a = num(newValues[i]);
    const b = num(oldValues[i]);
    if (a !== null && b) ratios.push(a / b);
  }
  return ratios.length ? median(ratios) : null;
}

/**
 * One row per figure: medians (ms), min-max, both ratios, how many runs measured it, and whether
 * the new value meets the target. `newRuns`/`oldRuns` are per-run records `{figure key: ms | null}`,
 * run i of each measured back to back.
 */
export function compareStartup(newRuns, oldRuns, figures = STARTUP_FIGURES) {
  return figures.map(({ key, label, target }) => {
    const a = newRuns.map((r) => num(r?.[key]));
    const b = oldRuns.map((r) => num(r?.[key]));
    const mNew = median(a);
    const mOld = median(b);
    const spread = (xs) => (xs.some((x) => x !== null) ? [percentile(xs, 0), percentile(xs, 100)] : null);
    return {
      key, label, target,
      new_ms: round(mNew, 0), old_ms: round(mOld, 0),
      new_range: spread(a), old_range: spread(b),
      ratio: mNew !== null && mOld ? round(mNew / mOld, 2) : null,
      paired_ratio: round(pairedRatio(a, b), 2),
      runs: { new: a.filter((x) => x !== null).length, old: b.filter((x) => x !== null).length },
      met: target === null || mNew === null ? null : mNew <= target,
    };
  });
}

const range = (r) => (r ? `${Math.round(r[0])}–${Math.round(r[1])}` : '–');
const status = (row) => (row.target === null ? '' : row.met === null ? 'not measured' : row.met ? 'met' : 'NOT met');

/** The comparison as Markdown: what was compared, the load, then one row per figure. */
export function renderComparison({ rows, baseline, load = [], notes = [] }) {
  const loads = load.filter((x) => typeof x === 'number');
  const loadLine = loads.length
    ? `1-minute load average during the runs: median ${round(median(loads), 2)}, ${round(Math.min(...loads), 2)}–${round(Math.max(...loads), 2)} (${loads.length} readings)`
    : 'load average not recorded';
  const out = [
    `## Start-up, working tree (new) vs ${baseline.short} (old)`, '',
    `Interleaved runs (new, old, old, new, …), each in a fresh browser context; ${loadLine}. ` +
      'ratio = median new / median old; paired = median of new/old over runs measured back to back. Below 1 is faster. All times in ms.', '',
    markdownTable(
      ['figure', 'new', 'old', 'ratio', 'paired', 'new min–max', 'old min–max', 'runs (new/old)', 'target', 'new meets'],
      rows.map((r) => [r.label, r.new_ms, r.old_ms, r.ratio, r.paired_ratio, range(r.new_range), range(r.old_range),
        `${r.runs.new}/${r.runs.old}`, r.target === null ? '–' : `≤ ${r.target}`, status(r)]),
    ), '',
  ];
  if (notes.length) out.push(...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
