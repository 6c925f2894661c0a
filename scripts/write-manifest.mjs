#!/usr/bin/env node
// Builds public/models/manifest.json: the feature parameters from training/configs/features.json
// (the single source of truth, docs/CONTRACTS.md), every model file under public/models/ (the
// voice-activity model named by audio.vad.model included, though git ignores that copy) with its
// byte size and sha256 (the app verifies each download against it), and the metrics training wrote.
// Deterministic (sorted, no timestamps), so re-running it changes the file only when a model did.
//
//   node scripts/write-manifest.mjs [--fusion fusion_int8.onnx] [--model-id NAME] [--check]
//
// --check exits 1 when the manifest on disk is stale instead of writing it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'public', 'models');
const manifestPath = join(modelsDir, 'manifest.json');
const metricsPath = join(modelsDir, 'metrics.json');

const { values: args } = parseArgs({
  options: { fusion: { type: 'string' }, 'model-id': { type: 'string' }, check: { type: 'boolean' } },
});

// Files that describe the models rather than being part of one.
const NOT_MODEL_FILES = new Set(['manifest.json', 'metrics.json', 'README.md', 'MODEL_CARD.md', 'fusion.json', '.gitkeep']);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() ? [p] : [];
  });
}

/** Paths git ignores (e.g. the fp32 text encoder kept only for parity checks) are not shipped. */
function ignoredByGit(paths) {
  if (paths.length === 0) return new Set();
  const r = spawnSync('git', ['check-ignore', '--stdin'], { cwd: root, input: paths.join('\n'), encoding: 'utf8' });
  if (r.error || (r.status !== 0 && r.status !== 1)) return new Set(); // no git (e.g. an unpacked tarball): ship all
  return new Set(r.stdout.split('\n').filter(Boolean));
}

const features = JSON.parse(readFileSync(join(root, 'training', 'configs', 'features.json'), 'utf8'));
// The voice-activity model is copied from node_modules (git-ignored, scripts/copy-runtime-assets.mjs)
// but shipped like every model: listed with size and sha256 whatever git thinks of it.
const vadModel = features.audio?.vad?.model;
if (vadModel && !existsSync(join(modelsDir, vadModel))) {
  console.error(`write-manifest: public/models/${vadModel} (audio.vad.model) not found. Run \`node scripts/copy-runtime-assets.mjs\` first.`);
  process.exit(1);
}
const candidates = walk(modelsDir)
  .map((p) => relative(modelsDir, p).split(sep).join('/'))
  .filter((p) => !NOT_MODEL_FILES.has(p) && !p.split('/').some((part) => part.startsWith('.')));
const ignored = ignoredByGit(candidates.map((p) => `public/models/${p}`));
const files = candidates
  .filter((p) => p === vadModel || !ignored.has(`public/models/${p}`))
  .sort()
  .map((path) => {
    const bytes = readFileSync(join(modelsDir, path));
    return { path, bytes: statSync(join(modelsDir, path)).size, sha256: createHash('sha256').update(bytes).digest('hex') };
  });

const fusionPath = args.fusion ?? 'fusion.onnx';
const fusionFile = files.find((f) => f.path === fusionPath);
if (!fusionFile) {
  console.error(`write-manifest: public/models/${fusionPath} not found. Make one with \`/usr/bin/python3 scripts/make_placeholder_model.py\` or \`npm run export\`.`);
  process.exit(1);
}

// metrics.json may be a list of metrics or {"model_id": ..., "metrics": [...]}.
let metrics = [];
let metricsModelId;
if (existsSync(metricsPath)) {
  const m = JSON.parse(readFileSync(metricsPath, 'utf8'));
  metrics = Array.isArray(m) ? m : (m.metrics ?? []);
  metricsModelId = Array.isArray(m) ? undefined : m.model_id;
}
const modelId = args['model-id'] ?? metricsModelId ?? `fusion-${fusionFile.sha256.slice(0, 12)}`;

const manifest = {
  schema: 1,
  model_id: modelId,
  labels: features.labels,
  audio: features.audio,
  face: features.face,
  text: features.text,
  fusion: { path: fusionPath },
  files,
  metrics,
};
const text = `${JSON.stringify(manifest, null, 2)}\n`;
const old = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
if (args.check) {
  if (old !== text) {
    console.error('write-manifest: public/models/manifest.json is stale; run `node scripts/write-manifest.mjs`.');
    process.exit(1);
  }
  console.log('write-manifest: up to date');
} else if (old !== text) {
  writeFileSync(manifestPath, text);
  console.log(`write-manifest: wrote public/models/manifest.json (${files.length} file(s), model ${modelId})`);
} else {
  console.log('write-manifest: up to date');
}
