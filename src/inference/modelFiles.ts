// Model file delivery: download each manifest file from our own origin with progress, verify its
// sha256 with crypto.subtle, refuse a mismatch with a clear message, and keep verified files in the
// Cache API so a second visit (or an offline one) loads without the network.
import type { ManifestFile } from './manifest';

export const MODEL_CACHE = 'mer-models-v1';

export class IntegrityError extends Error {
  constructor(readonly path: string, readonly expected: string, readonly actual: string) {
    super(`The model file ${path} is corrupt or was altered (its SHA-256 is ${actual.slice(0, 12)}…, the manifest expects ${expected.slice(0, 12)}…), so it was refused and not kept. Analyse again to download it afresh; if this message comes back, the copy on this site is damaged: tell whoever runs it.`);
    this.name = 'IntegrityError';
  }
}

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws IntegrityError unless `data` matches the manifest entry. */
export async function verifyFile(file: ManifestFile, data: ArrayBuffer): Promise<void> {
  const actual = await sha256Hex(data);
  if (actual !== file.sha256) throw new IntegrityError(file.path, file.sha256, actual);
}

export type FileSource = 'cache' | 'network';
export type ProgressFn = (loaded: number, total: number) => void;

/** Reads a response body, reporting progress against the manifest's byte count. */
export async function readWithProgress(res: Response, total: number, onProgress: ProgressFn, signal?: AbortSignal): Promise<ArrayBuffer> {
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onProgress(buf.byteLength, total);
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress(0, total);
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel();
      throw signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError');
    }
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, Math.max(total, loaded));
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out.buffer;
}

export interface FetchModelOptions {
  modelsBase: string;
  onProgress: ProgressFn;
  signal?: AbortSignal;
  /** Injected in tests; defaults to the global fetch and caches. */
  fetchFn?: typeof fetch;
  cacheStorage?: CacheStorage | null;
}

/** Where a verified copy of `file` is kept in MODEL_CACHE. The key carries the hash, so a new model
 *  version never reads an old cached one. */
export function modelCacheKey(file: ManifestFile, modelsBase: string): string {
  return `${new URL(file.path, modelsBase).href}?sha256=${file.sha256}`;
}

/** The verified bytes of one model file, from the cache when it holds a verified copy. */
export async function fetchModelFile(file: ManifestFile, opts: FetchModelOptions): Promise<{ data: ArrayBuffer; source: FileSource }> {
  const url = new URL(file.path, opts.modelsBase).href;
  const key = modelCacheKey(file, opts.modelsBase);
  const storage = opts.cacheStorage === undefined ? (globalThis.caches ?? null) : opts.cacheStorage;
  const cache = storage ? await storage.open(MODEL_CACHE).catch(() => null) : null;

  const cached = cache ? await cache.match(key) : undefined;
  if (cached) {
    const data = await cached.arrayBuffer();
    try {
      await verifyFile(file, data);
      opts.onProgress(data.byteLength, data.byteLength);
      return { data, source: 'cache' };
    } catch {
      await cache?.delete(key); // a damaged cache entry is dropped and downloaded again
    }
  }

  const fetchFn = opts.fetchFn ?? fetch;
  let res: Response;
  try {
    res = await fetchFn(url, { signal: opts.signal, cache: 'no-cache' });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw new Error(`Could not download the model file ${file.path}: the network is unavailable and it is not cached yet.`);
  }
  if (!res.ok) throw new Error(`Could not download the model file ${file.path} (HTTP ${res.status}).`);
  const data = await readWithProgress(res, file.bytes, opts.onProgress, opts.signal);
  await verifyFile(file, data);
  if (cache) {
    await cache.put(key, new Response(data.slice(0), { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => undefined);
  }
  return { data, source: 'network' };
}

/** The manifest itself: network first (it names the current models), the cached copy when offline. */
export async function fetchManifestJson(url: string, fetchFn: typeof fetch = fetch): Promise<unknown> {
  const cache = globalThis.caches ? await caches.open(MODEL_CACHE).catch(() => null) : null;
  try {
    const res = await fetchFn(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    await cache?.put(url, new Response(text, { headers: { 'Content-Type': 'application/json' } })).catch(() => undefined);
    return JSON.parse(text) as unknown;
  } catch (e) {
    const cached = cache ? await cache.match(url) : undefined;
    if (cached) return (await cached.json()) as unknown;
    throw new Error(`Could not load the model manifest (${e instanceof Error ? e.message : String(e)}).`);
  }
}
