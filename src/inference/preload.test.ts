// Preloading downloads nothing unasked: on its own it loads only when every model file is kept.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Manifest } from './manifest';
import { preloadModels, type ModelLoader } from './preload';

const files = [{ path: 'fusion.onnx', bytes: 10, sha256: 'a'.repeat(64) }, { path: 'face.onnx', bytes: 5, sha256: 'b'.repeat(64) }];

function loader(): ModelLoader & { ensureModels: ReturnType<typeof vi.fn> } {
  return {
    loadManifest: async () => ({ files }) as unknown as Manifest,
    ensureModels: vi.fn(async () => undefined),
  };
}

/** A Cache API that keeps the files named in `kept` (by path). */
function cachesKeeping(kept: string[]) {
  return {
    open: async () => ({ match: async (key: string) => (kept.some((p) => key.includes(`/models/${p}?`)) ? new Response('x') : undefined) }),
  };
}

describe('preloadModels', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('on a return visit (every file kept) loads the models, with the page backend preference', async () => {
    vi.stubGlobal('document', { baseURI: 'http://app.test/' });
    vi.stubGlobal('location', { search: '?backend=wasm' });
    vi.stubGlobal('caches', cachesKeeping(['fusion.onnx', 'face.onnx']));
    const l = loader();
    await expect(preloadModels(l, { onlyIfCached: true })).resolves.toBe(true);
    expect(l.ensureModels).toHaveBeenCalledTimes(1);
    expect(l.ensureModels.mock.calls[0]?.[2]).toBe('wasm');
  });

  it('downloads nothing unasked: one file not kept (or no Cache API) and it does not load', async () => {
    vi.stubGlobal('document', { baseURI: 'http://app.test/' });
    vi.stubGlobal('caches', cachesKeeping(['fusion.onnx']));
    const l = loader();
    await expect(preloadModels(l, { onlyIfCached: true })).resolves.toBe(false);
    vi.stubGlobal('caches', undefined);
    await expect(preloadModels(l, { onlyIfCached: true })).resolves.toBe(false);
    expect(l.ensureModels).not.toHaveBeenCalled();
  });

  it('asked (live mode opened) it loads whatever is kept, and a failed load never rejects', async () => {
    vi.stubGlobal('document', { baseURI: 'http://app.test/' });
    vi.stubGlobal('caches', undefined);
    const l = loader();
    await expect(preloadModels(l, { onlyIfCached: false })).resolves.toBe(true);
    l.ensureModels.mockRejectedValueOnce(new Error('no network'));
    await expect(preloadModels(l, { onlyIfCached: false })).resolves.toBe(false);
  });
});
