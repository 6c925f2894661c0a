#!/usr/bin/env node
// Copies the runtime files the app loads at run time from node_modules into public/ (gitignored),
// so onnxruntime-web's wasm and ffmpeg's core are served from our own origin, never a CDN. The
// Silero voice-activity model is not copied: the app ships it rewritten to take many frames per run
// (public/models/silero_vad_v6_frames.onnx, committed, derived from @ricky0123/vad-web's
// silero_vad_v6.onnx by training/mer/features/silero_frames.py), listed by the manifest writer like
// every model.
// Runs before dev, build, preview and test. Copies only what changed (size + mtime).
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

/** [source folder, files, destination folder under public/] */
const GROUPS = Object.freeze([
  // WASM: ort.wasm.min.mjs imports this glue + wasm. WebGPU: ort.webgpu.min.mjs (also what
  // transformers.js imports) uses the asyncify build; the jsep build backs ort.min.mjs / ort.all.
  ['onnxruntime-web/dist', [
    'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm',
    'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm',
    'ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm',
  ], 'ort'],
  ['@ffmpeg/core/dist/esm', ['ffmpeg-core.js', 'ffmpeg-core.wasm'], 'ffmpeg'],
  ['@ffmpeg/core-mt/dist/esm', ['ffmpeg-core.js', 'ffmpeg-core.wasm', 'ffmpeg-core.worker.js'], 'ffmpeg/mt'],
]);

let copied = 0;
for (const [from, files, to] of GROUPS) {
  const dest = join(root, 'public', to);
  mkdirSync(dest, { recursive: true });
  for (const file of files) {
    const src = join(nm, from, file);
    if (!existsSync(src)) {
      console.error(`copy-runtime-assets: missing ${src}. Run \`npm install\` first.`);
      process.exit(1);
    }
    const out = join(dest, file);
    const s = statSync(src);
    if (existsSync(out)) {
      const o = statSync(out);
      if (o.size === s.size && o.mtimeMs >= s.mtimeMs) continue;
    }
    copyFileSync(src, out);
    copied++;
  }
}
console.log(`copy-runtime-assets: ${copied ? `${copied} file(s) copied` : 'up to date'} (public/ort, public/ffmpeg)`);
