#!/usr/bin/env node
// The YAMNet port against the real model: runs ../shared/weights/yamnet/yamnet.tflite with the
// TFLite runtime (@tensorflow/tfjs-tflite, wasm served locally) in headless Chromium on real speech
// patches, and compares with the PyTorch port (training/mer/backbones/yamnet.py).
// Data comes from scripts/yamnet-parity-prepare.py (run automatically when missing or with --prepare).
//   node scripts/yamnet-tflite-parity.mjs [--prepare] [--max-clips N] [--min-agreement 0.95] [--cache DIR]
// Prints a JSON report (also written to training/.cache/yamnet_parity/report.json); exits 1 when
// top-1 agreement is below the threshold, 2 when Chromium or the inputs are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asF32, chromiumPath, runInChromium } from './lib/tflite-in-chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tflitePath = resolve(root, '../shared/weights/yamnet/yamnet.tflite');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const minAgreement = Number(opt('--min-agreement', '0.95'));
const cache = resolve(root, opt('--cache', 'training/.cache/yamnet_parity'));

if (!existsSync(chromiumPath) || !existsSync(tflitePath)) {
  console.error(`missing ${!existsSync(chromiumPath) ? chromiumPath : tflitePath}: cannot run the TFLite parity check`);
  process.exit(2);
}
if (args.includes('--prepare') || !existsSync(join(cache, 'meta.json'))) {
  const py = ['scripts/yamnet-parity-prepare.py', '--out', cache, ...(opt('--max-clips') ? ['--max-clips', opt('--max-clips')] : [])];
  const r = spawnSync('node', ['scripts/run-python.mjs', ...py], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(2);
}

const meta = JSON.parse(readFileSync(join(cache, 'meta.json'), 'utf8'));
const f32 = (file) => {
  const b = readFileSync(join(cache, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const started = Date.now();
const { info: runtimeInfo, results } = await runInChromium(
  { '/yamnet.tflite': tflitePath, '/waves.f32': join(cache, 'waves.f32') },
  async ({ window, count }) => {
    /* global tf, tflite */
    await tf.setBackend('cpu');
    tflite.setWasmPath('/wasm/');
    const model = await tflite.loadTFLiteModel('/yamnet.tflite', { numThreads: 1 });
    const waves = new Float32Array(await (await fetch('/waves.f32')).arrayBuffer());
    const scores = new Float32Array(count * 521);
    const logMel = new Float32Array(count * 96 * 64);
    for (let i = 0; i < count; i++) {
      const input = tf.tensor(waves.subarray(i * window, (i + 1) * window), [1, window]);
      const out = model.predict(input);
      scores.set(out.Identity.dataSync(), i * 521);
      logMel.set(out.Identity_1.dataSync(), i * 96 * 64);
      input.dispose();
      out.Identity.dispose();
      out.Identity_1.dispose();
    }
    await fetch('/scores', { method: 'POST', body: scores });
    await fetch('/logmel', { method: 'POST', body: logMel });
    return { outputs: model.outputs.map((o) => `${o.name}${JSON.stringify(o.shape)}`), userAgent: navigator.userAgent };
  },
  { window: meta.window, count: meta.count },
);
const seconds = (Date.now() - started) / 1000;
const tflScores = asF32(results.scores);
const tflLogMel = asF32(results.logmel);
writeFileSync(join(cache, 'tflite_scores.f32'), results.scores);
writeFileSync(join(cache, 'tflite_logmel.f32'), results.logmel);
const torchScores = f32('torch_scores.f32');
const ours = f32('ours_logmel.f32');
const replica = f32('replica_logmel.f32');

const argmax = (a, off, n) => {
  let best = off;
  for (let i = off + 1; i < off + n; i++) if (a[i] > a[best]) best = i;
  return best - off;
};
const bySource = {};
let agreeReplica = 0;
let agreeOurs = 0;
let maxScoreDiff = 0;
let torchFrontEndsAgree = 0;
for (let i = 0; i < meta.count; i++) {
  const p = meta.patches[i];
  const top = argmax(tflScores, i * 521, 521);
  const s = (bySource[p.source] ??= { n: 0, agree: 0, agree_ours_front_end: 0 });
  s.n++;
  if (top === p.torch_top_tflite_front_end) (agreeReplica++, s.agree++);
  if (top === p.torch_top_ours) (agreeOurs++, s.agree_ours_front_end++);
  if (p.torch_top_ours === p.torch_top_tflite_front_end) torchFrontEndsAgree++;
  for (let k = 0; k < 521; k++) maxScoreDiff = Math.max(maxScoreDiff, Math.abs(tflScores[i * 521 + k] - torchScores[i * 521 + k]));
}
// Abs differences over all bins, and over the bins the TFLite log-mel puts above ln(0.1) (where
// there is energy: the runtime quantizes the frames to int8 before its DFT, which mostly
// disturbs the near-floor bins that the log amplifies).
const diffStats = (a, b) => {
  const stats = (d) => {
    if (d.length === 0) return null;
    let sum = 0;
    for (const v of d) sum += v;
    d.sort();
    return { n: d.length, mean: sum / d.length, p50: d[Math.floor(0.5 * d.length)], p99: d[Math.floor(0.99 * d.length)], max: d[d.length - 1] };
  };
  const all = new Float32Array(a.length);
  const loud = [];
  for (let i = 0; i < a.length; i++) {
    all[i] = Math.abs(a[i] - b[i]);
    if (b[i] > Math.log(0.1)) loud.push(all[i]);
  }
  return { all_bins: stats(all), bins_above_ln0_1: stats(Float32Array.from(loud)) };
};
const report = {
  model: 'yamnet.tflite via @tensorflow/tfjs-tflite (wasm, 1 thread) in headless Chromium',
  runtime: runtimeInfo,
  patches: meta.count,
  sources: bySource,
  top1_agreement_same_front_end: agreeReplica / meta.count,
  top1_agreement_our_float_front_end: agreeOurs / meta.count,
  top1_agreement_torch_our_vs_replica_front_end: torchFrontEndsAgree / meta.count,
  max_abs_score_diff: maxScoreDiff,
  logmel_abs_diff_ours_vs_float_replica: diffStats(ours, replica),
  logmel_abs_diff_ours_vs_tflite_Identity_1: diffStats(ours, tflLogMel),
  logmel_abs_diff_float_replica_vs_tflite_Identity_1: diffStats(replica, tflLogMel),
  browser_seconds: seconds,
};
writeFileSync(join(cache, 'report.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report, null, 1));
process.exit(report.top1_agreement_same_front_end >= minAgreement ? 0 : 1);
