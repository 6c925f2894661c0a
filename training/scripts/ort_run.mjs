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
// INPUTS.json may also be an array of such objects: each is run in turn, OUTPUTS.json is then an array.
const toFeeds = (spec) => Object.fromEntries(Object.entries(spec).map(
  ([name, { dims, data }]) => [name, new ort.Tensor('float32', Float32Array.from(data), dims)]));
const fromResults = (results) => Object.fromEntries(Object.entries(results).map(
  ([name, t]) => [name, { dims: Array.from(t.dims), data: Array.from(t.data, Number) }]));
const parsed = JSON.parse(readFileSync(inputsPath, 'utf8'));
let out;
if (Array.isArray(parsed)) {
  out = [];
  for (const spec of parsed) out.push(fromResults(await session.run(toFeeds(spec))));
} else {
  out = fromResults(await session.run(toFeeds(parsed)));
}
writeFileSync(outputsPath, JSON.stringify(out));
