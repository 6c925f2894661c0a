// Storage honesty (issue 17 #6): the page reports what is really kept (models, runtime wasm, app
// shell — about 62 MB after one analysis, not just the models' 18 MB) and does not claim offline
// use where no service worker controls it (npm run dev); clearing removes every cache of the app.
import { describe, expect, it } from 'vitest';
import { clearStorage, kindOfCache, measureStorage, storageText, summarizeStorage } from './storage';

/** An in-memory CacheStorage with what one analysis leaves behind (sizes in bytes). */
function fakeCaches(contents: Record<string, number[]>) {
  const stores = new Map(Object.entries(contents));
  return {
    keys: async () => [...stores.keys()],
    delete: async (n: string) => stores.delete(n),
    open: async (n: string) => ({
      keys: async () => (stores.get(n) ?? []).map((_, i) => new Request(`https://x/${n}/${i}`)),
      match: async (r: Request) => {
        const size = stores.get(n)?.[Number(r.url.split('/').pop())];
        return size === undefined ? undefined : new Response(new Uint8Array(size), i(n) ? { headers: { 'content-length': String(size) } } : undefined);
      },
    }),
  } as unknown as CacheStorage;
}
const i = (n: string) => n !== 'mer-runtime-v1'; // runtime responses without content-length: measured by their body

describe('storage report', () => {
  it('names each cache by what it holds', () => {
    expect(kindOfCache('mer-models-v1')).toBe('models');
    expect(kindOfCache('mer-runtime-v1')).toBe('runtime');
    expect(kindOfCache('mer-precache-v1-http://x/')).toBe('app');
  });

  it('measures every cache of the app, not only the models', async () => {
    const store = fakeCaches({ 'mer-models-v1': [6_000_000, 9_000_000], 'mer-runtime-v1': [3_000_000], 'mer-precache-v1-x': [500_000], 'someone-else': [1] });
    const report = await measureStorage(store);
    expect(report.byKind).toEqual({ models: 15_000_000, runtime: 3_000_000, app: 500_000, other: 0 });
    expect(report.total).toBe(18_500_000);
    expect(storageText(report, true)).toBe('Stored in this browser for this app: 17.6 MB (models 14.3 MB, runtime (onnxruntime, ffmpeg) 2.9 MB, app 0.5 MB). The app itself is kept by its service worker, so it opens and analyses without a network.');
  });

  it('does not claim offline use without a service worker', () => {
    const text = storageText(summarizeStorage([{ cache: 'mer-models-v1', bytes: 1024 * 1024 }]), false);
    expect(text).toMatch(/does not work offline/);
    expect(text).not.toMatch(/without a network/);
  });

  it('clears every cache of the app and nothing else', async () => {
    const store = fakeCaches({ 'mer-models-v1': [1], 'mer-runtime-v1': [1], 'other-app': [1] });
    expect(await clearStorage(store)).toBe(2);
    expect(await store.keys()).toEqual(['other-app']);
  });
});

describe('first visit of a built site', () => {
  it('says the offline copy is being set up, not that there is no service worker', () => {
    expect(storageText(summarizeStorage([]), 'starting')).toBe('Nothing of this app is stored in this browser yet. The app is being kept for offline use (its service worker is starting); until then it needs the network.');
  });
});
