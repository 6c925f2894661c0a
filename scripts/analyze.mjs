#!/usr/bin/env node
// `npm run analyze -- <video|folder> [--transcript TEXT | --subtitles FILE.srt|.vtt] [--json] [--backend wasm|webgpu] [--faces track|full]`
//
// Runs the app's own pipeline (decoders, workers, models, fused graph) on local files from the
// command line: builds the app if dist/ is missing or older than its sources, serves it with
// `vite preview` (same COOP/COEP/CSP headers and Range support users get) on 127.0.0.1, opens it in
// Debian's headless Chromium and hands each file's bytes to the page (`window.__merAnalyze`, see
// src/cliHook.ts). Nothing leaves the machine. Prints a readable summary, or with --json one line
// per file: the contract's result object (docs/CONTRACTS.md), or {"file","error"} on failure.
// Exit code 1 when any file failed, 2 on bad usage.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAppSession } from './lib/app-browser.mjs';
import { parseCommandLine, UsageError, usageFailure } from './lib/cli.mjs';

export { CHROMIUM_ARGS, distIsStale } from './lib/app-browser.mjs';
export const VIDEO_EXTENSIONS = Object.freeze(['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.avi', '.flv', '.ogv', '.ogg', '.mpg', '.mpeg', '.ts', '.m2ts', '.3gp', '.wmv']);

const USAGE = `Usage: npm run analyze -- <video|folder> [--transcript TEXT | --subtitles FILE.srt|.vtt] [--json] [--backend wasm|webgpu] [--faces track|full]

  <video|folder>     a video file, or a folder (its video files, in name order)
  --transcript TEXT  what is said in the video (enables the text modality)
  --subtitles FILE   a .srt or .vtt file; its captions become the transcript, each window getting the words spoken in it
  --json             one JSON line per file (the result object) instead of a summary
  --backend B        wasm (default) or webgpu (Chromium with --enable-unsafe-webgpu)
  --faces F          track (default: look near the last face, search all views on a miss) or full
                     (search all views every segment, as the page's ?faces=full)
  --server URL       use an already running server of the built app instead of starting one
  --chromium PATH    Chromium executable (default /usr/bin/chromium, or $CHROMIUM_PATH)`;

const OPTIONS = Object.freeze({
  transcript: { type: 'string' },
  subtitles: { type: 'string' },
  json: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'wasm' },
  faces: { type: 'string', default: 'track' },
  server: { type: 'string' },
  chromium: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});

export function parseArgs(argv) {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, { allowPositionals: true });
  const o = {
    inputs: positionals, transcript: values.transcript, subtitles: values.subtitles, json: values.json, backend: values.backend, faces: values.faces,
    server: values.server, chromium: values.chromium ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', help: values.help,
  };
  if (o.help) return o;
  if (o.inputs.length !== 1) throw new UsageError(o.inputs.length ? 'Give one video or one folder.' : 'Give a video file or a folder.');
  if (o.transcript !== undefined && o.subtitles !== undefined) throw new UsageError('Give --transcript or --subtitles, not both.');
  if (!['wasm', 'webgpu'].includes(o.backend)) throw new UsageError(`--backend must be wasm or webgpu, not ${o.backend}.`);
  if (!['track', 'full'].includes(o.faces)) throw new UsageError(`--faces must be track or full, not ${o.faces}.`);
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

/**
 * The JSON line: `file` (the path given), then the result object of docs/CONTRACTS.md as the page
 * hands it over — already in the contract's keys and order (src/export/json.ts `resultForExport`,
 * applied in src/cliHook.ts, the same function the page's JSON export uses) — then `reading` when
 * given (the page's words for it: headline, uncertainty, transcript used; src/export/reading.ts).
 */
export function jsonLine(file, r, reading) {
  const { file: _pageName, ...result } = r;
  return { file, ...result, ...(reading ? { reading } : {}) };
}

const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/** The summary; `reading` (from the page: src/export/reading.ts) gives the headline, uncertain when it is. */
export function summary(file, r, notes, reading) {
  const lines = [`${file}`];
  const top = argmax(r.fused);
  lines.push(reading ? `  ${reading.headline}` : `  emotion: ${r.labels[top]} (${(r.fused[top] * 100).toFixed(1)} %)`);
  if (reading) lines.push(`  (${reading.scores})`);
  if (reading?.trust) lines.push(`  (${reading.trust})`);
  const width = Math.max(...r.labels.map((l) => l.length));
  r.labels.forEach((l, i) => {
    const p = r.fused[i] ?? 0;
    lines.push(`    ${l.padEnd(width)} ${'█'.repeat(Math.round(p * 30)).padEnd(30)} ${p.toFixed(3)}`);
  });
  for (const m of ['audio', 'visual', 'text']) {
    const d = r.modalities[m];
    const own = m !== 'text' && r.modality_basis === 'text_masked' ? ' without the words' : '';
    lines.push(`  ${m.padEnd(6)} α = ${r.attention[m].toFixed(3)}  ${d ? `says ${r.labels[argmax(d)]} (${d[argmax(d)].toFixed(3)})${own}` : 'missing'}`);
  }
  const faces = r.segments.filter((s) => s.face).length;
  const heard = r.segments.filter((s) => s.audio).length;
  lines.push(`  segments: ${r.segments.length} × ${r.segment_seconds} s, voice in ${heard}, face in ${faces}`);
  lines.push(`  backend: ${r.backend}; time: ${Object.entries(r.timings_ms).map(([k, v]) => `${k}: ${v} ms`).join(', ')}`);
  if (reading?.transcript) lines.push(`  transcript used: ${reading.transcript}`);
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
    return usageFailure(e, 'npm run analyze', USAGE);
  }
  const log = (msg) => console.error(`[analyze] ${msg}`);
  const hookOpts = { backend: opts.backend };
  if (opts.transcript !== undefined) hookOpts.transcript = opts.transcript;
  if (opts.subtitles !== undefined) {
    hookOpts.subtitles = readFileSync(opts.subtitles, 'utf8');
    hookOpts.subtitlesName = basename(opts.subtitles);
  }

  const query = opts.faces === 'full' ? 'faces=full' : '';
  const session = await openAppSession({ backend: opts.backend, chromium: opts.chromium, serverUrl: opts.server, log, query });
  let failed = 0;
  try {
    for (const file of files) {
      log(`${file}: analysing (${opts.backend})…`);
      const outcome = await session.analyze(file, hookOpts);
      if (outcome.ok) {
        console.log(opts.json ? JSON.stringify(jsonLine(file, outcome.result, outcome.reading)) : summary(file, outcome.result, outcome.notes, outcome.reading));
      } else {
        failed++;
        if (opts.json) console.log(JSON.stringify({ file, error: outcome.error }));
        else console.error(`${file}: ${outcome.error}`);
      }
    }
  } finally {
    await session.close();
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
