#!/usr/bin/env node
// Builds public/models/manifest.json: the fused model's labels (its fusion.json, else features.json's),
// the feature parameters from training/configs/features.json
// (the single source of truth, docs/CONTRACTS.md), every model file under public/models/ (the
// voice-activity model named by audio.vad.model included, even where git ignores it) with its
// byte size and sha256 (the app verifies each download against it), the metrics training wrote, and
// the model card's name when the folder has one.
// Deterministic (sorted, no timestamps), so re-running it changes the file only when a model did.
//
//   node scripts/write-manifest.mjs [--fusion fusion_int8.onnx] [--model-id NAME] [--check] [--models DIR]
//
// --check exits 1 when the manifest on disk is stale instead of writing it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: { fusion: { type: 'string' }, 'model-id': { type: 'string' }, check: { type: 'boolean' }, models: { type: 'string' } },
});
// --models DIR: another models folder (tests export into a temporary one); default public/models.
const modelsDir = args.models ? resolve(args.models) : join(root, 'public', 'models');
const manifestPath = join(modelsDir, 'manifest.json');
const metricsPath = join(modelsDir, 'metrics.json');

/** The model card, when the models folder has one: the page's footer links to it only then. */
const MODEL_CARD = 'MODEL_CARD.md';
// Files that describe the models rather than being part of one.
const NOT_MODEL_FILES = new Set(['manifest.json', 'metrics.json', 'README.md', MODEL_CARD, 'fusion.json', '.gitkeep']);

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
// The voice-activity model is shipped like every model: listed with size and sha256 whatever git
// thinks of it (older models named a git-ignored copy from node_modules).
const vadModel = features.audio?.vad?.model;
if (vadModel && !existsSync(join(modelsDir, vadModel))) {
  console.error(`write-manifest: public/models/${vadModel} (audio.vad.model) not found (derived from @ricky0123/vad-web by \`PYTHONPATH=training python3 -m mer.features.silero_frames\`).`);
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

// The size of I_t is the shipped text encoder's (its config.json hidden_size): features.json's
// text.dim for the app's encoder, the model's own when mer.export wrote its fine-tuned BERT to
// text/ (the paper configs: 768). The text worker checks the encoder's output against it.
const textConfig = join(modelsDir, features.text.path, 'config.json');
const textDim = existsSync(textConfig) ? (JSON.parse(readFileSync(textConfig, 'utf8')).hidden_size ?? features.text.dim) : features.text.dim;

// The fused graph's own labels: mer.export writes them into fusion.json beside the graph (and into
// the graph's ONNX metadata), so the app shows what this model outputs (a model trained on
// IEMOCAP's 6 classes shows those 6). A description of another export, or a graph made for other
// face crops, another time base or another text size than features.json's, is an error here, never a relabelling.
function fusionLabels(file) {
  const infoPath = join(modelsDir, 'fusion.json');
  if (!existsSync(infoPath)) return features.labels;
  const info = JSON.parse(readFileSync(infoPath, 'utf8'));
  const entry = (info.files ?? (info.file ? [info.file] : [])).find((f) => f.path === file.path);
  if (!entry) return features.labels; // fusion.json describes other files (e.g. a hand-placed graph)
  const fail = (why) => {
    console.error(`write-manifest: public/models/${file.path}: ${why}`);
    process.exit(1);
  };
  if (entry.sha256 !== file.sha256) fail('fusion.json describes another export of it (sha256 differs): re-export, or remove fusion.json');
  if (!Array.isArray(info.labels) || info.labels.length === 0) fail('fusion.json lists no labels');
  const face = info.config?.model?.face;
  const crop = features.face.crop;
  if (face && (face.channels !== crop.channels || face.size !== crop.size)) {
    fail(`the model takes ${face.channels}x${face.size}x${face.size} faces but training/configs/features.json crops ${crop.channels}x${crop.size}x${crop.size}: set face.crop there to the model's`);
  }
  const seconds = info.metadata?.segment_seconds;
  if (seconds !== undefined && Number(seconds) !== features.audio.segment_seconds) {
    fail(`the model's segments are ${seconds} s but features.json's audio.segment_seconds is ${features.audio.segment_seconds}`);
  }
  // The page feeds the graph the text encoder's I_t.
  const graphTextDim = info.metadata?.text_dim;
  if (graphTextDim !== undefined && Number(graphTextDim) !== textDim) {
    fail(`the model reads a text vector of ${graphTextDim} numbers but the text encoder in ${features.text.path}/ gives ${textDim}: train it with model.text_dim ${textDim}, or export it with its own text encoder (text.encoder: bert)`);
  }
  return info.labels;
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
  labels: fusionLabels(fusionFile),
  audio: features.audio,
  face: features.face,
  text: { ...features.text, dim: textDim },
  fusion: { path: fusionPath },
  // A custom model's export has no card (mer.export writes none): no `card`, and no link to a 404.
  ...(existsSync(join(modelsDir, MODEL_CARD)) ? { card: MODEL_CARD } : {}),
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
