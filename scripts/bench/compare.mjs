// The pure half of `npm run bench -- --baseline <ref>`: the start-up figures of issue 16 and the
// per-clip analysis figures (time per stage, total, realtime ratio) measured for the working tree
// (new) and the baseline commit (old) in interleaved runs, summarised as medians and new/old
// ratios, and written as Markdown tables. On a shared machine a whole run can be slow for both:
// the paired ratio (median over runs of new_i / old_i, each pair measured back to back) cancels
// most of that, the ratio of medians is shown beside it.
import { markdownTable, median, percentile, round } from './report.mjs';

/** The start-up figures, in the table's order, with issue 16's target where it sets one (ms). */
export const STARTUP_FIGURES = Object.freeze([
  { key: 'first_visit_models', label: 'models ready, first visit (since navigation)', target: 8000 },
  { key: 'return_visit_models', label: 'models ready, return visit (since navigation)', target: 2500 },
  { key: 'first_result', label: 'drop → first result, sample clip, return visit', target: 4000 },
  { key: 'first_result_since_navigation', label: 'navigation → first result, sample clip', target: null },
  { key: 'live_first_prediction', label: 'live: Start → first prediction (cached models)', target: 3000 },
]);

/** Issue 16's per-clip targets: realtime ratio (total / clip length) and face stage per segment. */
export const ANALYSIS_TARGETS = Object.freeze({ realtime_ratio: 0.12, face_ms_per_segment: 50 });

/**
 * The pipeline's stages as they appear in `timings_ms`, in the order a clip meets them. Stages
 * overlap (the audio worker's window runs while frames are read and faces detected), so they
 * need not add up to the total. `fusion_one_run` is the fusion stage less the text-masked second
 * run of the fused graph (each modality's own decision, issue 13 #5): a build without that run
 * compares with it alone.
 */
const ANALYSIS_STAGES = Object.freeze([
  ['decode', 'decode'],
  ['text', 'text encoder'],
  ['audio', 'audio features (log-mel, voice activity)'],
  ['frames', 'frames'],
  ['face', 'faces'],
  ['face_per_segment', 'faces per segment'],
  ['fusion', 'fusion'],
  ['fusion_one_run', 'fusion, one graph run'],
  ['total', 'total'],
  ['total_one_run', 'total, one graph run'],
]);

/** Record key of one clip, backend and figure (flat, so the start-up arithmetic applies). */
export const analysisKey = (clip, backend, figure) => `${clip} ${backend} ${figure}`;

/**
 * The analysis figures of each clip (`{'10s': 10.0, …}`, seconds) and backend, in table order.
 * Totals carry the clip's length (their realtime ratio) and issue 16's target for it.
 */
export function analysisFigures(clipSeconds, backends) {
  const out = [];
  for (const [clip, seconds] of Object.entries(clipSeconds)) {
    for (const backend of backends) {
      for (const [figure, label] of ANALYSIS_STAGES) {
        const total = figure.startsWith('total');
        const target = total ? round(ANALYSIS_TARGETS.realtime_ratio * seconds * 1000, 0)
          : figure === 'face_per_segment' ? ANALYSIS_TARGETS.face_ms_per_segment : null;
        out.push({ key: analysisKey(clip, backend, figure), label: `${clip} ${backend}: ${label}`, target, ...(total ? { seconds } : {}) });
      }
    }
  }
  return out;
}

/**
 * One run's analysis record from its results: `byClip` is clip -> backend -> `{timings_ms,
 * segments}` (a result of `__merAnalyze`), or an `{error}`; stages a build did not time are null.
 */
export function analysisRecord(byClip) {
  const record = {};
  for (const [clip, byBackend] of Object.entries(byClip)) {
    for (const [backend, r] of Object.entries(byBackend)) {
      const t = r?.timings_ms ?? {};
      const at = (k) => num(t[k]);
      const masked = num(t.fusion_graph_text_masked) ?? 0;
      const values = {
        decode: at('decode'), text: at('text'), audio: at('audio'), frames: at('frames'), face: at('face'),
        face_per_segment: at('face') !== null && r?.segments ? at('face') / r.segments : null,
        fusion: at('fusion'), fusion_one_run: at('fusion') === null ? null : at('fusion') - masked,
        total: at('total'), total_one_run: at('total') === null ? null : at('total') - masked,
      };
      for (const [figure, v] of Object.entries(values)) record[analysisKey(clip, backend, figure)] = v;
    }
  }
  return record;
}

/** Run order for interleaving: new, old, old, new, new, old … so neither always goes first. */
export function interleavedOrder(runs) {
  const order = [];
  for (let i = 0; i < runs; i++) order.push(...(i % 2 ? ['old', 'new'] : ['new', 'old']));
  return order;
}

const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** new_i / old_i for the runs where both were measured. */
export function pairedRatios(newValues, oldValues) {
  const ratios = [];
  for (let i = 0; i < Math.min(newValues.length, oldValues.length); i++) {
    const a = num(newValues[i]);
    const b = num(oldValues[i]);
    if (a !== null && b) ratios.push(a / b);
  }
  return ratios;
}

/** Median over runs of new_i / old_i, for the runs where both were measured; null when none. */
export function pairedRatio(newValues, oldValues) {
  const ratios = pairedRatios(newValues, oldValues);
  return ratios.length ? median(ratios) : null;
}

/**
 * One row per figure: medians (ms), min-max, both ratios, how many runs measured it, and whether
 * the new value meets the target. `newRuns`/`oldRuns` are per-run records `{figure key: ms | null}`,
 * run i of each measured back to back.
 */
export function compareStartup(newRuns, oldRuns, figures = STARTUP_FIGURES) {
  return figures.map(({ key, label, target, seconds = null }) => {
    const a = newRuns.map((r) => num(r?.[key]));
    const b = oldRuns.map((r) => num(r?.[key]));
    const mNew = median(a);
    const mOld = median(b);
    const pairs = pairedRatios(a, b);
    const spread = (xs) => (xs.some((x) => x !== null) ? [percentile(xs, 0), percentile(xs, 100)] : null);
    return {
      key, label, target,
      new_ms: round(mNew, 0), old_ms: round(mOld, 0),
      new_range: spread(a), old_range: spread(b),
      ratio: mNew !== null && mOld ? round(mNew / mOld, 2) : null,
      paired_ratio: round(pairedRatio(a, b), 2),
      // The pairs' spread: a range that holds 1 says the difference is within this machine's noise.
      paired_range: pairs.length ? [round(Math.min(...pairs), 2), round(Math.max(...pairs), 2)] : null,
      runs: { new: a.filter((x) => x !== null).length, old: b.filter((x) => x !== null).length },
      met: target === null || mNew === null ? null : mNew <= target,
      // A total's median as a fraction of the clip's length (issue 7's realtime ratio).
      ...(seconds ? { realtime: { new: mNew === null ? null : round(mNew / (seconds * 1000), 3), old: mOld === null ? null : round(mOld / (seconds * 1000), 3) } } : {}),
    };
  });
}

const range = (r) => (r ? `${Math.round(r[0])}–${Math.round(r[1])}` : '–');
const status = (row) => (row.target === null ? '' : row.met === null ? 'not measured' : row.met ? 'met' : 'NOT met');

const pairedRange = (r) => (r ? `${r[0]}–${r[1]}` : '–');
const realtime = (row) => (row.realtime ? `${row.realtime.new ?? '–'} / ${row.realtime.old ?? '–'}` : '');

/**
 * The comparison as Markdown: what was compared, the load, then one row per figure; a realtime
 * column (new / old median total over the clip's length) when a row has one.
 */
export function renderComparison({ rows, baseline, load = [], notes = [], title = 'Start-up' }) {
  const loads = load.filter((x) => typeof x === 'number');
  const loadLine = loads.length
    ? `1-minute load average during the runs: median ${round(median(loads), 2)}, ${round(Math.min(...loads), 2)}–${round(Math.max(...loads), 2)} (${loads.length} readings)`
    : 'load average not recorded';
  const withRealtime = rows.some((r) => r.realtime);
  const out = [
    `## ${title}, working tree (new) vs ${baseline.short} (old)`, '',
    `Interleaved runs (new, old, old, new, …), each in a fresh browser context; ${loadLine}. ` +
      'ratio = median new / median old; paired = median of new/old over runs measured back to back, its min–max in the last column (a range holding 1: within noise). Below 1 is faster. All times in ms.', '',
    markdownTable(
      ['figure', 'new', 'old', 'ratio', 'paired', 'new min–max', 'old min–max', 'runs (new/old)', ...(withRealtime ? ['realtime (new / old)'] : []), 'target', 'new meets', 'paired min–max'],
      rows.map((r) => [r.label, r.new_ms, r.old_ms, r.ratio, r.paired_ratio, range(r.new_range), range(r.old_range),
        `${r.runs.new}/${r.runs.old}`, ...(withRealtime ? [realtime(r)] : []), r.target === null ? '–' : `≤ ${r.target}`, status(r), pairedRange(r.paired_range)]),
    ), '',
  ];
  if (notes.length) out.push(...notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
