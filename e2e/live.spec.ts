// Live mode end to end in Debian's Chromium with fake capture devices playing a real IEMOCAP dev
// clip (files made at test time by scripts/make-fake-devices.mjs): successive predictions appear,
// some with a face and sound, the chart grows, nothing is requested from another origin, and
// Stop really releases camera and microphone. A second browser, whose permission prompts are
// denied, shows the plain-words explanation instead of a blank page.
import { mkdirSync } from 'node:fs';
import { chromium, expect, test, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { testClipId, transcripts } from './fixtures';
import { EXECUTABLE, fakeMediaArgs, liveStats } from './liveDevices';

test.use({ launchOptions: { executablePath: EXECUTABLE, args: fakeMediaArgs() } });

interface Seen { segment: number; face: string; sound: string; visual: string; audio: string; points: number }

/** Records every live prediction as it is rendered (segment, face/sound flags, modalities, chart points). */
async function watchPredictions(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __seen: unknown[] };
    w.__seen = [];
    let last = '';
    const read = () => {
      const r = document.querySelector('[data-testid="live-result"]');
      const seg = r?.getAttribute('data-segment') ?? '';
      if (!r || seg === last) return;
      last = seg;
      const attr = (sel: string, a: string) => document.querySelector(sel)?.getAttribute(a) ?? '';
      w.__seen.push({
        segment: Number(seg),
        face: attr('[data-testid="live-face"]', 'data-value'),
        sound: attr('[data-testid="live-sound"]', 'data-value'),
        visual: attr('[data-testid="live-modality"][data-modality="visual"]', 'data-present'),
        audio: attr('[data-testid="live-modality"][data-modality="audio"]', 'data-present'),
        points: Number(attr('[data-testid="live-chart"]', 'data-points')),
      });
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

test('live mode makes a prediction every segment from camera and microphone, and Stop releases them', async ({ page, baseURL }) => {
  test.setTimeout(900_000);
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (process.env.E2E_VERBOSE) console.log(`[page ${m.type()}] ${m.text()}`);
  });
  // Keep every stream the page opens, to check afterwards that Stop ended all its tracks.
  await page.addInitScript(() => {
    const w = window as unknown as { __streams: MediaStream[] };
    w.__streams = [];
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const s = await original(c);
      w.__streams.push(s);
      return s;
    };
  });

  await page.goto('/');
  await page.getByTestId('mode-live').click();
  await expect(page.getByTestId('live-view')).toBeVisible();
  await watchPredictions(page);
  // Started with its key binding (L), as a keyboard user would.
  await expect(page.getByTestId('live-start')).toHaveAttribute('aria-keyshortcuts', 'L');
  await page.keyboard.press('l');
  // Generous: on a loaded 2-core machine the models' first load can take minutes (no timing asserted).
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'running', { timeout: 480_000 });
  await expect(page.getByTestId('live-video')).toBeVisible();

  await expect.poll(async () => (await liveStats(page))?.predictions ?? 0, { timeout: 120_000 }).toBeGreaterThanOrEqual(8);
  const seen = await page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);
  // At least five successive predictions, each for a later segment than the one before.
  expect(seen.length).toBeGreaterThanOrEqual(5);
  for (let i = 1; i < seen.length; i++) expect(seen[i]?.segment ?? 0).toBeGreaterThan(seen[i - 1]?.segment ?? 0);
  // The dev clip shows a face and has speech: some predictions use both.
  expect(seen.some((s) => s.face === 'true' && s.visual === 'true')).toBe(true);
  expect(seen.some((s) => s.sound === 'true' && s.audio === 'true')).toBe(true);
  // The chart grows with the predictions (up to a minute of them).
  expect(seen.at(-1)?.points ?? 0).toBeGreaterThan(seen[0]?.points ?? 0);
  const bars = page.getByTestId('prob-bar');
  const labels = ((await (await page.request.get('/models/manifest.json')).json()) as { labels: string[] }).labels;
  await expect(bars).toHaveCount(labels.length);
  await expect(page.getByTestId('alpha')).toHaveCount(3);
  await expect(page.getByTestId('live-chart-table').locator('tbody tr')).toHaveCount(labels.length);

  const stats = await liveStats(page);
  expect(stats?.latencies_ms.length ?? 0).toBeGreaterThan(0);
  expect(stats?.started_at ?? 0).toBeGreaterThan(0);
  console.log(`live: ${stats?.predictions} predictions, ${stats?.dropped_segments} dropped, latencies ms ${stats?.latencies_ms.map((x) => x.toFixed(0)).join(' ')}`);
  const ms = (xs: number[] | undefined) => (xs ?? []).map((x) => x.toFixed(0)).join(' ');
  console.log(`live stages ms: face ${ms(stats?.stages_ms.face)} | audio ${ms(stats?.stages_ms.audio)} | fusion ${ms(stats?.stages_ms.fusion)}`);

  // What is being said, typed: encoded once typing pauses, then the words take part.
  await page.getByTestId('live-transcript').fill(transcripts().get(testClipId()) || 'I am not sure what you mean.');
  await expect(page.getByTestId('live-text-status')).toHaveText(/count from the next segment/, { timeout: 120_000 });
  const words = page.locator('[data-testid="live-modality"][data-modality="text"]');
  await expect(words).toHaveAttribute('data-present', 'true', { timeout: 60_000 });
  await expect(page.locator('[data-testid="alpha"][data-modality="text"]')).not.toHaveAttribute('data-value', '0');

  mkdirSync('test-results/screens', { recursive: true });
  await page.screenshot({ path: 'test-results/screens/live.png', fullPage: true });

  await page.getByTestId('live-stop').click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('live-video')).toHaveCount(0);
  const tracks = await page.evaluate(() => (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks().map((t) => `${t.kind}:${t.readyState}`)));
  expect(tracks.length).toBeGreaterThanOrEqual(2);
  expect(tracks.every((t) => t.endsWith(':ended'))).toBe(true);
  // The last results stay readable after Stop, with how far to trust them (the model's measured numbers).
  await expect(page.getByTestId('live-result')).toBeVisible();
  await expect(page.getByTestId('live-headline')).toHaveText(/^(Most likely: \S+ \(\d+\.\d%\)|Uncertain: .+) · now, over the last \d+\.\d s$/);
  await expect(page.getByTestId('live-result').getByTestId('reliability')).toHaveText(/^How far to trust this: for (voice and face without words|the voice alone|the face alone|voice, face and words together), /);

  const origin = new URL(baseURL ?? '').origin;
  expect(urls.filter((u) => !(u.startsWith('blob:') || u.startsWith('data:') || new URL(u).origin === origin))).toEqual([]);
  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
});

test('live mode with camera and microphone blocked explains why and how to allow them', async ({ baseURL }) => {
  // A browser without the fake-UI flag whose permission prompts are denied, as when a user clicks "Block".
  const browser = await chromium.launch({
    executablePath: EXECUTABLE,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--deny-permission-prompts'],
  });
  try {
    const context = await browser.newContext({ baseURL, permissions: [] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await page.getByTestId('mode-live').click();
    await page.getByTestId('live-start').click();
    const error = page.getByTestId('live-error');
    await expect(error).toBeVisible({ timeout: 60_000 });
    await expect(error).toHaveAttribute('data-problem', 'denied');
    await expect(error.getByRole('alert')).toContainText(/blocked/i);
    await expect(error.getByRole('alert')).toContainText(/allow/i);
    await expect(page.getByTestId('live-start')).toBeEnabled();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'error');
    expect(errors).toEqual([]);
    await context.close();
  } finally {
    await browser.close();
  }
});
