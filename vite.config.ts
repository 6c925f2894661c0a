/// <reference types="vitest/config" />
// Vite configuration: the app, its workers, the service worker that keeps it usable offline, and
// the security headers every server of it sends (defined in src/sw/securityHeaders.ts, which the
// service worker also stamps on what it serves from its caches).
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { devCsp, securityHeaders, strictCsp } from './src/sw/securityHeaders.ts';

/** public/: the runtime files are copied from it into the build unchanged (scripts/copy-runtime-assets.mjs). */
const publicDir = resolve(import.meta.dirname, 'public');

export { securityHeaders };

/**
 * Whether this build has the "Try the sample clip" video (scripts/make-sample-clip.mjs runs before
 * every build and dev server; MER_NO_SAMPLE=1 builds and builds away from ../shared have none). The
 * page asks for public/sample/sample.json only when it is there, so a build without it never
 * requests a file it does not have (offline, that request failed at every load).
 */
const hasSampleClip = existsSync(join(publicDir, 'sample', 'sample.json'));

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

/**
 * The runtime's large files (ort/, ffmpeg/) get their SHA-256 as their precache revision
 * (`sha256-<hex>`), so the service worker verifies every copy like the models (src/sw/runtimeIntegrity.ts).
 */
async function sha256Revisions(entries: { url: string; revision: string | null; size: number }[]) {
  const manifest = entries.map((e) => {
    if (!/^(ort|ffmpeg)\//.test(e.url)) return e;
    const hex = createHash('sha256').update(readFileSync(join(publicDir, e.url))).digest('hex');
    return { ...e, revision: `sha256-${hex}` };
  });
  return { manifest, warnings: [] as string[] };
}

export default defineConfig({
  plugins: [
    react(),
    emitHeadersFile(),
    // Service worker (src/sw/sw.ts, Workbox injectManifest): the app shell precached; onnxruntime's
    // and ffmpeg's wasm listed with their revisions but cached only when first used; models left
    // to the page's verified Cache API store. No web app manifest: offline use, not installation.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'prompt',
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,mjs,css,wasm}', 'sample/*.{json,mp4}'],
        globIgnores: ['models/**', '**/*.map', 'sw.js'],
        maximumFileSizeToCacheInBytes: 64 * 1024 ** 2,
        manifestTransforms: [sha256Revisions],
      },
    }),
  ],
  resolve: {
    // Pick onnxruntime-web's builds that load their wasm glue from env.wasm.wasmPaths (/ort/,
    // copied there by scripts/copy-runtime-assets.mjs) instead of inlining it into our bundle.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  optimizeDeps: {
    exclude: ['onnxruntime-web', '@huggingface/transformers', '@ffmpeg/ffmpeg', '@ffmpeg/util'],
  },
  define: { 'import.meta.env.VITE_SAMPLE_CLIP': JSON.stringify(hasSampleClip) },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2000 },
  server: { headers: securityHeaders(devCsp) },
  preview: { headers: securityHeaders(strictCsp), port: 4173 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
  },
});
