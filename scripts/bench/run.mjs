#!/usr/bin/env node
// `npm run bench [-- --server URL] [--runs N] [--skip SECTION,...]`
//
// Measures the app in Debian's headless Chromium against the production build (`vite preview`,
// started here unless --server names a running one) and writes bench/latest.json plus the table
// bench/latest.md (issue 7, "Benchmark"). Sections: stages (time per stage, 10 s and 60 s clips,
// WASM 1 and 2 threads, WebGPU on SwiftShader), memory, start (cold and warm), live, graphs
// (onnxruntime-web vs onnxruntime-node, default and paper configuration). Targets are reported,
// never asserted: the machine is shared, so the numbers are pessimistic and the load is recorded.
// `--baseline <git-ref>` builds that commit too (scripts/bench/baseline.mjs) and measures the
// start-up figures (section start) and the per-clip analysis figures (section realtime) of both
// interleaved, reported as new/old ratios (scripts/bench/compare.mjs); `--only start,realtime`
// measures nothing else, so such a comparison takes minutes.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, startServer } from '../lib/app-browser.mjs';
import { parseCommandLine, UsageError, usageFailure } from '../lib/cli.mjs';
import { analyzeFile, CHROMIUM, launchChromium, openApp, startMemorySampler, within } from './browser.mjs';
import { buildBaseline, serveDist, WORKING_TREE_MODELS } from './baseline.mjs';
import { GENERATED, makeClip, makeFakeDevices } from './clips.mjs';
import { analysisFigures, analysisRecord, compareStartup, interleavedOrder, renderComparison } from './compare.mjs';
import { startupRun } from './startup.mjs';
import { graphInputs } from './graphInputs.mjs';
import { timeNative } from './native.mjs';
import { median, medianRecord, percentile, ratio, renderMarkdown, round } from './report.mjs';

const SECTIONS = Object.freeze(['stages', 'memory', 'start', 'realtime', 'live', 'graphs', 'webgpu']);
/** Other names accepted for a section. */
const SECTION_ALIASES = Object.freeze({ startup: 'start', analysis: 'realtime' });
/** Which model files a baseline is built with: its commit's own, or the working tree's. */
const BASELINE_MODELS = Object.freeze(['own', 'working-tree']);
const CLIPS = Object.freeze([10, 60]);
const WARMUP_SECONDS = 3;
const PAPER_DIR = join(GENERATED, 'paper');
const MODELS_DIR = join(ROOT, 'public', 'models');
/** Backends of the stage timings: WASM with 1 and 2 threads, and WebGPU through SwiftShader (recorded, not a target). */
const BACKENDS = Object.freeze([
  { name: 'wasm-1t', backend: 'wasm', threads: 1 },
  { name: 'wasm-2t', backend: 'wasm', threads: 2 },
]);
/** WebGPU through SwiftShader: recorded, not a target; one run on the 10 s clip, last (it is slow). */
const WEBGPU = Object.freeze({ name: 'webgpu-swiftshader', backend: 'webgpu', webgpu: true, clips: [10], runs: 1, timeoutMs: 900_000 });
const LIVE_PREDICTIONS = 20;

const log = (msg) => console.error(`[bench] ${msg}`);
const clipKey = (s) => `${s}s`;

const USAGE = `Usage: npm run bench -- [--server URL] [--runs N] [--skip ${SECTIONS.join(',')}] [--only S,...] [--baseline REF] [--baseline-models own|working-tree] [--out DIR] [--previous A.json,B.json]

  --server URL       measure an already running server of the built app instead of starting one
  --runs N           runs per measurement (default 3)
  --skip S,...       sections to leave out (repeatable); they keep their values from --previous
  --only S,...       measure only these sections (\`startup\` = start, \`analysis\` = realtime); the others are kept as with --skip
  --baseline REF     also build the commit REF (temporary git worktree) and measure its start-up (start)
                     and per-clip analysis (realtime: stages, total, realtime ratio of the 10 s and 60 s
                     clips, WASM 1 and 2 threads) interleaved with the working tree's, as new/old ratios
  --baseline-models  own (default): REF's own public/models; working-tree: this checkout's, so that
                     code is compared with code on the same model files
  --out DIR          where latest.json and latest.md go (default bench/)
  --previous F,...   earlier reports skipped sections are taken from (default DIR/latest.json)`;

const OPTIONS = Object.freeze({
  server: { type: 'string' },
  runs: { type: 'string' },
  skip: { type: 'string', multiple: true, default: [] },
  only: { type: 'string', multiple: true, default: [] },
  baseline: { type: 'string' },
  'baseline-models': { type: 'string', default: 'own' },
  out: { type: 'string', default: join(ROOT, 'bench') },
  previous: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});

export function parseArgs(argv) {
  const { values } = parseCommandLine(argv, OPTIONS);
  const sections = (option, lists) => lists.flatMap((list) => list.split(',')).map((s) => {
    const name = SECTION_ALIASES[s] ?? s;
    if (!SECTIONS.includes(name)) throw new UsageError(`--${option} takes ${SECTIONS.join(', ')}; not ${s}.`);
    return name;
  });
  const skip = sections('skip', values.skip);
  const only = sections('only', values.only);
  if (only.length && skip.length) throw new UsageError('--only and --skip do not go together: name the sections to measure, or those to leave out.');
  const baselineModels = values['baseline-models'];
  if (!BASELINE_MODELS.includes(baselineModels)) throw new UsageError(`--baseline-models takes ${BASELINE_MODELS.join(' or ')}; not ${baselineModels}.`);
  return {
    baselineModels,
    server: values.server, runs: values.runs === undefined ? 3 : Math.max(1, Number(values.runs) || 1),
    skip: new Set(only.length ? SECTIONS.filter((s) => !only.includes(s)) : skip),
    baseline: values.baseline ?? null, out: values.out, previous: values.previous?.split(',') ?? null, help: values.help,
  };
}

function machine() {
  let chromium = '?';
  try {
    chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { /* reported as ? */ }
  return {
    cores: cpus().length, cpu: cpus()[0]?.model ?? '?', memory_gb: round(totalmem() / 1024 ** 3, 1),
    chromium, node: process.version, date: new Date().toISOString(), js_flags: process.env.MER_BENCH_JS_FLAGS ?? null,
    load_average_1m: { start: round(loadavg()[0], 2), end: null },
  };
}

function modelBytes(dir, files) {
  const entries = files.filter((f) => existsSync(join(dir, f))).map((f) => [f, statSync(join(dir, f)).size]);
  return { files: Object.fromEntries(entries), total: entries.reduce((s, [, b]) => s + b, 0) };
}

const fromBase64 = (b64) => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
};

/** The pipeline's captured fused-graph inputs (cliHook `features`) as graph input specs (batch restored). */
function capturedFusionInputs(features) {
  return Object.fromEntries(Object.entries(features.tensors).filter(([k]) => k !== 'pcm')
    .map(([k, t]) => [k, { type: 'float32', dims: [1, ...t.dims], data: fromBase64(t.base64) }]));
}

// ------------------------------------------------------------------ stages

async function measureStages(serverUrl, clips, opts, configs, memory = null) {
  const out = {}; // clip -> backend -> {timings: [], graph: [], tokens, segments, backendRan, features}
  for (const cfg of configs) {
    const chrome = await launchChromium({ webgpu: cfg.webgpu });
    const { browser } = chrome;
    try {
      const app = await openApp(browser, serverUrl, { backend: cfg.backend, threads: cfg.threads, log });
      const warm = clips.warmup;
      if (!cfg.timeoutMs) log(`${cfg.name}: warm-up on ${warm.seconds} s`);
      if (!cfg.timeoutMs) {
        const w = await analyzeFile(app, warm.path, { backend: cfg.backend, transcript: warm.transcript });
        if (!w.ok) throw new Error(`${cfg.name} warm-up failed: ${w.error}`);
      }
      // Peak memory while analysing, sampled in the 1-thread WASM browser (models loaded by the warm-up).
      const sampler = memory && cfg.name === 'wasm-1t' ? await startMemorySampler(browser, chrome.marker) : null;
      for (const s of cfg.clips ?? CLIPS) {
        const clip = clips[s];
        const runs = cfg.runs ?? opts.runs;
        sampler?.mark();
        const rec = { timings: [], graph: [], tokens: null, segments: null, backendRan: null, features: null };
        for (let i = 0; i < runs; i++) {
          log(`${cfg.name}: ${s} s clip, run ${i + 1}/${runs}`);
          const analysis = analyzeFile(app, clip.path, { backend: cfg.backend, transcript: clip.transcript });
          const r = cfg.timeoutMs
            ? await within(cfg.timeoutMs, 'the analysis', analysis).catch((e) => ({ ok: false, error: e.message }))
            : await analysis;
          if (!r.ok) throw new Error(`${cfg.name} on ${s} s failed: ${r.error}`);
          rec.timings.push(r.result.timings_ms);
          if (r.result.timings_ms.fusion_graph !== undefined) rec.graph.push(r.result.timings_ms.fusion_graph);
          rec.segments = r.result.segments.length;
          rec.tokens = app.textTokens.at(-1) ?? null;
          rec.backendRan = r.result.backend;
        }
        if (sampler) memory[clipKey(s)] = sampler.mark();
        if (cfg.name === 'wasm-1t') {
          // One more, untimed run that hands back the fused graph's inputs for onnxruntime-node.
          const r = await analyzeFile(app, clip.path, { backend: cfg.backend, transcript: clip.transcript, features: true });
          if (r.ok && r.features) rec.features = r.features;
          else log(`could not capture the fused graph's inputs: ${r.error ?? 'no features in the outcome'}`);
        }
        (out[clipKey(s)] ??= {})[cfg.name] = rec;
      }
      await sampler?.stop();
    } catch (e) {
      log(`${cfg.name}: ${e.message}`);
      for (const s of cfg.clips ?? CLIPS) (out[clipKey(s)] ??= {})[cfg.name] ??= { error: e.message.split('\n')[0] };
    } finally {
      await chrome.close();
    }
  }
  return out;
}

// ------------------------------------------------------------------ memory

/** Peaks per clip (sampled during the 1-thread WASM stage runs) and the 60 s / 10 s ratios. */
function memorySummary(memory) {
  const out = { ...memory };
  const a = memory[clipKey(10)];
  const b = memory[clipKey(60)];
  out.ratio_60s_to_10s = { js_heap: ratio(b?.js_heap, a?.js_heap, 2), total: ratio(b?.total, a?.total, 2) };
  out.ratio_60s_to_10s.within_1_5 = [out.ratio_60s_to_10s.js_heap, out.ratio_60s_to_10s.total].every((x) => x !== null && x <= 1.5);
  return out;
}

// ------------------------------------------------------------------ start-up

/** The live engineer's fake devices (scripts/make-fake-devices.mjs) when present, else ours from the clip. */
async function fakeDevices(clip) {
  const theirs = join(ROOT, 'scripts', 'make-fake-devices.mjs');
  if (existsSync(theirs)) {
    try {
      return (await import(theirs)).makeFakeDevices();
    } catch (e) {
      log(`make-fake-devices.mjs failed (${e.message}); making our own`);
    }
  }
  return makeFakeDevices(clip.path);
}

const fakeCaptureArgs = (devices) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${devices.video}`, `--use-file-for-fake-audio-capture=${devices.audio}`];

/** The "Try the sample clip" video of this checkout (public/sample/), else the 3 s warm-up clip. */
function sampleClip(clips) {
  const info = join(ROOT, 'public', 'sample', 'sample.json');
  if (existsSync(info)) {
    const s = JSON.parse(readFileSync(info, 'utf8'));
    return { path: join(ROOT, 'public', 'sample', s.file), transcript: s.transcript, name: 'sample clip' };
  }
  return { ...clips.warmup, name: `${clips.warmup.seconds} s clip (no sample clip in this checkout)` };
}

/**
 * Start-up figures (scripts/bench/startup.mjs) of each build in `servers` ({new: url, old: url}),
 * `runs` runs each, interleaved (new, old, old, new, …) in one browser. Returns per build the run
 * records, and the 1-minute load average before each run.
 */
async function measureStart(servers, runs, clips) {
  const chrome = await launchChromium({ extraArgs: fakeCaptureArgs(await fakeDevices(clips[10])) });
  const sample = sampleClip(clips);
  const out = { runs: { new: [], old: [] }, errors: [], load: [], sample: sample.name };
  const builds = Object.keys(servers);
  const order = builds.length > 1 ? interleavedOrder(runs) : Array(runs).fill(builds[0]);
  try {
    for (const [i, build] of order.entries()) {
      out.load.push(round(loadavg()[0], 2));
      log(`start-up ${i + 1}/${order.length} (${build}), load ${out.load.at(-1)}`);
      const { record, errors } = await startupRun(chrome.browser, servers[build], { sample, log });
      out.runs[build].push(record);
      out.errors.push(...errors.map((e) => `${build}: ${e}`));
      log(`  ${Object.entries(record).map(([k, v]) => `${k} ${v === null ? '–' : Math.round(v)}`).join(', ')}`);
    }
  } finally {
    await chrome.close();
  }
  return out;
}

/** The working tree's start-up runs as the report's cold/warm start keys (ms since navigation). */
function startSummary(records) {
  const m = (key) => round(median(records.map((r) => r[key])), 0);
  const pageLoad = m('page_load');
  return {
    cold_start_ms: { page_load: pageLoad, models: m('first_visit_models') === null ? null : round(m('first_visit_models') - pageLoad, 0), total: m('first_visit_models'), runs: records.length },
    warm_start_ms: { page_load: null, models: null, total: m('return_visit_models'), runs: records.length },
    first_result_ms: { drop_to_result: m('first_result'), since_navigation: m('first_result_since_navigation'), runs: records.length },
    live_first_prediction_ms: m('live_first_prediction'),
  };
}

// ------------------------------------------------------------------ analysis against a baseline

/**
 * Per-clip analysis of each build in `servers` ({new: url, old: url}), `runs` runs each,
 * interleaved (new, old, old, new, …). A run of a build is, per backend, a fresh browser context:
 * models loaded, a warm-up on the short clip (wasm tiers up), then the 10 s and 60 s clips once.
 * Returns per build the run records (compare.mjs `analysisRecord`) and the load before each run.
 */
async function measureAnalysis(servers, runs, clips, backends) {
  const chrome = await launchChromium();
  const out = { runs: { new: [], old: [] }, errors: [], load: [] };
  try {
    for (const [i, build] of interleavedOrder(runs).entries()) {
      out.load.push(round(loadavg()[0], 2));
      log(`analysis ${i + 1}/${runs * 2} (${build}), load ${out.load.at(-1)}`);
      const byClip = {};
      for (const cfg of backends) {
        const app = await openApp(chrome.browser, servers[build], { backend: cfg.backend, threads: cfg.threads, log });
        try {
          const warm = await analyzeFile(app, clips.warmup.path, { backend: cfg.backend, transcript: clips.warmup.transcript });
          if (!warm.ok) throw new Error(`warm-up failed: ${warm.error}`);
          for (const s of CLIPS) {
            const r = await analyzeFile(app, clips[s].path, { backend: cfg.backend, transcript: clips[s].transcript });
            (byClip[clipKey(s)] ??= {})[cfg.name] = r.ok ? { timings_ms: r.result.timings_ms, segments: r.result.segments.length } : { error: r.error };
            if (!r.ok) out.errors.push(`${build} ${cfg.name} ${s} s: ${r.error}`);
          }
        } catch (e) {
          out.errors.push(`${build} ${cfg.name}: ${e.message.split('\n')[0]}`);
        } finally {
          await app.context.close().catch(() => undefined);
        }
      }
      const record = analysisRecord(byClip);
      out.runs[build].push(record);
      log(`  ${CLIPS.flatMap((s) => backends.map((b) => `${s} s ${b.name} total ${Math.round(record[`${clipKey(s)} ${b.name} total`] ?? NaN)}`)).join(', ')}`);
    }
  } finally {
    await chrome.close();
  }
  return out;
}

// ------------------------------------------------------------------ live

/** Median / p95 of live latencies from `window.__merLiveStats()`; null with a reason when live mode is absent. */
async function measureLive(serverUrl, clip) {
  const devices = await fakeDevices(clip);
  const chrome = await launchChromium({ extraArgs: fakeCaptureArgs(devices) });
  const { browser } = chrome;
  try {
    const app = await openApp(browser, serverUrl, { backend: 'wasm', log });
    await app.context.grantPermissions(['camera', 'microphone']);
    if (!(await app.page.evaluate(() => typeof window.__merLiveStats === 'function'))) {
      return { value: null, note: 'live mode is not in this build (no window.__merLiveStats)' };
    }
    // Start live mode the way a user does: the mode switch, then Start.
    await app.page.getByTestId('mode-live').click({ timeout: 30_000 });
    await app.page.getByTestId('live-start').click({ timeout: 30_000 });
    const deadline = Date.now() + 480_000;
    let stats = null;
    while (Date.now() < deadline) {
      stats = await app.page.evaluate(() => window.__merLiveStats());
      if ((stats?.latencies_ms?.length ?? 0) >= LIVE_PREDICTIONS + 2) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const all = stats?.latencies_ms ?? [];
    const lat = all.length > LIVE_PREDICTIONS ? all.slice(2) : all; // the first predictions include model warm-up
    if (!lat.length) return { value: null, note: 'live mode started but made no prediction within 8 minutes' };
    return {
      value: {
        n: lat.length, median: round(median(lat), 1), p95: round(percentile(lat, 95), 1),
        dropped_segments: stats.dropped_segments ?? null, backlog: stats.backlog ?? null,
        stages_ms: Object.fromEntries(Object.entries(stats.stages_ms ?? {}).map(([k, v]) => [k, round(median(v), 1)])),
      },
      note: null,
    };
  } catch (e) {
    return { value: null, note: `live measurement failed: ${e.message.split('\n')[0]}` };
  } finally {
    await chrome.close();
  }
}

// ------------------------------------------------------------------ graphs

/** Graphs timed in the bench page and in Node: [name, model path, URL in the page, kind, shape]. */
function graphCases(tokens, segments) {
  const cases = [];
  for (const [clip, n] of Object.entries(tokens)) {
    cases.push({ config: 'default', graph: 'text_encoder', kase: `${clip} (${n} tokens)`, file: join(MODELS_DIR, 'text/onnx/model_quantized.onnx'), url: '/models/text/onnx/model_quantized.onnx', kind: 'text', shape: { tokens: n } });
    cases.push({ config: 'paper', graph: 'text_encoder', kase: `${clip} (${n} tokens)`, file: join(PAPER_DIR, 'text/onnx/model_quantized.onnx'), url: '/__bench/paper/text/onnx/model_quantized.onnx', kind: 'text', shape: { tokens: n } });
  }
  cases.push({ config: 'default', graph: 'face_detector', kase: 'one frame (7 views)', file: join(MODELS_DIR, 'face_detector.onnx'), url: '/models/face_detector.onnx', kind: 'detector', shape: { batch: 7, size: 192 } });
  for (const [clip, t] of Object.entries(segments)) {
    cases.push({ config: 'default', graph: 'fusion_generated', kase: `${clip} (T=${t})`, file: join(MODELS_DIR, 'fusion.onnx'), url: '/models/fusion.onnx', kind: 'fusion', shape: { segments: t, channels: 1, size: 48, textDim: 256 } });
    cases.push({ config: 'paper', graph: 'fusion', kase: `${clip} (T=${t})`, file: join(PAPER_DIR, 'fusion_int8.onnx'), url: '/__bench/paper/fusion_int8.onnx', kind: 'fusion', shape: { segments: t, channels: 3, size: 224, textDim: 768 } });
  }
  return cases;
}

function readPart(file, offset, length) {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

async function timeInPage(serverUrl, cases, threads, runs) {
  const origin = new URL(serverUrl).origin;
  const chrome = await launchChromium();
  const { browser } = chrome;
  const results = new Map();
  try {
    const context = await browser.newContext();
    await context.route((url) => url.origin !== origin, (route) => route.abort('blockedbyclient'));
    const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
    const files = {
      '/__bench/harness.html': [join(ROOT, 'scripts/bench/harness.html'), 'text/html'],
      '/__bench/graphInputs.mjs': [join(ROOT, 'scripts/bench/graphInputs.mjs'), 'text/javascript'],
      '/__bench/ort.wasm.min.mjs': [join(ROOT, 'node_modules/onnxruntime-web/dist/ort.wasm.min.mjs'), 'text/javascript'],
    };
    await context.route(`${origin}/__bench/**`, (route) => {
      const url = new URL(route.request().url());
      const path = url.pathname;
      if (files[path]) return route.fulfill({ status: 200, path: files[path][0], headers: { 'Content-Type': files[path][1], ...isolation } });
      const paper = path.startsWith('/__bench/paper/') ? join(PAPER_DIR, path.slice('/__bench/paper/'.length)) : null;
      if (!paper || !existsSync(paper)) return route.fulfill({ status: 404, body: 'not found' });
      // Paper models are large: their size, then parts (see fetchModel in harness.html).
      if (url.searchParams.has('stat')) return route.fulfill({ status: 200, json: { bytes: statSync(paper).size }, headers: isolation });
      return route.fulfill({ status: 200, body: readPart(paper, Number(url.searchParams.get('offset')), Number(url.searchParams.get('length'))), headers: { 'Content-Type': 'application/octet-stream', ...isolation } });
    });
    const byModel = new Map();
    for (const c of cases) byModel.set(c.url, [...(byModel.get(c.url) ?? []), c]);
    for (const [url, group] of byModel) {
      // A page per model file: a crash (out of memory) costs that model only, and memory starts clean.
      log(`graphs: browser ${threads} thread(s): ${url} (${group.map((c) => c.kase).join(', ')})`);
      const page = await context.newPage();
      let crashed = false;
      page.on('crash', () => { crashed = true; });
      page.on('console', (m) => { if (m.type() === 'error' || process.env.MER_BENCH_VERBOSE) log(`  [harness ${m.type()}] ${m.text()}`); });
      try {
        await page.goto(`${origin}/__bench/harness.html?threads=${threads}`, { timeout: 300_000 });
        await page.waitForFunction(() => window.__benchReady === true, null, { timeout: 60_000 });
        const r = await page.evaluate((a) => window.__benchTimeGraph(a), { url, cases: group.map((c) => ({ kind: c.kind, shape: c.shape, runs: c.runs ?? runs })) });
        group.forEach((c, i) => results.set(c, { session_ms: r.session_ms, runs_ms: r.runs_ms[i] }));
      } catch (e) {
        const error = crashed ? 'the bench page crashed (out of memory?)' : e.message.split('\n')[0];
        for (const c of group) results.set(c, { error });
        log(`  failed: ${error}`);
      } finally {
        await page.close().catch(() => undefined);
      }
    }
  } finally {
    await chrome.close();
  }
  return results;
}

async function measureGraphs(serverUrl, stages, clips, runs) {
  const tokens = {};
  const segments = {};
  // The model's time base (src/timebase.ts reads the same manifest field).
  const segmentSeconds = JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')).audio.segment_seconds;
  for (const s of CLIPS) {
    segments[clipKey(s)] = stages?.[clipKey(s)]?.['wasm-1t']?.segments ?? Math.ceil(clips[s].seconds / segmentSeconds);
    // Word pieces of the transcript, [CLS] and [SEP] included, capped at the contract's 128.
    tokens[clipKey(s)] = stages?.[clipKey(s)]?.['wasm-1t']?.tokens ?? Math.min(128, Math.round(clips[s].transcript.split(/\s+/).length * 1.3) + 2);
  }
  const cases = graphCases(tokens, segments).filter((c) => existsSync(c.file));
  for (const c of cases) if (c.config === 'paper' && c.kind === 'fusion') c.runs = Math.min(runs, 2); // the slow one
  const browser = {};
  for (const threads of [1, 2]) browser[threads] = await timeInPage(serverUrl, cases, threads, runs);
  const rows = [];
  for (const c of cases) {
    for (const threads of [1, 2]) {
      log(`graphs: node ${threads} thread(s): ${c.config} ${c.graph} ${c.kase}`);
      const n = await timeNative(c.file, graphInputs(c.kind, c.shape), { threads, runs: c.runs ?? runs }).catch((e) => ({ error: e.message }));
      const b = browser[threads].get(c) ?? {};
      rows.push({ ...c, threads, browser_ms: round(median(b.runs_ms ?? []), 1), browser_session_ms: round(b.session_ms, 0), node_ms: round(median(n.runs_ms ?? []), 1), node_session_ms: round(n.session_ms, 0), error: b.error ?? n.error });
    }
  }
  // The app's fused graph on the pipeline's own inputs (captured from the browser run).
  for (const s of CLIPS) {
    const rec = stages?.[clipKey(s)]?.['wasm-1t'];
    if (!rec?.features) continue;
    const inputs = capturedFusionInputs(rec.features);
    for (const threads of [1, 2]) {
      log(`graphs: node ${threads} thread(s): app fusion on the ${s} s clip's inputs`);
      const n = await timeNative(join(MODELS_DIR, 'fusion.onnx'), inputs, { threads, runs }).catch((e) => ({ error: e.message }));
      const appGraph = stages?.[clipKey(s)]?.[`wasm-${threads}t`]?.graph ?? [];
      rows.push({ config: 'default', graph: 'fusion', kase: `${clipKey(s)} (T=${inputs.log_mel.dims[1]}, pipeline inputs)`, threads, browser_ms: round(median(appGraph), 1), node_ms: round(median(n.runs_ms ?? []), 1), node_session_ms: round(n.session_ms, 0), error: n.error });
    }
  }
  return rows;
}

/** {node_ms, browser_graph_ms, browser_native_ratio, sessions} for one configuration's rows. */
function graphTables(rows) {
  const node_ms = {};
  const browser_graph_ms = {};
  const browser_native_ratio = {};
  const sessions = {};
  for (const r of rows) {
    const t = `${r.threads}t`;
    ((node_ms[r.graph] ??= {})[r.kase] ??= {})[t] = r.node_ms;
    ((browser_graph_ms[r.graph] ??= {})[r.kase] ??= {})[`wasm-${t}`] = r.browser_ms;
    ((browser_native_ratio[r.graph] ??= {})[r.kase] ??= {})[`wasm-${t}`] = ratio(r.browser_ms, r.node_ms, 2);
    if (r.browser_session_ms != null) ((sessions[r.graph] ??= {})[r.kase] ??= {})[`wasm-${t}`] = r.browser_session_ms;
  }
  return { node_ms, browser_graph_ms, browser_native_ratio, sessions };
}

// ------------------------------------------------------------------ assembly

function stageSummaries(stages) {
  const stages_ms = {};
  const total_ms = {};
  const realtime_ratio = {};
  const backends_ran = {};
  for (const [clip, byBackend] of Object.entries(stages)) {
    for (const [name, rec] of Object.entries(byBackend)) {
      if (rec.error) {
        (stages_ms[clip] ??= {})[name] = { error: rec.error };
        continue;
      }
      const m = medianRecord(rec.timings);
      const { total, ...rest } = m;
      (stages_ms[clip] ??= {})[name] = { ...rest, fusion_graph: round(median(rec.graph), 1), runs: rec.timings.length };
      (total_ms[clip] ??= {})[name] = total;
      (backends_ran[clip] ??= {})[name] = rec.backendRan;
    }
  }
  return { stages_ms, total_ms, backends_ran };
}

function realtime(total_ms, clipSeconds) {
  const out = {};
  for (const [clip, byBackend] of Object.entries(total_ms)) {
    for (const [name, total] of Object.entries(byBackend)) (out[clip] ??= {})[name] = ratio(total, clipSeconds[clip] * 1000, 3);
  }
  return out;
}

/** Graph rows back from the stored tables (default and paper), so a merge can recompute the paper stages. */
function rowsFromTables(bench) {
  const rows = [];
  const add = (config, table) => {
    for (const [graph, byCase] of Object.entries(table ?? {})) {
      for (const [kase, byBackend] of Object.entries(byCase)) {
        for (const [backend, ms] of Object.entries(byBackend)) rows.push({ config, graph, kase, threads: Number(/wasm-(\d)t/.exec(backend)?.[1]), browser_ms: ms });
      }
    }
  };
  add('default', bench.browser_graph_ms);
  add('paper', bench.paper_config?.browser_graph_ms);
  return rows;
}

/**
 * The paper configuration's stages: the default's measured front end (decode, log-mel, frames,
 * face detection and alignment), with the text encoder and fused graph swapped for the paper's:
 * stage - default graph time + paper graph time, both timed in the bench page on the same inputs.
 */
function paperStages(defaults, graphRows) {
  const find = (config, graph, clip, threads) => graphRows.find((r) => r.config === config && r.graph === graph && r.kase.startsWith(`${clip} `) && r.threads === threads)?.browser_ms ?? null;
  const stages_ms = {};
  const total_ms = {};
  for (const [clip, byBackend] of Object.entries(defaults.stages_ms)) {
    for (const [name, st] of Object.entries(byBackend)) {
      const threads = name === 'wasm-1t' ? 1 : name === 'wasm-2t' ? 2 : null;
      if (!threads || st.error) continue;
      const swap = (stage, graph) => {
        const d = find('default', graph === 'fusion' ? 'fusion_generated' : graph, clip, threads);
        const p = find('paper', graph, clip, threads);
        return d === null || p === null || st[stage] == null ? null : round(st[stage] - d + p, 1);
      };
      const text = swap('text', 'text_encoder');
      const fusion = swap('fusion', 'fusion');
      const total = text === null || fusion === null ? null : round(defaults.total_ms[clip][name] - st.text - st.fusion + text + fusion, 1);
      (stages_ms[clip] ??= {})[name] = { ...st, text, fusion, fusion_graph: find('paper', 'fusion', clip, threads) };
      (total_ms[clip] ??= {})[name] = total;
    }
  }
  return { stages_ms, total_ms };
}

const PAPER_NOTE = 'ResNet18 at 224×224 RGB faces, VGGish audio encoder, bert-base sizes (12 layers, 768 hidden), random weights, int8 like the shipped graphs '
  + '(scripts/bench/export_paper.py). Stages: the default pipeline\'s measured decode, log-mel, frames and face detection, with the text '
  + 'encoder and fused graph swapped for the paper\'s (stage − default graph + paper graph, both timed in the bench page on the same inputs); '
  + 'the 224×224 RGB crops\' extra alignment cost is not included. Start-up = session creation in the bench page (download excluded); live and memory not measured.';

/** The keys each section writes: a skipped section keeps its values from --previous (default: the out dir's latest.json). */
const SECTION_KEYS = Object.freeze({
  stages: ['stages_ms', 'total_ms', 'realtime_ratio', 'backends_ran', 'runs', 'machine'],
  memory: ['peak_memory_mb'],
  graphs: ['node_ms', 'browser_native_ratio', 'browser_graph_ms', 'browser_session_ms', 'paper_config'],
  start: ['cold_start_ms', 'warm_start_ms', 'first_result_ms', 'live_first_prediction_ms', 'baseline_comparison'],
  realtime: ['baseline_analysis'],
  live: ['live_latency_ms', 'live_latency_note'],
});

/** Values of skipped sections from earlier results, first file that has them wins. */
export function keptFromPrevious(skip, previous) {
  const kept = {};
  for (const section of skip) {
    for (const key of SECTION_KEYS[section] ?? []) {
      // A placeholder note ("not measured …") is not a measurement: a later file's real one wins.
      const from = previous.find((p) => p[key] !== undefined && p[key] !== null && !(key === 'live_latency_note' && /^not measured/.test(p[key])));
      if (from) kept[key] = from[key];
    }
  }
  return kept;
}

/**
 * Notes of earlier runs to carry beside kept sections: an earlier baseline comparison's note goes
 * when this run compares every section it named (its figures are overwritten), and a "kept from"
 * note always goes (this run writes its own).
 */
export function carriedNotes(previousNotes, comparedNow) {
  return previousNotes.filter((n) => {
    if (n.startsWith('Sections ')) return false;
    const m = /^(.*?) compared with .* in a temporary worktree/.exec(n);
    if (!m) return true;
    const sections = m[1].toLowerCase().split(' and ');
    return !sections.every((s) => comparedNow.map((c) => c.toLowerCase()).includes(s));
  });
}

/** Deep-merges a clip -> backend table into another (the WebGPU rows join the WASM ones). */
function mergeByClip(into = {}, from = {}) {
  for (const [clip, byBackend] of Object.entries(from)) into[clip] = { ...(into[clip] ?? {}), ...byBackend };
  return into;
}

/** The JSON in the issue's key order, then everything else. */
function ordered(bench) {
  const keys = ['clip_seconds', 'stages_ms', 'total_ms', 'realtime_ratio', 'node_ms', 'browser_native_ratio', 'cold_start_ms', 'warm_start_ms',
    'live_latency_ms', 'peak_memory_mb', 'model_bytes', 'paper_config', 'machine'];
  return { ...Object.fromEntries(keys.map((k) => [k, bench[k] ?? null])), ...bench };
}

function write(outDir, bench) {
  const b = ordered(bench);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(b, null, 2)}\n`);
  const c = b.baseline_comparison;
  const a = b.baseline_analysis;
  const md = renderMarkdown(b) + (c ? `\n${renderComparison({ rows: c.rows, baseline: c.baseline, load: c.load_average_1m, notes: [`Sample: ${c.sample}.`] })}` : '')
    + (a ? `\n${renderComparison({ title: 'Analysis per clip', rows: a.rows, baseline: a.baseline, load: a.load_average_1m, notes: a.notes })}` : '');
  writeFileSync(join(outDir, 'latest.md'), md);
  return md;
}

/** The working tree's build (made by startServer when stale) copied aside and served from there. */
async function snapshotServer(log) {
  const built = await startServer(log);
  await built.close();
  const dir = join(GENERATED, 'worktree-dist');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  return serveDist(dir);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    return usageFailure(e, 'npm run bench', USAGE);
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const m = machine();
  log(`${m.cores} cores, load ${m.load_average_1m.start}, ${m.chromium}`);
  mkdirSync(opts.out, { recursive: true });
  const clips = { warmup: makeClip(WARMUP_SECONDS) };
  for (const s of CLIPS) clips[s] = makeClip(s);
  const clip_seconds = Object.fromEntries(CLIPS.map((s) => [clipKey(s), clips[s].seconds]));
  if (!opts.skip.has('graphs') && !existsSync(join(PAPER_DIR, 'fusion_int8.onnx'))) {
    log('exporting the paper configuration (random weights) once into bench/.generated/paper …');
    const r = spawnSync('node', [join(ROOT, 'scripts/run-python.mjs'), join(ROOT, 'scripts/bench/export_paper.py'), '--out', PAPER_DIR], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.status !== 0) log('paper export failed; paper_config will lack its graphs');
  }
  const manifest = JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8'));
  const notes = [
    'WebGPU runs on SwiftShader (a software adapter): recorded for correctness and cost, not a target; one run on the 10 s clip, no warm-up.',
    'onnxruntime-web in the browser and onnxruntime-node are different builds (see package.json); native = CPU execution provider with the same intra-op thread count.',
    'Graph timings (both runtimes) follow a warm-up of up to 20 runs or 8 s: V8 runs wasm as baseline (Liftoff) code first and tiers it up as it runs. The fused graph\'s remaining gap to native is its matrix products: onnxruntime-node uses AVX-512 on this CPU, the WASM build 128-bit SIMD without FMA; the same MatMul shapes ran about 6x slower in WASM (bench/README.md).',
    'Peak memory is sampled every 250 ms during the 1-thread WASM runs of each clip, models already loaded: JS heap = Runtime.getHeapUsage summed over the page and its workers (WASM memory is not JS heap); total = PSS of all Chromium processes.',
  ];
  const bench = {
    clip_seconds, runs: opts.runs, machine: m, notes,
    model_bytes: { files: Object.fromEntries(manifest.files.map((f) => [f.path, f.bytes])), total: manifest.files.reduce((a, f) => a + f.bytes, 0) },
    live_latency_ms: null, live_latency_note: 'not measured (--skip live)',
  };
  const checkpoint = (what) => {
    if (bench.machine === m) m.load_average_1m.end = round(loadavg()[0], 2);
    write(opts.out, bench);
    log(`${what} done; bench/latest.json updated (load ${m.load_average_1m.end})`);
  };
  const previousFiles = (opts.previous ?? [join(opts.out, 'latest.json')]).filter((f) => existsSync(f));
  const previous = previousFiles.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  Object.assign(bench, keptFromPrevious(opts.skip, previous));
  if (bench.machine !== m) {
    // The stage runs' machine record (their load average) is the one that matters; say when we merged.
    bench.machine = { ...bench.machine, merged_at: m.date, load_average_1m_at_merge: m.load_average_1m.start };
  }
  // Notes of the kept sections' runs (failed graphs and the like) stay with them; a full run
  // starts from its own notes, so an outdated note does not live on.
  const comparedNow = opts.baseline ? [!opts.skip.has('start') && 'Start-up', !opts.skip.has('realtime') && 'per-clip analysis'].filter(Boolean) : [];
  if (opts.skip.size) for (const p of previous) for (const n of carriedNotes(p.notes ?? [], comparedNow)) if (!notes.includes(n)) notes.push(n);
  if (previousFiles.length && opts.skip.size) notes.push(`Sections ${[...opts.skip].join(', ')} kept from an earlier run (${previousFiles.map((f) => f.replace(`${ROOT}/`, '')).join(', ')}).`);
  // The baseline is built before anything is measured, and served beside the working tree's build.
  const baseline = opts.baseline ? buildBaseline(opts.baseline, log, { models: opts.baselineModels === 'working-tree' ? WORKING_TREE_MODELS : null }) : null;
  if (baseline && opts.skip.has('start') && opts.skip.has('realtime')) log('--baseline compares the start and realtime sections: both are skipped, so nothing is compared');
  if (!baseline && !opts.skip.has('realtime') && opts.skip.size) log('the realtime section compares with --baseline; without one the stages section measures the working tree');
  // Against a baseline, the working tree's build is served from a copy: dist/ is shared with
  // anyone building in this checkout, and a rebuild mid-run would swap or remove its files.
  const server = baseline && !opts.server ? await snapshotServer(log) : await startServer(log, opts.server);
  let baselineServer = null;
  try {
    baselineServer = baseline ? await serveDist(baseline.dist) : null;
    if (baseline) {
      const compared = comparedNow.join(' and ');
      if (compared) notes.push(`${compared} compared with ${baseline.short} (${opts.baseline}) built with ${baseline.models}, in a temporary worktree, served with this checkout's headers; other sections measure the working tree only.`);
    }
    const memory = opts.skip.has('memory') ? null : {};
    const stages = opts.skip.has('stages') ? {} : await measureStages(server.url, clips, opts, BACKENDS, memory);
    if (!opts.skip.has('stages')) {
      const s = stageSummaries(stages);
      Object.assign(bench, { stages_ms: s.stages_ms, total_ms: s.total_ms, realtime_ratio: realtime(s.total_ms, clip_seconds), backends_ran: s.backends_ran });
      if (memory) bench.peak_memory_mb = memorySummary(memory);
      checkpoint('stages');
    }

    let graphRows = [];
    const graphs = () => {
      const def = graphTables(graphRows.filter((r) => r.config === 'default'));
      Object.assign(bench, { node_ms: def.node_ms, browser_native_ratio: def.browser_native_ratio, browser_graph_ms: def.browser_graph_ms, browser_session_ms: def.sessions });
      const paper = graphRows.length && bench.stages_ms ? paperStages(bench, graphRows) : { stages_ms: {}, total_ms: {} };
      const pg = graphTables(graphRows.filter((r) => r.config === 'paper'));
      bench.paper_config = {
        note: PAPER_NOTE, clip_seconds,
        stages_ms: paper.stages_ms, total_ms: paper.total_ms, realtime_ratio: realtime(paper.total_ms, clip_seconds),
        node_ms: pg.node_ms, browser_graph_ms: pg.browser_graph_ms, browser_native_ratio: pg.browser_native_ratio,
        cold_start_ms: { sessions: pg.sessions }, warm_start_ms: null, live_latency_ms: null, peak_memory_mb: null,
        model_bytes: modelBytes(PAPER_DIR, ['fusion_int8.onnx', 'text/onnx/model_quantized.onnx']),
      };
    };
    if (!opts.skip.has('graphs')) {
      graphRows = await measureGraphs(server.url, stages, clips, opts.runs);
      notes.push(...graphRows.filter((r) => r.error).map((r) => `${r.config} ${r.graph} ${r.kase} ${r.threads}t: ${r.error}`));
      graphs();
      checkpoint('graphs');
    }
    if (!opts.skip.has('start')) {
      const servers = { new: server.url, ...(baselineServer ? { old: baselineServer.url } : {}) };
      // Alone, two runs as before; against a baseline the requested count (ratios need pairs).
      const start = await measureStart(servers, baselineServer ? opts.runs : Math.min(opts.runs, 2), clips).catch((e) => {
        log(`start-up: ${e.message}`);
        return { error: e.message.split('\n')[0] };
      });
      if (start.error) {
        Object.assign(bench, { cold_start_ms: { error: start.error }, warm_start_ms: { error: start.error } });
      } else {
        Object.assign(bench, startSummary(start.runs.new));
        notes.push(...start.errors.map((e) => `start-up ${e}`));
        bench.baseline_comparison = baseline ? {
          baseline: { ref: opts.baseline, sha: baseline.sha, short: baseline.short }, sample: start.sample, load_average_1m: start.load,
          rows: compareStartup(start.runs.new, start.runs.old), runs: start.runs,
        } : null;
      }
      checkpoint('start-up');
    }
    if (baselineServer && !opts.skip.has('realtime')) {
      const analysis = await measureAnalysis({ new: server.url, old: baselineServer.url }, opts.runs, clips, BACKENDS);
      bench.baseline_analysis = {
        baseline: { ref: opts.baseline, sha: baseline.sha, short: baseline.short, models: baseline.models },
        clip_seconds, load_average_1m: analysis.load,
        rows: compareStartup(analysis.runs.new, analysis.runs.old, analysisFigures(clip_seconds, BACKENDS.map((b) => b.name))),
        runs: analysis.runs,
        notes: [
          `Baseline built with ${baseline.models}. Each run: a fresh browser context per backend, a warm-up on the ${WARMUP_SECONDS} s clip, then each clip once.`,
          'Stages overlap (audio features run while frames are read and faces detected), so they need not add up to the total.',
          '"one graph run": the fusion stage and total less the text-masked second run of the fused graph (session.run time, each modality\'s own decision, issue 13 #5); a build without that run has nothing to subtract.',
          ...analysis.errors,
        ],
      };
      checkpoint('analysis');
    }
    if (!opts.skip.has('live')) {
      const live = await measureLive(server.url, clips[10]);
      bench.live_latency_ms = live.value;
      bench.live_latency_note = live.note;
      checkpoint('live');
    }
    if (!opts.skip.has('webgpu')) {
      const w = stageSummaries(await measureStages(server.url, clips, opts, [WEBGPU]));
      bench.stages_ms = mergeByClip(bench.stages_ms, w.stages_ms);
      bench.total_ms = mergeByClip(bench.total_ms, w.total_ms);
      bench.realtime_ratio = mergeByClip(bench.realtime_ratio, realtime(w.total_ms, clip_seconds));
      bench.backends_ran = mergeByClip(bench.backends_ran, w.backends_ran);
      checkpoint('webgpu');
    }
  } finally {
    await server.close();
    await baselineServer?.close();
  }
  if (bench.paper_config && bench.stages_ms) {
    // Stages measured in one run and graphs in another (--previous) still give the paper's stages.
    const paper = paperStages(bench, rowsFromTables(bench));
    Object.assign(bench.paper_config, { stages_ms: paper.stages_ms, total_ms: paper.total_ms, realtime_ratio: realtime(paper.total_ms, clip_seconds) });
  }
  if (bench.machine === m) m.load_average_1m.end = round(loadavg()[0], 2);
  console.log(write(opts.out, bench));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code = 0) => {
    process.exitCode = code;
  }, (e) => {
    console.error(`npm run bench: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  });
}
