// Runs a .tflite model with the real TFLite runtime (@tensorflow/tfjs-tflite, its wasm served from
// node_modules) inside headless Debian Chromium, to check our PyTorch ports against the original.
// A tiny local server hands the page the runtime, the model and the input files; the page POSTs its
// raw Float32 outputs back. Used by scripts/yamnet-tflite-parity.mjs and scripts/face-tflite-parity.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chromiumPath = CHROMIUM_PATH;

/** Float32 view of a Buffer (copying, so alignment never matters). */
export const asF32 = (b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/**
 * @param {Record<string, string>} files  URL path (e.g. '/model.tflite') -> file on disk
 * @param {(arg: any) => Promise<any>} pageFunction  runs in the page with globals `tf` and `tflite`
 *   loaded; POSTs outputs to '/<name>' and returns a JSON-able summary
 * @param {any} arg  passed to pageFunction
 * @returns {Promise<{ info: any, results: Record<string, Buffer> }>}
 */
export async function runInChromium(files, pageFunction, arg) {
  const tf = join(root, 'node_modules/@tensorflow');
  const routes = {
    '/tf-core.js': join(tf, 'tfjs-core/dist/tf-core.min.js'),
    '/tf-backend-cpu.js': join(tf, 'tfjs-backend-cpu/dist/tf-backend-cpu.min.js'),
    '/tf-tflite.js': join(tf, 'tfjs-tflite/dist/tf-tflite.min.js'),
    ...files,
  };
  const page = `<!doctype html><meta charset="utf-8"><title>tflite parity</title>
<script src="/tf-core.js"></script><script src="/tf-backend-cpu.js"></script><script src="/tf-tflite.js"></script>`;
  const results = {};
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        results[req.url.slice(1)] = Buffer.concat(chunks);
        res.end('ok');
      });
      return;
    }
    const url = req.url.split('?')[0];
    let file = routes[url];
    if (!file && url.startsWith('/wasm/')) file = join(tf, 'tfjs-tflite/wasm', url.slice(6).replace(/[^\w.]/g, ''));
    if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (!file || !existsSync(file)) return res.writeHead(404).end();
    const type = { '.js': 'text/javascript', '.wasm': 'application/wasm' }[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const tab = await browser.newPage();
    tab.on('pageerror', (e) => console.error('page error:', e.message));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    const info = await tab.evaluate(pageFunction, arg);
    return { info, results };
  } finally {
    await browser.close();
    server.close();
  }
}
