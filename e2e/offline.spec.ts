// Offline second visit (issue 5): a first visit analyses a real clip while the service worker
// installs; then, in the same browser context with the network cut (offline emulation AND every
// request aborted — page, workers and the service worker's own fetches), a reload brings the app
// back cross-origin isolated and analyses the clip again with identical numbers. Along the way:
// the download size is stated before the first download, and no large file is downloaded twice. A
// build without the sample clip (MER_NO_SAMPLE=1) asks for no sample, online or off.
import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import { dropFile, makeTestVideo, testClipId, transcripts } from './fixtures';

interface Manifest { files: { path: string; bytes: number }[] }

/** The numbers on screen, and where the face was found per segment (which frames were read). */
const numbers = (page: Page) => page.evaluate(() => ({
  bars: Array.from(document.querySelectorAll('[data-testid="prob-bar"]')).map((e) => [e.getAttribute('data-label'), e.getAttribute('data-value')]),
  alpha: Array.from(document.querySelectorAll('[data-testid="alpha"]')).map((e) => [e.getAttribute('data-modality'), e.getAttribute('data-value')]),
  headline: document.querySelector('.headline strong')?.textContent ?? '',
  faceBoxes: (window as unknown as { __merResult?: () => { segments: { face_box: unknown }[] } | null }).__merResult?.()?.segments.map((s) => s.face_box) ?? null,
}));

/** Paths fetched from the network (not answered by the service worker), with how often. */
function recordNetworkFetches(context: BrowserContext): Map<string, number> {
  const fetched = new Map<string, number>();
  context.on('requestfinished', (r: Request) => {
    void r.response().then((res) => {
      if (!res || res.fromServiceWorker() || r.url().startsWith('blob:') || r.url().startsWith('data:')) return;
      const path = new URL(r.url()).pathname;
      fetched.set(path, (fetched.get(path) ?? 0) + 1);
    });
  });
  return fetched;
}

async function analyseClip(page: Page) {
  await page.getByTestId('transcript').fill(transcripts().get(testClipId()) ?? '');
  await dropFile(page, readFileSync(makeTestVideo()), 'dev-clip.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
  return numbers(page);
}

// Two analyses (or an analysis and live mode) on a loaded 2-core machine: more than the default budget.
test.describe.configure({ timeout: 900_000 });

test('a second visit loads and analyses with the network blocked after the first', async ({ context, page, baseURL }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const fetched = recordNetworkFetches(context);
  const manifest = (await (await page.request.get('/models/manifest.json')).json()) as Manifest;
  const modelBytes = manifest.files.reduce((a, f) => a + f.bytes, 0);
  // A build may have no sample clip (MER_NO_SAMPLE=1, or built away from ../shared): the page then never asks for one.
  const sampleInfo = await page.request.get('/sample/sample.json');
  const hasSample = sampleInfo.ok() && /json/.test(sampleInfo.headers()['content-type'] ?? '');

  // ---- first visit: the size is stated before anything is downloaded
  await page.goto('/');
  const size = page.getByTestId('download-size');
  await expect(size).toBeVisible();
  await expect(size).toHaveAttribute('data-bytes', String(modelBytes));
  await expect(size).toContainText(/The models are \d+(\.\d)? MB, downloaded once .* kept in this browser/);
  expect([...fetched.keys()].filter((p) => p.startsWith('/models/') && p !== '/models/manifest.json')).toEqual([]);
  await expect(page.getByTestId('sample-button')).toHaveCount(hasSample ? 1 : 0);
  if (!hasSample) expect([...fetched.keys()].filter((p) => p.startsWith('/sample/')), 'no sample in this build, none asked for').toEqual([]);

  // The service worker takes control of this very page (clients.claim), before any model loads.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 240_000 });
  const first = await analyseClip(page);
  expect(first.bars.length).toBeGreaterThan(0);

  // Every model and runtime file came over the network once: the page's verified model store and the
  // service worker's runtime cache never fetch the same bytes twice.
  await page.waitForTimeout(500); // let the last requestfinished handlers record their response
  const heavy = [...fetched.entries()].filter(([p]) => /\.(onnx|wasm)$/.test(p) || p.startsWith('/models/text/'));
  expect(heavy.length).toBeGreaterThan(0);
  expect(heavy.filter(([, n]) => n > 1)).toEqual([]);
  for (const f of manifest.files) expect(fetched.get(`/models/${f.path}`), f.path).toBe(1);

  // ---- the network goes away: offline emulation and every request that still tries is aborted
  const attempted: string[] = [];
  await context.setOffline(true);
  await context.route('**/*', (route) => {
    attempted.push(new URL(route.request().url()).pathname);
    return route.abort('internetdisconnected');
  });

  const response = await page.reload();
  expect(response?.fromServiceWorker()).toBe(true);
  const headers = response?.headers() ?? {};
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  await expect(page.getByTestId('download-size')).toHaveAttribute('data-bytes', '0');
  await expect(page.getByTestId('download-size')).toContainText('already kept in this browser');

  const second = await analyseClip(page);
  // Same frames first: if these differ, the video decoder read other frames (not an offline problem).
  expect(second.faceBoxes, 'the same video frames were read in both runs').toEqual(first.faceBoxes);
  expect(second).toEqual(first);
  await expect(page.getByTestId('backend')).toHaveText(/WASM|WebGPU/);
  await page.screenshot({ path: 'test-results/offline-second-visit.png', fullPage: true });

  // Offline, only the manifest was tried on the network (it is network-first, then the kept copy).
  expect([...new Set(attempted)].filter((p) => p !== '/models/manifest.json')).toEqual([]);
  expect(errors).toEqual([]);
  expect(new URL(page.url()).origin).toBe(new URL(baseURL ?? '').origin);
});
