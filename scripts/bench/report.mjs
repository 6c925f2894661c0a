// The pure half of `npm run bench`: summary statistics over repeated runs, the targets of issue 7
// (reported as met / not met, never asserted), and the readable table written to bench/latest.md.
// Everything here takes plain numbers and objects, so it is unit-tested (report.test.ts) while the
// measuring half (run.mjs) needs a browser and is not part of `npm test`.

/** Targets for the default model on WASM (issue 7). */
export const TARGETS = Object.freeze({
  realtime_ratio: 0.3,
  live_latency_ms: 500,
  browser_native_ratio_fusion: 3,
  peak_memory_ratio_60_10: 1.5,
});

const finite = (xs) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x));

export function median(values) {
  const xs = finite(values).sort((a, b) => a - b);
  if (!xs.length) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Nearest-rank percentile (p in 0-100): always one of the observed values. */
export function percentile(values, p) {
  const xs = finite(values).sort((a, b) => a - b);
  if (!xs.length) return null;
  const rank = Math.min(xs.length, Math.max(1, Math.ceil((p / 100) * xs.length)));
  return xs[rank - 1];
}

/** Rounds to `digits` decimals; null stays null. */
export function round(x, digits = 0) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Key-wise median of records such as timings_ms of several runs (keys missing in a run are skipped). */
export function medianRecord(records) {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, round(median(records.map((r) => r[k])), 1)]));
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a, b, digits = 3) {
  if (typeof a !== 'number' || typeof b !== 'number' || !b) return null;
  return round(a / b, digits);
}

/** Each target with its measured value and whether it is met (null value = not measured). */
export function evaluateTargets(bench) {
  const rows = [];
  for (const [clip, byBackend] of Object.entries(bench.realtime_ratio ?? {})) {
    for (const [backend, value] of Object.entries(byBackend)) {
      if (!backend.startsWith('wasm')) continue;
      rows.push({ name: `realtime_ratio ${clip} ${backend}`, value, target: `≤ ${TARGETS.realtime_ratio}`, met: value === null ? null : value <= TARGETS.realtime_ratio });
    }
  }
  const live = bench.live_latency_ms;
  rows.push({ name: 'live latency p95 (ms)', value: live?.p95 ?? null, target: `≤ ${TARGETS.live_latency_ms}`, met: live?.p95 == null ? null : live.p95 <= TARGETS.live_latency_ms });
  for (const [clip, byBackend] of Object.entries(bench.browser_native_ratio?.fusion ?? {})) {
    for (const [backend, value] of Object.entries(byBackend)) {
      rows.push({ name: `browser/native fused graph ${clip} ${backend}`, value, target: `≤ ${TARGETS.browser_native_ratio_fusion}`, met: value === null ? null : value <= TARGETS.browser_native_ratio_fusion });
    }
  }
  const mem = bench.peak_memory_mb?.ratio_60s_to_10s;
  if (mem) {
    for (const kind of ['js_heap', 'total']) {
      const value = mem[kind] ?? null;
      rows.push({ name: `peak memory 60 s / 10 s (${kind})`, value, target: `≤ ${TARGETS.peak_memory_ratio_60_10}`, met: value === null ? null : value <= TARGETS.peak_memory_ratio_60_10 });
    }
  }
  return rows;
}

const cell = (x) => (x === null || x === undefined ? '–' : typeof x === 'number' ? String(x) : String(x));
const metCell = (met) => (met === null ? 'not measured' : met ? 'met' : 'NOT met');

/** A GitHub-flavoured Markdown table. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const STAGE_COLUMNS = Object.freeze(['decode', 'audio', 'frames', 'face', 'text', 'fusion', 'fusion_graph', 'models']);

function stagesTable(b) {
  const rows = [];
  for (const [clip, byBackend] of Object.entries(b.stages_ms ?? {})) {
    for (const [backend, stages] of Object.entries(byBackend)) {
      rows.push([clip, backend, ...STAGE_COLUMNS.map((k) => stages?.[k] ?? null), b.total_ms?.[clip]?.[backend] ?? null, b.realtime_ratio?.[clip]?.[backend] ?? null]);
    }
  }
  return markdownTable(['clip', 'backend', ...STAGE_COLUMNS, 'total', 'total / duration'], rows);
}

function graphsTable(b) {
  const rows = [];
  for (const [graph, byCase] of Object.entries(b.node_ms ?? {})) {
    for (const [kase, byThreads] of Object.entries(byCase)) {
      for (const [threads, ms] of Object.entries(byThreads)) {
        const browser = b.browser_graph_ms?.[graph]?.[kase]?.[`wasm-${threads}`] ?? null;
        rows.push([graph, kase, threads, browser, ms, b.browser_native_ratio?.[graph]?.[kase]?.[`wasm-${threads}`] ?? null]);
      }
    }
  }
  return markdownTable(['graph', 'input', 'threads', 'browser WASM ms', 'onnxruntime-node ms', 'browser / native'], rows);
}

/** The whole readable report: machine, targets, then one table per measurement. */
export function renderMarkdown(bench) {
  const m = bench.machine ?? {};
  const out = [];
  out.push('# Benchmark (`npm run bench`)', '');
  out.push(`Measured ${m.date ?? '?'} on ${m.cores ?? '?'} cores (${m.cpu ?? '?'}), ${m.chromium ?? '?'}, Node ${m.node ?? '?'}; ` +
    `1-minute load average ${m.load_average_1m?.start ?? '?'} at the start and ${m.load_average_1m?.end ?? '?'} at the end ` +
    '(the machine is shared with training and other jobs: treat the numbers as pessimistic).', '');
  out.push(`Clips: ${Object.entries(bench.clip_seconds ?? {}).map(([k, v]) => `${k} = ${v} s`).join(', ')} (640×480, concatenated IEMOCAP dev clips with their transcripts). ` +
    `Median of ${bench.runs ?? '?'} runs after a warm-up unless noted. All times in ms.`, '');
  out.push('## Targets (reported, not asserted)', '');
  out.push(markdownTable(['target', 'value', 'goal', 'status'], evaluateTargets(bench).map((t) => [t.name, t.value, t.target, metCell(t.met)])), '');
  out.push('## Time per stage, default model', '', 'frames = reading video frames at segment centres; face = detection + alignment; fusion = the fused-graph request, fusion_graph = its `session.run` alone; models = waiting for models (0 once loaded).', '');
  out.push(stagesTable(bench), '');
  out.push('## Graphs: browser (onnxruntime-web WASM) vs native (onnxruntime-node)', '');
  out.push('Browser numbers for `fusion` on the clips are the app\'s own `session.run` on the pipeline\'s real inputs; native runs the same inputs. Encoders and the paper graphs run in a bench-only page on the same generated inputs in both runtimes.', '');
  out.push(graphsTable(bench), '');
  out.push('## Start-up', '');
  const cs = bench.cold_start_ms ?? {};
  const ws = bench.warm_start_ms ?? {};
  out.push(markdownTable(['', 'page load', 'models ready', 'total'], [
    ['cold (empty cache)', cs.page_load ?? null, cs.models ?? null, cs.total ?? null],
    ['warm (Cache API)', ws.page_load ?? null, ws.models ?? null, ws.total ?? null],
  ]), '');
  const fr = bench.first_result_ms;
  if (fr || bench.live_first_prediction_ms != null) {
    out.push('Since issue 16, total = ms from navigation start to models ready (the page\'s clock). Return visit, fresh page: ' +
      `sample clip dropped as soon as the page answers → result ${fr?.drop_to_result ?? '–'} ms (${fr?.since_navigation ?? '–'} ms since navigation); ` +
      `live mode opened and started at once → first prediction ${bench.live_first_prediction_ms ?? '–'} ms after Start.`, '');
  }
  out.push('## Live mode', '');
  const live = bench.live_latency_ms;
  out.push(live ? markdownTable(['predictions', 'median ms', 'p95 ms', 'dropped segments', 'backlog'], [[live.n, live.median, live.p95, live.dropped_segments, live.backlog]])
    : `Not measured: ${bench.live_latency_note ?? 'no reason recorded'}.`, '');
  out.push('## Peak memory (MB)', '');
  const pm = bench.peak_memory_mb ?? {};
  out.push(markdownTable(['clip', 'JS heap (page + workers)', 'total (Chromium processes, PSS)'],
    Object.entries(pm).filter(([k]) => k !== 'ratio_60s_to_10s').map(([clip, v]) => [clip, v?.js_heap ?? null, v?.total ?? null])), '');
  out.push('## Model bytes', '');
  const mb = bench.model_bytes ?? {};
  out.push(markdownTable(['file', 'bytes'], [...Object.entries(mb.files ?? {}), ['**total**', mb.total ?? null]]), '');
  const p = bench.paper_config;
  if (p) {
    out.push('## Paper configuration (ResNet18 224×224 RGB, VGGish, bert-base; random weights)', '');
    out.push(p.note ?? '', '');
    out.push(stagesTable(p), '');
    out.push(graphsTable(p), '');
    out.push(markdownTable(['file', 'bytes'], [...Object.entries(p.model_bytes?.files ?? {}), ['**total**', p.model_bytes?.total ?? null]]), '');
  }
  if (bench.notes?.length) out.push('## Notes', '', ...bench.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
