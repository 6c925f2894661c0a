// The security headers every response of the app carries, in one place: the Vite dev and preview
// servers and dist/_headers send them (vite.config.ts), and the service worker stamps them on what
// it serves from its caches, so cross-origin isolation and the CSP hold offline too.
// Cross-origin isolation (COOP/COEP) lets threaded WASM and ffmpeg's multi-thread core run; the
// Content-Security-Policy admits no origin but our own, so a model, wasm file or tokenizer can
// never come from a CDN by accident.

export const strictCsp = [
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
export const devCsp = strictCsp
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

/** Every CSP source that names a scheme + host (a remote origin); empty for ours. */
export function remoteSources(csp: string): string[] {
  return csp.split(';').flatMap((d) => d.trim().split(/\s+/).slice(1)).filter((s) => /^(https?|wss?):|^\*|\/\//.test(s) || /^[a-z0-9-]+(\.[a-z0-9-]+)+/i.test(s));
}
