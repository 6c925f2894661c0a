// Models ready before they are asked for (issue 16): on a return visit, when every model file is
// already a verified copy in the Cache API, the page loads them into their workers as soon as it
// is idle, so a dropped file or live mode's Start finds them ready (or joins the load under way,
// engine.ensureModels). A first visit downloads nothing unasked: the page says what the first
// analysis will download (downloadPlan.ts) and waits for one; live mode loads them when it opens.
import { parseBackendPreference } from './backend';
import { planDownloads } from './downloadPlan';
import type { Manifest } from './manifest';
import { assetBase, modelsBase } from './paths';
import { RUNTIME_CACHE } from '../sw/constants';
import type { Reports } from './sharedLoad';
import type { BackendPreference } from '../protocol';

/** What preloading needs of the engine (src/pipeline/engine.ts). */
export interface ModelLoader {
  loadManifest(): Promise<Manifest>;
  ensureModels(report: Reports, signal: AbortSignal, preference: BackendPreference): Promise<unknown>;
}

const quiet: Reports = { stage: () => undefined, download: () => undefined, note: () => undefined, backend: () => undefined };

/** The page's backend preference (`?backend=`), the one every analysis uses. */
const pagePreference = () => parseBackendPreference(new URLSearchParams(globalThis.location?.search ?? '').get('backend'));

/**
 * Loads the models now (quietly: whoever needs them joins with a reporter of their own). With
 * `onlyIfCached`, only when nothing would be downloaded. Resolves to whether a load ran; never
 * rejects (a failure is reported by the analysis that needs the models, when it loads them again).
 */
export async function preloadModels(engine: ModelLoader, { onlyIfCached }: { onlyIfCached: boolean }): Promise<boolean> {
  try {
    if (onlyIfCached) {
      const manifest = await engine.loadManifest();
      const plan = await planDownloads(manifest, modelsBase(), globalThis.caches ?? null);
      if (plan.toDownloadBytes > 0) return false;
    }
    await engine.ensureModels(quiet, new AbortController().signal, pagePreference());
    return true;
  } catch {
    return false;
  }
}

/** `preloadModels(engine, {onlyIfCached: true})` once the page is idle (after its first paint and scripts). */
export function preloadWhenIdle(engine: ModelLoader): void {
  const start = () => void preloadModels(engine, { onlyIfCached: true });
  if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 0);
}

/** The onnxruntime wasm every worker instantiates on WASM (ort.wasm.min.mjs's, also transformers.js's there). */
export const RUNTIME_WASM = 'ort/ort-wasm-simd-threaded.wasm';

let primed: Promise<void> | null = null;

/**
 * Before the workers start at once: when the service worker does not keep the runtime's wasm yet
 * (a first visit), the page fetches it once through the service worker, so four workers asking
 * at the same moment do not each download it (its cache-first route would miss four times).
 * Once per page; never rejects.
 */
export function primeRuntime(): Promise<void> {
  primed ??= (async () => {
    if (!globalThis.navigator?.serviceWorker?.controller || !globalThis.caches) return;
    const url = new URL(RUNTIME_WASM, assetBase());
    const kept = await (await caches.open(RUNTIME_CACHE)).keys();
    if (kept.some((k) => new URL(k.url).pathname === url.pathname)) return;
    await (await fetch(url)).arrayBuffer();
  })().catch(() => undefined);
  return primed;
}
