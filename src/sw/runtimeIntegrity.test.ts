// Runtime files verified like models (issue 17 #7): a cached copy whose bytes no longer match the
// SHA-256 the build recorded is dropped (so it is fetched again) and the page is told; a download
// that does not match is never kept. Runs the Workbox plugin against an in-memory Cache API.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectedSha256, integrityPlugin, matchesRevision, repairedMessage, SHA256_REVISION } from './runtimeIntegrity';

const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]);
const revision = `${SHA256_REVISION}${createHash('sha256').update(WASM).digest('hex')}`;
const URL_ = 'https://app.example/ort/ort-wasm-simd-threaded.wasm';
const KEY = `${URL_}?__rev=${revision}`;

/** A minimal Cache API (what the plugin uses: open, match, put, delete). */
function memoryCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    const store = stores.get(name) ?? new Map<string, Response>();
    stores.set(name, store);
    return {
      match: async (r: Request | string) => store.get(typeof r === 'string' ? r : r.url)?.clone(),
      put: async (r: Request | string, res: Response) => { store.set(typeof r === 'string' ? r : r.url, res); },
      delete: async (r: Request | string) => store.delete(typeof r === 'string' ? r : r.url),
    };
  };
  return { open, stores };
}

let saved: unknown;
beforeEach(() => { saved = (globalThis as { caches?: unknown }).caches; });
afterEach(() => { (globalThis as { caches?: unknown }).caches = saved; });

describe('runtime integrity', () => {
  it('reads the hash from a sha256 revision only', () => {
    expect(expectedSha256(revision)).toMatch(/^[0-9a-f]{64}$/);
    expect(expectedSha256('0a1b2c')).toBeNull(); // a plain Workbox revision: not checked
    expect(expectedSha256(null)).toBeNull();
  });

  it('accepts the right bytes and refuses 8 zeroed bytes', async () => {
    expect(await matchesRevision(new Response(WASM), revision)).toBe(true);
    const damaged = WASM.slice();
    damaged.fill(0, 0, 8);
    expect(await matchesRevision(new Response(damaged), revision)).toBe(false);
  });

  it('a damaged cached copy is dropped (so it is downloaded again) and the page is told', async () => {
    const mem = memoryCaches();
    (globalThis as { caches?: unknown }).caches = mem;
    const cache = await mem.open('mer-runtime-v1');
    const damaged = WASM.slice();
    damaged.fill(0, 0, 8);
    await cache.put(KEY, new Response(damaged));
    const repaired: string[] = [];
    const plugin = integrityPlugin({ cacheName: 'mer-runtime-v1', revisionOf: (u) => (new URL(u).pathname.endsWith('.wasm') ? revision : null), onRepair: (u) => repaired.push(u) });
    const cached = await cache.match(KEY);
    const used = await plugin.cachedResponseWillBeUsed({ cachedResponse: cached, request: new Request(KEY), cacheName: 'mer-runtime-v1' });
    expect(used).toBeNull(); // the strategy now goes to the network: never a permanent failure
    expect(await cache.match(KEY)).toBeUndefined();
    expect(repaired).toEqual([KEY]);
    expect(repairedMessage(KEY).text).toBe('A damaged copy of ort-wasm-simd-threaded.wasm kept in this browser was found and replaced with a fresh download. Nothing you need to do.');

    // The fresh download matches: it is kept; a good cached copy is then served as it is.
    const fresh = await plugin.cacheWillUpdate({ response: new Response(WASM), request: new Request(URL_) });
    expect(fresh).not.toBeNull();
    await cache.put(KEY, fresh!);
    const again = await plugin.cachedResponseWillBeUsed({ cachedResponse: await cache.match(KEY), request: new Request(KEY), cacheName: 'mer-runtime-v1' });
    expect(new Uint8Array(await again!.arrayBuffer())).toEqual(WASM);
    expect(repaired).toHaveLength(1);
  });

  it('a download that does not match is served but not kept', async () => {
    const plugin = integrityPlugin({ cacheName: 'c', revisionOf: () => revision, onRepair: () => undefined });
    expect(await plugin.cacheWillUpdate({ response: new Response(new Uint8Array(16)), request: new Request(URL_) })).toBeNull();
    expect(await plugin.cacheWillUpdate({ response: new Response('x', { status: 404 }), request: new Request(URL_) })).toBeNull();
  });
});
