// The end-to-end slice: a real video dropped on the page goes through decoding, log-mel in the
// audio worker and the fused ONNX graph, and per-emotion bars and modality weights appear — with
// every request staying on the page's own origin, under cross-origin isolation and a strict CSP.
import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Request } from '@playwright/test';
import { dropFile, makeCorruptVideo, makeTestVideo, testClipId, transcripts } from './fixtures';

function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r: Request) => urls.push(r.url()));
  return urls;
}

function foreign(urls: string[], origin: string): string[] {
  return urls.filter((u) => !(u.startsWith('blob:') || u.startsWith('data:') || new URL(u).origin === origin));
}

test('a dropped video shows emotion probabilities and modality weights, with no request off-origin', async ({ page, baseURL }) => {
  const urls = recordRequests(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (process.env.E2E_VERBOSE) console.log(`[page ${m.type()}] ${m.text()}`);
  });

  const response = await page.goto('/');
  const headers = response?.headers() ?? {};
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).not.toMatch(/https?:/);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  const manifest = (await (await page.request.get('/models/manifest.json')).json()) as { labels: string[] };
  const video = makeTestVideo();
  const transcript = transcripts().get(testClipId()) ?? '';
  expect(transcript.length).toBeGreaterThan(0);
  await page.getByTestId('transcript').fill(transcript);
  await dropFile(page, readFileSync(video), 'dev-clip.mp4', 'video/mp4');

  const result = page.getByTestId('result');
  await expect(result).toBeVisible({ timeout: 300_000 });

  const bars = page.getByTestId('prob-bar');
  await expect(bars).toHaveCount(manifest.labels.length);
  for (let i = 0; i < manifest.labels.length; i++) {
    const bar = bars.nth(i);
    await expect(bar).toHaveAttribute('data-label', manifest.labels[i] ?? '');
    const v = Number(await bar.getAttribute('data-value'));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
    await expect(bar).toHaveAttribute('role', 'meter');
  }
  for (const label of manifest.labels) await expect(page.getByText(label, { exact: true }).first()).toBeVisible();

  const alphas = page.getByTestId('alpha');
  await expect(alphas).toHaveCount(3);
  const values = await alphas.evaluateAll((els) => els.map((e) => [e.getAttribute('data-modality'), Number(e.getAttribute('data-value'))] as const));
  expect(values.map(([m]) => m)).toEqual(['audio', 'visual', 'text']);
  const sum = values.reduce((a, [, v]) => a + v, 0);
  expect(Math.abs(sum - 1)).toBeLessThan(1e-3);
  // The clip has speech, a visible face and a transcript: all three decisions take part.
  expect(values[0]?.[1] ?? 0).toBeGreaterThan(0);
  expect(values[1]?.[1] ?? 0).toBeGreaterThan(0);
  expect(values[2]?.[1] ?? 0).toBeGreaterThan(0);
  await expect(page.getByText(/α = \d\.\d{3}/).first()).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText(/WASM|WebGPU/);

  await page.screenshot({ path: 'test-results/result-view.png', fullPage: true });
  expect(foreign(urls, new URL(baseURL ?? '').origin)).toEqual([]);
  // The runtime and model really came from our own origin.
  expect(urls.some((u) => u.includes('/ort/ort-wasm-simd-threaded'))).toBe(true);
  expect(urls.some((u) => u.includes('/models/fusion.onnx') || u.includes('/models/manifest.json'))).toBe(true);
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('a file that is not a video gets a clear message, not a blank page', async ({ page }) => {
  await page.goto('/');
  await dropFile(page, readFileSync(makeCorruptVideo()), 'not-a-video.mp4', 'video/mp4');
  await expect(page.getByRole('alert')).toContainText('can decode “not-a-video.mp4”', { timeout: 60_000 });
  await expect(page.getByTestId('dropzone')).toBeVisible();
});

test('the drop zone opens the file picker from the keyboard', async ({ page }) => {
  await page.goto('/');
  // Start from the transcript box once the page is rendered: a Tab pressed before React mounts
  // lands nowhere, which made the first Tab flaky on a loaded machine.
  await page.getByTestId('transcript').focus();
  await expect(page.getByTestId('transcript')).toBeFocused();
  // The transcript's own controls come first, in reading order, then the drop zone (on-device
  // transcription is offered only where the browser has a local recogniser; not here).
  await expect(page.getByTestId('transcribe-speech')).toHaveCount(0);
  for (const next of ['keep-transcript', 'load-subtitles', 'dropzone']) {
    await page.keyboard.press('Tab');
    await expect(page.getByTestId(next)).toBeFocused();
  }
  // The picker opens through a click on the hidden <input type=file>; watching that click is
  // deterministic, where waiting for Playwright's filechooser event raced on a loaded machine.
  await page.getByTestId('file-input').evaluate((input) => {
    input.addEventListener('click', (e) => {
      (window as unknown as { pickerOpened: boolean }).pickerOpened = true;
      e.preventDefault();
    });
  });
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => (window as unknown as { pickerOpened?: boolean }).pickerOpened === true)).toBe(true);
  // Several files may be picked so that a video comes with its subtitles; a second video is
  // refused by planDrop (src/features/text/captions.ts, "one video at a time").
  expect(await page.getByTestId('file-input').getAttribute('multiple')).not.toBeNull();
});

test('the preview server sends the security headers on assets and answers Range requests', async ({ request }) => {
  for (const path of ['/models/manifest.json', '/ort/ort-wasm-simd-threaded.wasm']) {
    const res = await request.head(path);
    expect(res.ok(), path).toBe(true);
    expect(res.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.headers()['cross-origin-resource-policy']).toBe('same-origin');
  }
  const ranged = await request.get('/models/fusion.onnx', { headers: { Range: 'bytes=0-99' } });
  expect(ranged.status()).toBe(206);
  expect((await ranged.body()).length).toBe(100);
  expect(ranged.headers()['content-range']).toMatch(/^bytes 0-99\//);
});

test('the page is usable at 320 px wide in dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/');
  await expect(page.getByTestId('dropzone')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(17, 19, 24)');
  await page.screenshot({ path: 'test-results/dark-320.png', fullPage: true });
});
