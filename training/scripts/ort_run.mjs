#!/usr/bin/env node
// Runs an ONNX model with onnxruntime-node (the same runtime family the app uses) for the Python
// parity tests, since Debian has no onnxruntime for Python.
// Usage: node training/scripts/ort_run.mjs MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json: {"name": {"dims": [..], "data": [..float32..]}, ...}; OUTPUTS.json: the same shape.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const [model, inputsPath, outputsPath] = process.argv.slice(2);
if (!outputsPath) {
  console.error('usage: ort_run.mjs MODEL.onnx INPUTS.json OUTPUTS.json');
  process.exit(2);
}
const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
const feeds = {};
for (const [name, { dims, data }] of Object.entries(JSON.parse(readFileSync(inputsPath, 'utf8')))) {
  feeds[name] = new ort.Tensor('float32', Float32Array.from(data), dims);
}
const results = await session.run(feeds);
const out = {};
for (const [name, tensor] of Object.entries(results)) {
  out[name] = { dims: Array.from(tensor.dims), data: Array.from(tensor.data, Number) };
}
writeFileSync(outputsPath, JSON.stringify(out));
