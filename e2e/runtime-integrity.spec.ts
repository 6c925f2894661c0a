// A damaged cached runtime never bricks the app (issue 17 #7): onnxruntime's .wasm, cached by the
// service worker on first use, gets 8 zeroed bytes in this browser's storage; the next use drops
// the damaged copy, downloads it again (the bytes match the SHA-256 the build recorded as its
// revision), keeps the good copy and tells the page in a plain sentence.
import { expect, test } from '@playwright/test';

const WASM = 'ort/ort-wasm-simd-threaded.wasm';

test('a corrupt cached runtime file is dropped and fetched again, with a plain message', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 240_000 });

  const state = (path: string) => page.evaluate(async (p) => {
    const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const cache = await caches.open('mer-runtime-v1');
    const key = (await cache.keys()).find((r) => new URL(r.url).pathname.endsWith(p));
    const cached = key ? await (await cache.match(key))?.arrayBuffer() : undefined;
    return {
      key: key?.url ?? null,
      revision: key ? new URL(key.url).searchParams.get('__rev') : null,
      head: cached ? hex(cached.slice(0, 8)) : null,
      sha256: cached ? hex(await crypto.subtle.digest('SHA-256', cached)) : null,
    };
  }, path);
  const use = (path: string) => page.evaluate(async (p) => {
    const bytes = await (await fetch(new URL(p, document.baseURI))).arrayBuffer();
    return Array.from(new Uint8Array(bytes.slice(0, 8)), (x) => x.toString(16).padStart(2, '0')).join('');
  }, path);

  // First use: cached, and its hash is the one the build wrote as its revision.
  expect(await use(WASM)).toBe('0061736d01000000');
  await expect.poll(async () => (await state(WASM)).key, { timeout: 30_000 }).not.toBeNull();
  const good = await state(WASM);
  expect(good.revision).toMatch(/^sha256-[0-9a-f]{64}$/);
  expect(`sha256-${good.sha256}`).toBe(good.revision);

  // 8 zeroed bytes in the cached copy (what the user saw: "expected magic word 00 61 73 6d").
  await page.evaluate(async (p) => {
    const cache = await caches.open('mer-runtime-v1');
    const key = (await cache.keys()).find((r) => new URL(r.url).pathname.endsWith(p));
    if (!key) throw new Error('not cached');
    const res = await cache.match(key);
    const bytes = new Uint8Array(await res!.arrayBuffer());
    bytes.fill(0, 0, 8);
    await cache.put(key, new Response(bytes, { headers: res!.headers }));
  }, WASM);
  expect((await state(WASM)).head).toBe('0000000000000000');

  // Next use: the good file, from a fresh download, kept again; the page says so.
  expect(await use(WASM)).toBe('0061736d01000000');
  await expect.poll(async () => (await state(WASM)).sha256, { timeout: 30_000 }).toBe(good.sha256);
  await expect(page.getByText('A damaged copy of ort-wasm-simd-threaded.wasm kept in this browser was found and replaced with a fresh download.')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/runtime-repaired.png' });

  // What is stored is measured and said, by part (issue 17 #6), and can be cleared.
  await page.reload();
  const report = page.getByTestId('storage-report');
  await expect(report).toContainText(/Stored in this browser for this app: [\d.]+ MB \(.*runtime \(onnxruntime, ffmpeg\) [\d.]+ MB.*\)\. The app itself is kept by its service worker/);
  await page.getByTestId('clear-storage').click();
  await expect(page.getByTestId('storage-cleared')).toBeVisible();
  expect(await page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('mer-')))).toEqual([]);
  expect(errors).toEqual([]);
});
