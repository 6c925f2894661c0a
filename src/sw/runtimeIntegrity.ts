// Integrity of the runtime's large files (onnxruntime's and ffmpeg's .wasm/.mjs), verified like the
// models: the build writes each file's SHA-256 into the service worker's precache manifest as its
// revision (`sha256-<hex>`, vite.config.ts `sha256Revisions`), and the service worker checks every
// copy before it serves or keeps it. A damaged cached copy (a disk error, a half-written entry, a
// meddling extension) is dropped and fetched again, and the page is told in a plain sentence;
// a download that does not match is served but never kept, so nothing bad is stored for good.

/** The revision prefix that marks a SHA-256 hash (other revisions, e.g. in dev, are not checked). */
export const SHA256_REVISION = 'sha256-';

/** The message the service worker posts to its pages after replacing a damaged file. */
export const RUNTIME_REPAIRED = 'mer-runtime-repaired';

export interface RuntimeRepairedMessage { type: typeof RUNTIME_REPAIRED; file: string; text: string }

/** The expected SHA-256 (hex) of a file from its revision; null when the revision is not a hash. */
export function expectedSha256(revision: string | null | undefined): string | null {
  if (!revision?.startsWith(SHA256_REVISION)) return null;
  const hex = revision.slice(SHA256_REVISION.length);
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** True when `response`'s body has the expected hash (or no hash is known). Reads a clone. */
export async function matchesRevision(response: Response, revision: string | null | undefined): Promise<boolean> {
  const expected = expectedSha256(revision);
  if (!expected) return true;
  try {
    return (await sha256Hex(await response.clone().arrayBuffer())) === expected;
  } catch {
    return false;
  }
}

/** The file's name for a person ("ort-wasm-simd-threaded.wasm"). */
export const fileNameOf = (url: string): string => new URL(url).pathname.split('/').pop() || url;

export function repairedMessage(url: string): RuntimeRepairedMessage {
  const file = fileNameOf(url);
  return {
    type: RUNTIME_REPAIRED,
    file,
    text: `A damaged copy of ${file} kept in this browser was found and replaced with a fresh download. Nothing you need to do.`,
  };
}

export const isRepairedMessage = (v: unknown): v is RuntimeRepairedMessage =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === RUNTIME_REPAIRED
  && typeof (v as { text?: unknown }).text === 'string';

/**
 * A Workbox plugin for the runtime route: a cached copy that fails its hash is deleted (so the
 * strategy fetches it again) and `onRepair` is called; a network copy that fails is not cached.
 * `revisionOf` gives a URL's revision (its expected hash); `verified` remembers copies already
 * checked in this worker's life, so a file is hashed once, not on every use.
 */
export function integrityPlugin(options: {
  revisionOf: (url: string) => string | null | undefined;
  cacheName: string;
  onRepair: (url: string) => void;
}) {
  const verified = new Set<string>();
  return {
    cachedResponseWillBeUsed: async ({ cachedResponse, request, cacheName }: { cachedResponse?: Response; request: Request; cacheName?: string }) => {
      if (!cachedResponse) return cachedResponse ?? null;
      const url = request.url;
      if (verified.has(url)) return cachedResponse;
      if (await matchesRevision(cachedResponse, options.revisionOf(url))) {
        verified.add(url);
        return cachedResponse;
      }
      const cache = await caches.open(cacheName ?? options.cacheName);
      await cache.delete(request);
      options.onRepair(url);
      return null; // the strategy goes to the network
    },
    cacheWillUpdate: async ({ response, request }: { response: Response; request: Request }) => {
      if (response.status !== 200) return null;
      if (!(await matchesRevision(response, options.revisionOf(request.url)))) return null;
      verified.add(request.url);
      return response;
    },
  };
}
