#!/usr/bin/env node
// The BlazeFace port against the real model: runs MediaPipe's face_detection_full_range.tflite
// with the TFLite runtime (@tensorflow/tfjs-tflite, wasm served locally) in headless Chromium on
// real frame views (../shared clips) and the synthetic parity image, and compares the raw outputs
// with the PyTorch port (training/mer/face_detector.py), which public/models/face_detector.onnx
// exports. Inputs come from `mer.features.face_report parity-inputs` (run when missing).
//   node scripts/face-tflite-parity.mjs [--prepare] [--cache DIR]
// Prints a JSON report (also in <cache>/report.json); exits 1 when logits differ by more than
// 1e-3 or any decoded detection changes, 2 when Chromium or the inputs are missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './lib/cli.mjs';
import { asF32 as f32, chromiumPath, runInChromium } from './lib/tflite-in-chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tflitePath = join(root, 'node_modules/@mediapipe/face_detection/face_detection_full_range.tflite');
const { values: args } = parseCommandLine(process.argv.slice(2), {
  prepare: { type: 'boolean', default: false },
  cache: { type: 'string', default: 'training/.cache/face_parity' },
});
const cache = resolve(root, args.cache);

if (!existsSync(chromiumPath) || !existsSync(tflitePath)) {
  console.error(`missing ${!existsSync(chromiumPath) ? chromiumPath : tflitePath}: cannot run the TFLite parity check`);
  process.exit(2);
}
if (args.prepare || !existsSync(join(cache, 'meta.json'))) {
  const r = spawnSync('node', ['scripts/run-python.mjs', '-m', 'mer.features.face_report', 'parity-inputs', '--out', cache], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(2);
}
const meta = JSON.parse(readFileSync(join(cache, 'meta.json'), 'utf8'));

const { info, results } = await runInChromium(
  { '/model.tflite': tflitePath, '/inputs.f32': join(cache, 'inputs.f32') },
  async ({ count, size, anchors }) => {
    /* global tf, tflite */
    await tf.setBackend('cpu');
    tflite.setWasmPath('/wasm/');
    const model = await tflite.loadTFLiteModel('/model.tflite', { numThreads: 1 });
    const inputs = new Float32Array(await (await fetch('/inputs.f32')).arrayBuffer());
    const n = size * size * 3;
    const reg = new Float32Array(count * anchors * 16);
    const logits = new Float32Array(count * anchors);
    const names = model.outputs.map((o) => o.name);
    for (let i = 0; i < count; i++) {
      // MediaPipe's preprocessing: RGB 0..255 -> [-1, 1] (the ONNX port does this inside its graph).
      const x = inputs.slice(i * n, (i + 1) * n).map((v) => v / 127.5 - 1);
      const input = tf.tensor(x, [1, size, size, 3]);
      const out = model.predict(input);
      const outs = names.map((k) => out[k]);
      for (const t of outs) {
        if (t.shape.at(-1) === 16) reg.set(t.dataSync(), i * anchors * 16);
        else logits.set(t.dataSync(), i * anchors);
        t.dispose();
      }
      input.dispose();
    }
    await fetch('/regressors', { method: 'POST', body: reg });
    await fetch('/logits', { method: 'POST', body: logits });
    return { outputs: model.outputs.map((o) => `${o.name}${JSON.stringify(o.shape)}`) };
  },
  meta,
);
const tReg = f32(results.regressors);
const tLog = f32(results.logits);
const pReg = f32(readFileSync(join(cache, 'torch_regressors.f32')));
const pLog = f32(readFileSync(join(cache, 'torch_logits.f32')));
let maxLog = 0;
let maxReg = 0;
let maxRegAboveHalf = 0;
let flips = 0;
for (let i = 0; i < tLog.length; i++) {
  maxLog = Math.max(maxLog, Math.abs(tLog[i] - pLog[i]));
  if ((tLog[i] >= 0) !== (pLog[i] >= 0)) flips++; // sigmoid 0.5 threshold crossed
  for (let k = 0; k < 16; k++) {
    const d = Math.abs(tReg[i * 16 + k] - pReg[i * 16 + k]);
    maxReg = Math.max(maxReg, d);
    if (pLog[i] > 0) maxRegAboveHalf = Math.max(maxRegAboveHalf, d);
  }
}
const report = {
  model: 'face_detection_full_range.tflite via @tensorflow/tfjs-tflite (wasm, 1 thread) in headless Chromium vs the PyTorch port',
  runtime: info,
  inputs: meta.count,
  max_abs_logit_diff: maxLog,
  max_abs_regressor_diff_px: maxReg,
  max_abs_regressor_diff_px_where_score_above_0_5: maxRegAboveHalf,
  anchors_crossing_score_0_5: flips,
};
writeFileSync(join(cache, 'report.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report, null, 1));
process.exit(maxLog <= 1e-3 && flips === 0 ? 0 : 1);
