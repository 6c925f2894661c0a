/// <reference types="vitest/config" />
// Vite configuration: the app, its workers, and the security headers every server of it sends.
// Cross-origin isolation (COOP/COEP) lets threaded WASM and ffmpeg's multi-thread core run; the
// Content-Security-Policy admits no origin but our own, so a model, wasm file or tokenizer can
// never come from a CDN by accident.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const strictCsp = [
  "default-src 'self'",
  // 'wasm-unsafe-eval' compiles onnxruntime's and ffmpeg's WebAssembly; blob: for worker bootstraps.
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The dev server injects React Refresh's preamble and CSS as inline code: allow inline there only.
const devCsp = strictCsp
  .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
  .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

export const securityHeaders = (csp: string): Record<string, string> => ({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': csp,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
});

/** Writes dist/_headers (Netlify / Cloudflare Pages format) so static hosts send the same headers. */
function emitHeadersFile(): Plugin {
  return {
    name: 'mer:emit-headers-file',
    apply: 'build',
    generateBundle() {
      const lines = Object.entries(securityHeaders(strictCsp)).map(([k, v]) => `  ${k}: ${v}`);
      this.emitFile({ type: 'asset', fileName: '_headers', source: `/*\n${lines.join('\n')}\n` });
    },
  };
}

export default defineConfig({
  plugins: [react(), emitHeadersFile()],
  resolve: {
    // Pick onnxruntime-web's builds that load their wasm glue from env.wasm.wasmPaths (/ort/,
    // copied there by scripts/copy-runtime-assets.mjs) instead of inlining it into our bundle.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  optimizeDeps: {
    exclude: ['onnxruntime-web', '@huggingface/transformers', '@ffmpeg/ffmpeg', '@ffmpeg/util'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2000 },
  server: { headers: securityHeaders(devCsp) },
  preview: { headers: securityHeaders(strictCsp), port: 4173 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
  },
});
