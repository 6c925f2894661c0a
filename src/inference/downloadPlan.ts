// What the models will cost before any download starts: the manifest's byte counts, minus the
// files this browser already keeps (verified copies in the Cache API, see modelFiles.ts), so the
// page can say "The models are 18.2 MB, downloaded once and kept in this browser" up front.
import type { Manifest } from './manifest';
import { MODEL_CACHE, modelCacheKey } from './modelFiles';

export interface DownloadPlan {
  /** Every model file the app loads, in bytes. */
  totalBytes: number;
  /** What still has to come over the network. */
  toDownloadBytes: number;
  files: number;
  cachedFiles: number;
}

/** Sizes from the manifest; a file counts as cached when MODEL_CACHE holds its hash-keyed copy. */
export async function planDownloads(manifest: Pick<Manifest, 'files'>, modelsBase: string, cacheStorage: CacheStorage | null): Promise<DownloadPlan> {
  const cache = cacheStorage ? await cacheStorage.open(MODEL_CACHE).catch(() => null) : null;
  let totalBytes = 0;
  let toDownloadBytes = 0;
  let cachedFiles = 0;
  for (const file of manifest.files) {
    totalBytes += file.bytes;
    const cached = cache ? await cache.match(modelCacheKey(file, modelsBase)).catch(() => undefined) : undefined;
    if (cached) cachedFiles++;
    else toDownloadBytes += file.bytes;
  }
  return { totalBytes, toDownloadBytes, files: manifest.files.length, cachedFiles };
}
