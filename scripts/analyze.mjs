#!/usr/bin/env node
// `npm run analyze -- <video|folder> [--transcript TEXT | --subtitles FILE.srt|.vtt] [--json] [--backend wasm|webgpu]`
//
// Runs the app's own pipeline (decoders, workers, models, fused graph) on local files from the
// command line: builds the app if dist/ is missing or older than its sources, serves it with
// `vite preview` (same COOP/COEP/CSP headers and Range support users get) on 127.0.0.1, opens it in
// Debian's headless Chromium and hands each file's bytes to the page (`window.__merAnalyze`, see
// src/cliHook.ts). Nothing leaves the machine. Prints a readable summary, or with --json one line
// per file: the contract's result object (docs/CONTRACTS.md), or {"file","error"} on failure.
// Exit code 1 when any file failed, 2 on bad usage.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const VIDEO_EXTENSIONS = Object.freeze(['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.avi', '.flv', '.ogv', '.ogg', '.mpg', '.mpeg', '.ts', '.m2ts', '.3gp', '.wmv']);
const MAX_FILE_BYTES = 2 * 1024 ** 3;
export const CHROMIUM_ARGS = Object.freeze([
  '--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
]);

const USAGE = `Usage: npm run analyze -- <video|folder> [--transcript TEXT | --subtitles FILE.srt|.vtt] [--json] [--backend wasm|webgpu]

  <video|folder>     a video file, or a folder (its video files, in name order)
  --transcript TEXT  what is said in the video (enables the text modality)
  --subtitles FILE   a .srt or .vtt file; its captions become the transcript
  --json             one JSON line per file (the result object) instead of a summary
  --backend B        wasm (default) or webgpu (Chromium with --enable-unsafe-webgpu)
  --server URL       use an already running server of the built app instead of starting one
  --chromium PATH    Chromium executable (default /usr/bin/chromium, or $CHROMIUM_PATH)`;

class UsageError extends Error {}

export function parseArgs(argv) {
  const o = { inputs: [], transcript: undefined, subtitles: undefined, json: false, backend: 'wasm', server: undefined, chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value.`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--transcript') o.transcript = value();
    else if (a === '--subtitles') o.subtitles = value();
    else if (a === '--backend') o.backend = value();
    else if (a === '--server') o.server = value();
    else if (a === '--chromium') o.chromium = value();
    else if (a.startsWith('--')) throw new UsageError(`Unknown option ${a}.`);
    else o.inputs.push(a);
  }
  if (o.help) return o;
  if (o.inputs.length !== 1) throw new UsageError(o.inputs.length ? 'Give one video or one folder.' : 'Give a video file or a folder.');
  if (o.transcript !== undefined && o.subtitles !== undefined) throw new UsageError('Give --transcript or --subtitles, not both.');
  if (!['wasm', 'webgpu'].includes(o.backend)) throw new UsageError(`--backend must be wasm or webgpu, not ${o.backend}.`);
  if (o.subtitles !== undefined && !/\.(srt|vtt)$/i.test(o.subtitles)) throw new UsageError('--subtitles takes a .srt or .vtt file.');
  return o;
}

/** The files to analyse: the file itself, or a folder's video files sorted by name. */
export function listInputs(input) {
  if (!existsSync(input)) throw new UsageError(`${input} does not exist.`);
  if (!statSync(input).isDirectory()) return [input];
  const files = readdirSync(input)
    .filter((f) => VIDEO_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e)))
    .filter((f) => statSync(join(input, f)).isFile())
    .sort();
  if (!files.length) throw new UsageError(`${input} holds no video files (${VIDEO_EXTENSIONS.join(' ')}).`);
  return files.map((f) => join(input, f));
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of readdirSync(path)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, e)));
  }
  return newest;
}

/** dist/ is stale when any source the build reads is newer than dist/index.html. */
export function distIsStale() {
  const built = join(root, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json', join('public', 'models')]
    .map((p) => newestMtime(join(root, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function startServer(log) {
  if (distIsStale()) {
    log('Building the app (dist/ is missing or older than its sources)…');
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.status !== 0) throw new Error('`npm run build` failed; see the messages above.');
  }
  const { preview } = await import('vite');
  const port = await freePort();
  const server = await preview({ root, logLevel: 'silent', preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/** The JSON line: the result object of docs/CONTRACTS.md, in its key order (segments keep face_box). */
export function jsonLine(file, r) {
  return {
    file,
    labels: r.labels,
    fused: r.fused,
    modalities: { audio: r.modalities.audio, visual: r.modalities.visual, text: r.modalities.text },
    attention: { audio: r.attention.audio, visual: r.attention.visual, text: r.attention.text },
    segments: r.segments.map((s) => ({ start: s.start, end: s.end, audio: s.audio, visual: s.visual, face: s.face, face_box: s.face_box ?? null })),
    backend: r.backend,
    timings_ms: r.timings_ms,
  };
}

const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

export function summary(file, r, notes) {
  const lines = [`${file}`];
  const top = argmax(r.fused);
  lines.push(`  emotion: ${r.labels[top]} (${(r.fused[top] * 100).toFixed(1)} %)`);
  const width = Math.max(...r.labels.map((l) => l.length));
  r.labels.forEach((l, i) => {
    const p = r.fused[i] ?? 0;
    lines.push(`    ${l.padEnd(width)} ${'█'.repeat(Math.round(p * 30)).padEnd(30)} ${p.toFixed(3)}`);
  });
  for (const m of ['audio', 'visual', 'text']) {
    const d = r.modalities[m];
    lines.push(`  ${m.padEnd(6)} α = ${r.attention[m].toFixed(3)}  ${d ? `says ${r.labels[argmax(d)]} (${d[argmax(d)].toFixed(3)})` : 'missing'}`);
  }
  const faces = r.segments.filter((s) => s.face).length;
  const heard = r.segments.filter((s) => s.audio).length;
  lines.push(`  segments: ${r.segments.length} × 0.96 s, sound in ${heard}, face in ${faces}`);
  lines.push(`  backend: ${r.backend}; time: ${Object.entries(r.timings_ms).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  for (const n of notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

async function main() {
  let opts;
  let files;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      console.log(USAGE);
      return 0;
    }
    files = listInputs(opts.inputs[0]);
    if (opts.subtitles !== undefined && !existsSync(opts.subtitles)) throw new UsageError(`${opts.subtitles} does not exist.`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`npm run analyze: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  const log = (msg) => console.error(`[analyze] ${msg}`);
  const hookOpts = { backend: opts.backend };
  if (opts.transcript !== undefined) hookOpts.transcript = opts.transcript;
  if (opts.subtitles !== undefined) {
    hookOpts.subtitles = readFileSync(opts.subtitles, 'utf8');
    hookOpts.subtitlesName = basename(opts.subtitles);
  }

  const server = opts.server ? { url: new URL('/', opts.server).href, close: async () => undefined } : await startServer(log);
  const { chromium } = await import('playwright-core');
  const args = [...CHROMIUM_ARGS, ...(opts.backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])];
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args });
  const origin = new URL(server.url).origin;
  let failed = 0;
  try {
    const context = await browser.newContext();
    // Any request leaving the page's origin is refused (the CSP forbids it too): all local.
    await context.route((url) => !['blob:', 'data:'].includes(url.protocol) && url.origin !== origin, (route) => route.abort('blockedbyclient'));
    let page = null;
    const openPage = async () => {
      page = await context.newPage();
      page.on('console', (m) => {
        const text = m.text();
        if (text.startsWith('[mer-cli] ')) log(`  ${text.slice(10)}`);
        else if (process.env.MER_ANALYZE_VERBOSE) log(`[page ${m.type()}] ${text}`);
      });
      await page.goto(`${server.url}?backend=${opts.backend}`);
      await page.waitForFunction(() => typeof window.__merAnalyze === 'function', null, { timeout: 60_000 });
    };
    await openPage();
    for (const [i, file] of files.entries()) {
      let outcome;
      try {
        const size = statSync(file).size;
        if (size > MAX_FILE_BYTES) throw new Error(`“${basename(file)}” is ${(size / 1024 ** 3).toFixed(1)} GB; this version analyses files up to 2 GB.`);
        if (!page || page.isClosed()) await openPage();
        // The page reads the file from a route answered here, in this process: no server sees it.
        const path = `/__mer_cli/input/${i}`;
        await page.route(`${origin}${path}`, (route) => route.fulfill({
          status: 200, body: readFileSync(file),
          headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' },
        }));
        log(`${file}: analysing (${opts.backend})…`);
        outcome = await page.evaluate(async ({ path, name, hookOpts }) => {
          const res = await fetch(path);
          if (!res.ok) return { ok: false, error: `could not hand the file to the page (HTTP ${res.status})`, notes: [] };
          return window.__merAnalyze(await res.blob(), name, hookOpts);
        }, { path, name: basename(file), hookOpts });
        await page.unroute(`${origin}${path}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
        outcome = { ok: false, error: msg, notes: [] };
        // A crashed or wedged page is replaced for the next file.
        if (page && !page.isClosed() && /crash|Target closed|has been closed/i.test(msg)) await page.close().catch(() => undefined);
        if (page?.isClosed()) page = null;
      }
      if (outcome.ok) {
        console.log(opts.json ? JSON.stringify(jsonLine(file, outcome.result)) : summary(file, outcome.result, outcome.notes));
      } else {
        failed++;
        if (opts.json) console.log(JSON.stringify({ file, error: outcome.error }));
        else console.error(`${file}: ${outcome.error}`);
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await server.close();
  }
  if (failed) log(`${failed} of ${files.length} file${files.length === 1 ? '' : 's'} failed.`);
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`npm run analyze: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
