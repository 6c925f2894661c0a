import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findFile, parseManifest, type ManifestFile } from './manifest';
import { fetchModelFile, IntegrityError, MODEL_CACHE, sha256Hex, verifyFile } from './modelFiles';

const bytes = new TextEncoder().encode('pretend this is an onnx model').buffer;
const entry: ManifestFile = { path: 'tiny.onnx', bytes: bytes.byteLength, sha256: createHash('sha256').update(new Uint8Array(bytes)).digest('hex') };
const base = 'http://app.test/models/';

/** A minimal Cache API stand-in (Node has no CacheStorage). */
function memoryCaches() {
  const store = new Map<string, Map<string, Response>>();
  const storage = {
    async open(name: string) {
      let m = store.get(name);
      if (!m) store.set(name, (m = new Map()));
      const map = m;
      return {
        async match(key: string) { return map.get(key)?.clone(); },
        async put(key: string, res: Response) { map.set(key, res); },
        async delete(key: string) { return map.delete(key); },
      };
    },
  };
  return { storage: storage as unknown as CacheStorage, store };
}

function serving(body: ArrayBuffer, calls: string[]): typeof fetch {
  return (async (url: string | URL | Request) => {
    calls.push(String(url));
    return new Response(body.slice(0), { status: 200 });
  }) as typeof fetch;
}

describe('sha256 verification', () => {
  it('computes the same digest as node:crypto', async () => {
    expect(await sha256Hex(bytes)).toBe(entry.sha256);
  });
  it('accepts a matching file and refuses a mismatch with a clear message', async () => {
    await expect(verifyFile(entry, bytes)).resolves.toBeUndefined();
    const tampered = new Uint8Array(bytes.slice(0));
    tampered[0] ^= 1;
    const err = await verifyFile(entry, tampered.buffer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/tiny\.onnx is corrupt or was altered/);
  });
});

describe('fetchModelFile', () => {
  it('downloads with progress, verifies, then serves the cached copy', async () => {
    const { storage } = memoryCaches();
    const calls: string[] = [];
    const progress: number[] = [];
    const first = await fetchModelFile(entry, { modelsBase: base, cacheStorage: storage, fetchFn: serving(bytes, calls), onProgress: (l) => progress.push(l) });
    expect(first.source).toBe('network');
    expect(new Uint8Array(first.data)).toEqual(new Uint8Array(bytes));
    expect(calls).toEqual(['http://app.test/models/tiny.onnx']);
    expect(progress.at(-1)).toBe(entry.bytes);
    const second = await fetchModelFile(entry, { modelsBase: base, cacheStorage: storage, fetchFn: serving(bytes, calls), onProgress: () => undefined });
    expect(second.source).toBe('cache');
    expect(calls).toHaveLength(1);
  });
  it('refuses a download whose hash does not match, and does not cache it', async () => {
    const { storage, store } = memoryCaches();
    const wrong = new TextEncoder().encode('a different model entirely!!!').buffer;
    await expect(fetchModelFile(entry, { modelsBase: base, cacheStorage: storage, fetchFn: serving(wrong, []), onProgress: () => undefined }))
      .rejects.toBeInstanceOf(IntegrityError);
    expect(store.get(MODEL_CACHE)?.size ?? 0).toBe(0);
  });
  it('replaces a damaged cache entry by a fresh download', async () => {
    const { storage } = memoryCaches();
    const cache = await storage.open(MODEL_CACHE);
    await cache.put(`${base}tiny.onnx?sha256=${entry.sha256}`, new Response('garbage'));
    const calls: string[] = [];
    const got = await fetchModelFile(entry, { modelsBase: base, cacheStorage: storage, fetchFn: serving(bytes, calls), onProgress: () => undefined });
    expect(got.source).toBe('network');
    expect(calls).toHaveLength(1);
  });
  it('explains an HTTP failure', async () => {
    const fetchFn = (async () => new Response('nope', { status: 404 })) as typeof fetch;
    await expect(fetchModelFile(entry, { modelsBase: base, cacheStorage: null, fetchFn, onProgress: () => undefined }))
      .rejects.toThrow(/Could not download the model file tiny\.onnx \(HTTP 404\)/);
  });
});

describe('manifest', () => {
  const shipped = JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as unknown;
  it('the shipped manifest is valid and lists the fused model', () => {
    const m = parseManifest(shipped);
    expect(m.labels).toEqual(['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral']);
    expect(findFile(m, m.fusion.path)?.bytes).toBeGreaterThan(0);
  });
  it('the shipped manifest carries the numbers of training/configs/features.json', () => {
    const features = JSON.parse(readFileSync('training/configs/features.json', 'utf8')) as Record<string, unknown>;
    const m = parseManifest(shipped);
    expect(m.audio).toEqual(features.audio);
    expect(m.face).toEqual(features.face);
    expect(m.text).toEqual(features.text);
  });
  it('the shipped manifest hashes match the files on disk', () => {
    const m = parseManifest(shipped);
    for (const f of m.files) {
      const data = readFileSync(`public/models/${f.path}`);
      expect(data.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(data).digest('hex'), f.path).toBe(f.sha256);
    }
  });
  it('refuses a manifest with a bad hash or a path escaping models/', () => {
    const m = parseManifest(shipped);
    expect(() => parseManifest({ ...m, files: [{ path: m.fusion.path, bytes: 1, sha256: 'xyz' }] })).toThrow(/manifest is invalid/);
    expect(() => parseManifest({ ...m, files: [...m.files, { path: '../secret', bytes: 1, sha256: entry.sha256 }] })).toThrow(/inside models/);
    expect(() => parseManifest({ ...m, fusion: { path: 'missing.onnx' } })).toThrow(/does not list it/);
  });
});
