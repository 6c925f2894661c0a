// Live mode's first seconds (issue 17 #5): the camera preview and the models' loading progress show
// at once (it used to say "Camera off." beside "Loading the models…" for 10-15 s), and predictions
// start when the models are ready. Fake devices play a real dev clip; screenshot of the first seconds.
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { EXECUTABLE, fakeMediaArgs, startLiveMode } from './liveDevices';

test.use({ launchOptions: { executablePath: EXECUTABLE, args: fakeMediaArgs() } });

test('the camera preview and the model progress show together while live mode starts', async ({ page }) => {
  test.setTimeout(600_000);
  // What the page showed while starting, recorded as it happens: models that load fast (a smaller
  // fused graph, the idle preload) can be ready before a polling assertion looks.
  await page.addInitScript(() => {
    const seen: { status: string | null; progress: string | null; video: boolean; cameraOff: boolean }[] = [];
    (window as unknown as { __liveStartSeen: typeof seen }).__liveStartSeen = seen;
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="live-status"]')?.getAttribute('data-status') ?? null;
      if (status !== 'starting') return;
      seen.push({ status, progress: document.querySelector('[data-testid="live-model-progress"]')?.textContent ?? null,
        video: Boolean(document.querySelector('[data-testid="live-video"]')),
        cameraOff: (document.body?.textContent ?? '').includes('Camera off.') });
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const errors = await startLiveMode(page);

  // While still starting: the camera picture plays and the model files' progress is shown.
  const status = page.getByTestId('live-status');
  await expect(page.getByTestId('live-video')).toBeVisible({ timeout: 60_000 });
  const startingSeen = () => page.evaluate(() => (window as unknown as { __liveStartSeen: { progress: string | null; video: boolean; cameraOff: boolean }[] }).__liveStartSeen);
  await expect.poll(async () => (await startingSeen()).some((s) => s.video && s.progress !== null
    && /Loading the models.*of [\d.]+ MB; predictions start as soon as they are ready/.test(s.progress)), { timeout: 60_000 }).toBe(true);
  expect((await startingSeen()).filter((s) => s.video && s.cameraOff)).toEqual([]);
  await expect.poll(() => page.getByTestId('live-video').evaluate((v: HTMLVideoElement) => v.readyState >= 2 && !v.paused), { timeout: 30_000 }).toBe(true);
  mkdirSync('test-results/screens', { recursive: true });
  await page.screenshot({ path: 'test-results/screens/live-first-seconds.png', fullPage: true });

  // Then it runs: the progress goes, the preview stays.
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 480_000 });
  await expect(page.getByTestId('live-model-progress')).toHaveCount(0);
  await expect(page.getByTestId('live-video')).toBeVisible();
  await expect(page.getByTestId('live-view')).toContainText(/sentence\) are analysed in this tab/);
  // The models live mode loaded are reported as stored (the first-seconds screenshot showed the
  // report's first measurement, "Nothing of this app is stored", beside "The models … are already
  // kept"; it is now measured again as each model file is verified).
  await expect(page.getByTestId('storage-report')).toContainText(/Stored in this browser for this app: [\d.]+ MB \(models/, { timeout: 30_000 });
  await page.getByTestId('live-stop').click();
  expect(errors).toEqual([]);
});
