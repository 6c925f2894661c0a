// Model integrity (issue 7): a model file whose bytes do not match the manifest's SHA-256 — here
// served tampered by a route, one byte flipped — is refused with a message that names the file and
// says what to do; nothing of it is kept in any cache; and the app stays usable: once the real file
// is served again, the next analysis downloads it afresh and completes. Both download paths are
// covered: the page's (fusion.onnx, the voice-activity detector) and the text worker's (transformers.js,
// via our verified store).
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dropFile, makeTestVideo, testClipId, transcripts } from './fixtures';

interface Manifest { files: { path: string; bytes: number; sha256: string }[]; text: { path: string } }

/** Every key in every Cache API cache of the page's origin (the page's model store and the service worker's). */
const cachedUrls = (page: Page) => page.evaluate(async () => {
  const urls: string[] = [];
  for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
  return urls;
});

// Two analyses (or an analysis and live mode) on a loaded 2-core machine: more than the default budget.
test.describe.configure({ timeout: 900_000 });

// The voice-activity detector (copied from node_modules at build time) is verified like the rest.
const VAD = (JSON.parse(readFileSync('training/configs/features.json', 'utf8')) as { audio: { vad: { model: string } } }).audio.vad.model;

for (const target of ['fusion.onnx', 'text/onnx/model_quantized.onnx', VAD]) {
  test(`a tampered ${target} is refused, named, not kept, and the app stays usable`, async ({ context, page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const manifest = (await (await page.request.get('/models/manifest.json')).json()) as Manifest;
    expect(manifest.files.some((f) => f.path === target)).toBe(true);

    // The tampered copy: the real bytes with one byte flipped in the middle (same size, wrong hash).
    const real = await (await page.request.get(`/models/${target}`)).body();
    const tampered = Buffer.from(real);
    const middle = Math.floor(tampered.length / 2);
    tampered[middle] = (tampered[middle] ?? 0) ^ 0xff;
    let served = 0;
    const url = `**/models/${target}`;
    // Context-level: the text encoder's files are fetched by its worker, not the page.
    await context.route(url, (route) => {
      served++;
      return route.fulfill({ status: 200, body: tampered, headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' } });
    });

    await page.goto('/');
    const transcript = transcripts().get(testClipId()) ?? '';
    await page.getByTestId('transcript').fill(transcript);
    await dropFile(page, readFileSync(makeTestVideo()), 'dev-clip.mp4', 'video/mp4');

    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`The model file ${target} is corrupt or was altered`, { timeout: 300_000 });
    await expect(alert).toContainText('refused and not kept');
    await expect(alert).toContainText('Analyse again to download it afresh');
    expect(served).toBeGreaterThan(0);
    await expect(page.getByTestId('result')).toHaveCount(0);
    await page.screenshot({ path: `test-results/model-integrity-${target.replace(/\W+/g, '-')}.png`, fullPage: true });

    // Nothing of the bad file is kept, under any key of any cache.
    expect((await cachedUrls(page)).filter((u) => new URL(u).pathname === `/models/${target}`)).toEqual([]);

    // Still usable: the drop zone takes the next file, and with the genuine file back the analysis completes.
    await context.unroute(url);
    await expect(page.getByTestId('dropzone')).toBeVisible();
    await expect(page.getByTestId('transcript')).toBeEnabled();
    await dropFile(page, readFileSync(makeTestVideo()), 'dev-clip.mp4', 'video/mp4');
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
    await expect(page.getByRole('alert')).toHaveCount(0);
    const kept = (await cachedUrls(page)).filter((u) => new URL(u).pathname === `/models/${target}`);
    const sha = manifest.files.find((f) => f.path === target)?.sha256 ?? '';
    expect(kept).toHaveLength(1);
    expect(kept[0]).toContain(`sha256=${sha}`); // only the verified copy, under its hash
    expect(errors).toEqual([]);
  });
}
