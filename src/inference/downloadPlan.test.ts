import { describe, expect, it } from 'vitest';
import { planDownloads } from './downloadPlan';
import type { ManifestFile } from './manifest';
import { MODEL_CACHE, modelCacheKey } from './modelFiles';

const base = 'http://app.test/models/';
const files: ManifestFile[] = [
  { path: 'fusion.onnx', bytes: 6_000_000, sha256: 'a'.repeat(64) },
  { path: 'face_detector.onnx', bytes: 2_000_000, sha256: 'b'.repeat(64) },
  { path: 'text/tokenizer.json', bytes: 500_000, sha256: 'c'.repeat(64) },
];

/** Cache storage holding `keys` in MODEL_CACHE (Node has no CacheStorage). */
function cachesWith(keys: string[]): CacheStorage {
  return {
    async open(name: string) {
      return { async match(key: string) { return name === MODEL_CACHE && keys.includes(key) ? new Response('x') : undefined; } };
    },
  } as unknown as CacheStorage;
}

describe('planDownloads', () => {
  it('counts every manifest file when nothing is cached (or there is no Cache API)', async () => {
    for (const storage of [cachesWith([]), null]) {
      expect(await planDownloads({ files }, base, storage)).toEqual({ totalBytes: 8_500_000, toDownloadBytes: 8_500_000, files: 3, cachedFiles: 0 });
    }
  });

  it('leaves out files already kept, matched by path and hash', async () => {
    const storage = cachesWith([modelCacheKey(files[0]!, base)]);
    expect(await planDownloads({ files }, base, storage)).toEqual({ totalBytes: 8_500_000, toDownloadBytes: 2_500_000, files: 3, cachedFiles: 1 });
  });

  it('does not count a cached copy of an older version of a file', async () => {
    const old = { ...files[0]!, sha256: 'f'.repeat(64) };
    const storage = cachesWith([modelCacheKey(old, base)]);
    expect((await planDownloads({ files }, base, storage)).toDownloadBytes).toBe(8_500_000);
  });

  it('reports nothing to download once everything is kept', async () => {
    const storage = cachesWith(files.map((f) => modelCacheKey(f, base)));
    expect(await planDownloads({ files }, base, storage)).toMatchObject({ toDownloadBytes: 0, cachedFiles: 3 });
  });
});
