#!/usr/bin/env node
// `npm run prepare-dataset -- <manifest.jsonl> --out <dir> [--backend wasm|webgpu] [--no-text] [--force]`
//
// Offline dataset preparation through the app's own pipeline: each media row of a training
// manifest (training/mer/data/manifest.py) is run in headless Chromium against the production
// build (scripts/lib/app-browser.mjs, `window.__merAnalyze` with `features`), and the fused graph's
// inputs the browser computed are written as the feature files training reads:
//   <dir>/features/<key>.npz   log_mel [T,96,64], audio_mask [T], faces [T,C,S,S] (centre frames,
//                              [0,1]), visual_mask [T], text_cls [D] (when there is a transcript), float32
//   <dir>/manifest.jsonl       the rows, media replaced by `features` (what `python -m mer.data.prepare` writes)
//   <dir>/prepared.json        what made them: model id, front-end parameters, backend, commit, failures
// So what the model learns from is what the browser feeds it. Rows without media or with
// `features` already are copied as they are. Files already written are reused (--force redoes them).
// Exit code 1 when any row failed (it is left out of the manifest and listed), 2 on bad usage.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAppSession, ROOT } from './lib/app-browser.mjs';
import { parseCommandLine, UsageError, usageFailure } from './lib/cli.mjs';
import { npzBytes } from './lib/npy.mjs';

const USAGE = `Usage: npm run prepare-dataset -- <manifest.jsonl> --out <dir> [options]

  <manifest.jsonl>   a training manifest (training/mer/data/manifest.py): rows with id, split,
                     labels, transcript and a video (or audio) file
  --out DIR          where the feature files, manifest.jsonl and prepared.json go
  --no-text          leave text_cls out (the transcripts are not encoded)
  --with-pcm         also store the decoded 16 kHz mono waveform (pcm), for front-end parity checks
  --force            recompute feature files that already exist
  --limit N          only the first N media rows (a quick look)
  --backend B        wasm (default) or webgpu (Chromium with --enable-unsafe-webgpu)
  --server URL       use an already running server of the built app instead of starting one
  --chromium PATH    Chromium executable (default /usr/bin/chromium, or $CHROMIUM_PATH)`;

/** Manifest fields (training/mer/data/manifest.py): the same checks as its reader. */
export const PATH_FIELDS = Object.freeze(['video', 'audio', 'image', 'features', 'text_cls']);
export const KNOWN_FIELDS = Object.freeze(['id', 'split', 'labels', 'transcript', 'source', 'speaker', 'fold', 'start', 'end', ...PATH_FIELDS]);
/** Fused-graph inputs -> feature file arrays (text_cls and text_mask are handled apart). */
const FEATURE_ARRAYS = Object.freeze({ log_mel: 'log_mel', audio_mask: 'audio_mask', faces: 'faces', visual_mask: 'visual_mask' });

const OPTIONS = Object.freeze({
  out: { type: 'string' },
  'no-text': { type: 'boolean', default: false },
  'with-pcm': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  limit: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  server: { type: 'string' },
  chromium: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});

export function parseArgs(argv) {
  const { values, positionals: inputs } = parseCommandLine(argv, OPTIONS, { allowPositionals: true });
  const o = {
    manifest: undefined, out: values.out, text: !values['no-text'], pcm: values['with-pcm'], force: values.force,
    limit: values.limit === undefined ? Infinity : Number(values.limit), backend: values.backend, server: values.server,
    chromium: values.chromium ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', help: values.help,
  };
  if (values.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new UsageError('--limit takes a positive whole number.');
  if (o.help) return o;
  if (inputs.length !== 1) throw new UsageError(inputs.length ? 'Give one manifest.' : 'Give a manifest (.jsonl).');
  [o.manifest] = inputs;
  if (!o.out) throw new UsageError('Give --out DIR.');
  if (!['wasm', 'webgpu'].includes(o.backend)) throw new UsageError(`--backend must be wasm or webgpu, not ${o.backend}.`);
  return o;
}

/** Rows with paths made absolute, checked as the Python reader checks them (errors name file:line). */
export function readManifest(path) {
  if (!existsSync(path)) throw new UsageError(`${path} does not exist.`);
  const rows = [];
  const seen = new Set();
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${path}:${i + 1}`;
    let row;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`${where}: not JSON (${e.message})`);
    }
    for (const key of ['id', 'split', 'labels']) if (!(key in row)) throw new UsageError(`${where}: missing ${JSON.stringify(key)}`);
    const unknown = Object.keys(row).filter((k) => !KNOWN_FIELDS.includes(k));
    if (unknown.length) throw new UsageError(`${where}: unknown fields ${unknown.join(', ')}; valid are ${[...KNOWN_FIELDS].sort().join(', ')}`);
    if (seen.has(row.id)) throw new UsageError(`${where}: duplicate id ${JSON.stringify(row.id)}`);
    seen.add(row.id);
    for (const key of PATH_FIELDS) if (row[key] && !isAbsolute(row[key])) row[key] = resolve(dirname(path), row[key]);
    rows.push(row);
  });
  return rows;
}

/** The media file the browser opens for a row, or null (no media, or features already made). */
export function mediaOf(row) {
  if (row.features) return null;
  return row.video ?? row.audio ?? null;
}

/** Feature file name: the row id's hash (as mer.data.prepare) and a tag of what shapes the values. */
export function featureFileName(id, tag) {
  return `${createHash('sha256').update(id).digest('hex').slice(0, 16)}-${tag}.npz`;
}

const fromBase64 = (t) => {
  const bytes = Buffer.from(t.base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

/** The page's features -> the arrays of one feature file (batch dimension already dropped). */
export function featureArrays(features, { text, pcm }) {
  const t = features.tensors;
  const arrays = {};
  for (const [input, name] of Object.entries(FEATURE_ARRAYS)) {
    if (!t[input]) throw new Error(`the page returned no ${input}`);
    arrays[name] = { data: fromBase64(t[input]), shape: t[input].dims };
  }
  const textPresent = t.text_mask && fromBase64(t.text_mask)[0] > 0;
  if (text && textPresent) arrays.text_cls = { data: fromBase64(t.text_cls), shape: t.text_cls.dims };
  if (pcm && t.pcm) arrays.pcm = { data: fromBase64(t.pcm), shape: t.pcm.dims };
  return arrays;
}

/** Tries per row: a crashed page or a starved frame seek (a busy machine) usually passes the second time. */
const ATTEMPTS = 2;
/** The engine's note for frames whose seek timed out: their faces would be missing from the dataset, not absent from the video. */
const UNREADABLE_FRAMES = /video frames could not be read/;

/** A run that lost frames is not a feature file for training: it becomes a failure (retried, then reported). */
export function incomplete(outcome) {
  const lost = outcome.ok && outcome.notes?.find((n) => UNREADABLE_FRAMES.test(n));
  return lost ? { ok: false, error: lost, notes: outcome.notes } : outcome;
}

function writeAtomically(path, bytes) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** The manifest row as written: media replaced by the feature file, paths relative to the manifest. */
export function outputRow(row, featurePath, outDir) {
  const out = { ...row };
  if (featurePath) {
    delete out.video;
    delete out.audio;
    out.features = featurePath;
  }
  for (const key of PATH_FIELDS) {
    if (!out[key]) continue;
    const rel = relative(outDir, out[key]);
    out[key] = rel.startsWith('..') || isAbsolute(rel) ? resolve(out[key]) : rel;
  }
  return out;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main() {
  let opts;
  let rows;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      console.log(USAGE);
      return 0;
    }
    rows = readManifest(opts.manifest);
  } catch (e) {
    return usageFailure(e, 'npm run prepare-dataset', USAGE);
  }
  const log = (msg) => console.error(`[prepare-dataset] ${msg}`);
  const outDir = resolve(opts.out);
  const featureDir = join(outDir, 'features');
  mkdirSync(featureDir, { recursive: true });
  const media = rows.filter(mediaOf).slice(0, opts.limit);
  const todo = new Set(media.map((r) => r.id));

  const session = await openAppSession({ backend: opts.backend, chromium: opts.chromium, serverUrl: opts.server, log });
  const failures = [];
  const written = new Map();
  let frontEnd = null;
  const started = Date.now();
  try {
    // What the tensors depend on: the app's front-end parameters and model files (from the page's
    // manifest) and the options; a change gives new file names instead of silently reusing old ones.
    const appManifest = await fetch(new URL('models/manifest.json', session.url)).then((r) => r.json());
    frontEnd = { model_id: appManifest.model_id, audio: appManifest.audio, face: appManifest.face, text: appManifest.text, labels: appManifest.labels };
    const tag = createHash('sha256')
      .update(JSON.stringify([frontEnd, (appManifest.files ?? []).map((f) => f.sha256), opts.text, opts.pcm, opts.backend]))
      .digest('hex').slice(0, 8);
    for (const [i, row] of media.entries()) {
      const file = mediaOf(row);
      const target = join(featureDir, featureFileName(row.id, tag));
      const prefix = `[${i + 1}/${media.length}] ${row.id}`;
      if (!opts.force && existsSync(target)) {
        written.set(row.id, target);
        continue;
      }
      if (!existsSync(file) || !statSync(file).isFile()) {
        // mer.data.prepare also reads numbered frame files (video prefixes); the browser reads videos only.
        failures.push({ id: row.id, file, error: 'not a video or audio file (frame folders are for `python -m mer.data.prepare`)' });
        log(`${prefix}: ${failures.at(-1).error}`);
        continue;
      }
      const hookOpts = { features: true, pcm: opts.pcm };
      if (opts.text && row.transcript) hookOpts.transcript = row.transcript;
      const t0 = Date.now();
      let outcome;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        outcome = incomplete(await session.analyze(file, hookOpts));
        if (outcome.ok || attempt === ATTEMPTS) break;
        log(`${prefix}: ${outcome.error}; trying again`);
      }
      if (!outcome.ok) {
        failures.push({ id: row.id, file, error: outcome.error });
        log(`${prefix}: failed: ${outcome.error}`);
        continue;
      }
      const arrays = featureArrays(outcome.features, opts);
      writeAtomically(target, npzBytes(arrays));
      written.set(row.id, target);
      const T = arrays.log_mel.shape[0];
      const faces = arrays.visual_mask.data.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
      log(`${prefix}: T=${T}, face in ${faces}/${T}${arrays.text_cls ? ', text' : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await session.close();
  }

  const manifestRows = rows
    .filter((r) => !mediaOf(r) || written.has(r.id) || !todo.has(r.id))
    .map((r) => outputRow(r, written.get(r.id), outDir));
  writeAtomically(join(outDir, 'manifest.jsonl'), manifestRows.map((r) => JSON.stringify(r)).join('\n') + (manifestRows.length ? '\n' : ''));
  const report = {
    source: resolve(opts.manifest), made_by: 'npm run prepare-dataset (the app pipeline in headless Chromium)',
    commit: gitCommit(), backend: opts.backend, text: opts.text, front_end: frontEnd,
    rows: rows.length, media_rows: media.length, prepared: written.size, failed: failures, seconds: Math.round((Date.now() - started) / 1000),
  };
  writeAtomically(join(outDir, 'prepared.json'), `${JSON.stringify(report, null, 1)}\n`);
  log(`${written.size} of ${media.length} media rows prepared in ${report.seconds} s -> ${join(outDir, 'manifest.jsonl')}`);
  if (failures.length) log(`${failures.length} failed (left out of the manifest; listed in prepared.json).`);
  return failures.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => {
    console.error(`npm run prepare-dataset: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
