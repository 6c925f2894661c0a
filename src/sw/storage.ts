// What this app really keeps in the browser, and a way to clear it: the Cache API stores by name
// (verified models `mer-models-v1`, the runtime's wasm `mer-runtime-v1`, Workbox's precached app
// shell `mer-precache-…`), measured entry by entry, so the page can say "62 MB: models 18.9,
// runtime 41.4, app 1.6" instead of quoting the models' size alone; and whether this page works
// offline at all (a service worker controls it: not under `npm run dev`).
import { MODEL_CACHE } from '../inference/modelFiles';
import { RUNTIME_CACHE } from './constants';

export type StoredKind = 'models' | 'runtime' | 'app' | 'other';

export interface StorageReport { total: number; byKind: Record<StoredKind, number>; caches: string[] }

/** Which part of the app a cache holds, by its name. */
export function kindOfCache(name: string): StoredKind {
  if (name === MODEL_CACHE) return 'models';
  if (name === RUNTIME_CACHE) return 'runtime';
  if (name.startsWith('mer-precache') || name.startsWith('workbox-precache')) return 'app';
  return 'other';
}

/** Sums measured caches into a report (pure). */
export function summarizeStorage(measured: readonly { cache: string; bytes: number }[]): StorageReport {
  const byKind: Record<StoredKind, number> = { models: 0, runtime: 0, app: 0, other: 0 };
  for (const m of measured) byKind[kindOfCache(m.cache)] += m.bytes;
  return { total: measured.reduce((a, m) => a + m.bytes, 0), byKind, caches: measured.map((m) => m.cache) };
}

/** The app's caches (names starting with "mer-" or Workbox's), each with the bytes of its entries. */
export async function measureStorage(store: CacheStorage = caches): Promise<StorageReport> {
  const names = (await store.keys()).filter((n) => n.startsWith('mer-') || n.startsWith('workbox-'));
  const measured = await Promise.all(names.map(async (cache) => {
    const c = await store.open(cache);
    let bytes = 0;
    for (const req of await c.keys()) {
      const res = await c.match(req);
      if (!res) continue;
      const declared = Number(res.headers.get('content-length'));
      bytes += Number.isFinite(declared) && declared > 0 ? declared : (await res.blob()).size;
    }
    return { cache, bytes };
  }));
  return summarizeStorage(measured);
}

/** Deletes every cache of this app (models and runtime are downloaded again when next needed). */
export async function clearStorage(store: CacheStorage = caches): Promise<number> {
  const names = (await store.keys()).filter((n) => n.startsWith('mer-') || n.startsWith('workbox-'));
  await Promise.all(names.map((n) => store.delete(n)));
  return names.length;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Whether this page works offline: `yes` (a service worker controls it), `starting` (a built site
 * whose service worker is still being installed, first visit), `no` (none: `npm run dev`).
 */
export type OfflineState = 'yes' | 'starting' | 'no';

const OFFLINE_TEXT: Readonly<Record<OfflineState, string>> = Object.freeze({
  yes: 'The app itself is kept by its service worker, so it opens and analyses without a network.',
  starting: 'The app is being kept for offline use (its service worker is starting); until then it needs the network.',
  no: 'This page has no service worker (as under `npm run dev`), so it does not work offline; a built site (`npm run build && npm run preview`) does.',
});

/** One sentence for the page: what is kept, by part, and whether the page works offline. */
export function storageText(report: StorageReport, offline: OfflineState | boolean): string {
  const where = OFFLINE_TEXT[offline === true ? 'yes' : offline === false ? 'no' : offline];
  if (report.total === 0) return `Nothing of this app is stored in this browser yet. ${where}`;
  const parts = ([['models', 'models'], ['runtime', 'runtime (onnxruntime, ffmpeg)'], ['app', 'app'], ['other', 'other']] as const)
    .filter(([k]) => report.byKind[k] > 0).map(([k, name]) => `${name} ${mb(report.byKind[k])}`);
  return `Stored in this browser for this app: ${mb(report.total)} (${parts.join(', ')}). ${where}`;
}
