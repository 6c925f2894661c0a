// Absolute URLs of our own runtime assets, resolved on the page against Vite's base so the app
// works under any sub-path; workers receive them in their load messages (their own location is
// the worker script's, not the page's).
import { parseWasmThreads } from './backend';

// A page's `?threads=N` travels to the workers as the same parameter on the asset base, which
// every load message already carries; `configureOrtEnv` reads it there. Relative URLs resolved
// against the base (ort/, models/) drop it.
export function assetBase(): string {
  const base = new URL(import.meta.env.BASE_URL, document.baseURI);
  const threads = parseWasmThreads(new URLSearchParams(globalThis.location?.search ?? '').get('threads'));
  if (threads !== null) base.searchParams.set('threads', String(threads));
  return base.href;
}

export function modelsBase(): string {
  return new URL('models/', assetBase()).href;
}
