// The two decode routes (src/decode/route.ts) feed the same workers: on a real dev clip, the
// ffmpeg.wasm route (forced with `?decoder=ffmpeg`) gives the fused graph inputs close to the fast
// path's (browser decoders) and the same decisions. They cannot be bit-identical: the resamplers
// differ (Chromium's sinc resampler vs libswresample), and so do YUV->RGB conversion and scaling
// of frames; the measured differences are printed and bounded here. Also: a 10-minute clip streams
// in windows to a full result (progress in windows with time left; the timeline pages; exports and
// the share link hold every segment), and Cancel stops a long run promptly, after which the next file analyses.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { CLIPS, GENERATED, makeTestVideo, testClipId } from './fixtures';

interface CliTensor { dims: number[]; base64: string }
interface Outcome {
  ok: boolean;
  error?: string;
  result: { fused: number[]; segments: { face: boolean; audio: number[] | null }[]; modalities: Record<string, number[] | null> };
  features: { tensors: Record<string, CliTensor> };
}

/** The page's command-line hook (src/cliHook.ts). */
interface Hooked { __merAnalyze?: (file: Blob, name: string, opts: Record<string, unknown>) => Promise<Outcome> }

const floats = (t: CliTensor) => {
  const b = Buffer.from(t.base64, 'base64');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN))), 0);
const meanAbs = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + Math.abs(x - (b[i] ?? NaN)), 0) / a.length;

async function analyseWith(page: Page, query: string, path: string): Promise<Outcome> {
  await page.goto(`/${query}`, { timeout: 120_000 });
  await page.waitForFunction(() => typeof (window as unknown as Hooked).__merAnalyze === 'function', null, { timeout: 120_000 });
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'route-test-file', hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles('#route-test-file', path);
  return page.evaluate(async () => {
    const input = document.getElementById('route-test-file') as HTMLInputElement;
    const file = input.files?.[0];
    const hook = (window as unknown as Hooked).__merAnalyze;
    if (!file || !hook) throw new Error('no file or hook');
    return hook(file, file.name, { backend: 'wasm', features: true });
  });
}

test('the ffmpeg.wasm route gives the fast path\'s inputs within the resamplers\' difference', async ({ page }) => {
  test.setTimeout(900_000);
  const clip = makeTestVideo();
  // Both face stages: `?faces=full` (every frame searched with all views) isolates the decoders'
  // difference; the default tracks the previous face, so a colour difference that moves one box
  // also moves the next tracking view, and a crop can shift further (measured below).
  for (const faces of ['full', 'track'] as const) {
    const query = faces === 'full' ? '?faces=full' : '';
    const fast = await analyseWith(page, query, clip);
    const ffmpeg = await analyseWith(page, query ? `${query}&decoder=ffmpeg` : '?decoder=ffmpeg', clip);
    expect(fast.ok, fast.error).toBe(true);
    expect(ffmpeg.ok, ffmpeg.error).toBe(true);
    const [a, b] = [fast.features.tensors, ffmpeg.features.tensors];
    for (const k of ['log_mel', 'faces', 'audio_mask', 'visual_mask']) expect(b[k]?.dims, k).toEqual(a[k]?.dims);
    const d = {
      log_mel_max: maxAbs(floats(a.log_mel!), floats(b.log_mel!)),
      log_mel_mean: meanAbs(floats(a.log_mel!), floats(b.log_mel!)),
      faces_max: maxAbs(floats(a.faces!), floats(b.faces!)),
      faces_mean: meanAbs(floats(a.faces!), floats(b.faces!)),
      fused_max: Math.max(...fast.result.fused.map((x, i) => Math.abs(x - (ffmpeg.result.fused[i] ?? NaN)))),
    };
    console.log(`fast path vs ffmpeg.wasm on ${testClipId()} (4 s), faces=${faces}: ${JSON.stringify(d)}`);
    test.info().annotations.push({ type: `route differences, faces=${faces}`, description: JSON.stringify(d) });
    // Same decisions: the same segments heard and the same faces found.
    expect(floats(b.audio_mask!)).toEqual(floats(a.audio_mask!));
    expect(floats(b.visual_mask!)).toEqual(floats(a.visual_mask!));
    // Bounds from the measured differences (see src/decode/README.md): log-mel is ln(mel + 0.001),
    // so quiet bins amplify small resampler differences; crops differ by colour conversion.
    expect(d.log_mel_mean).toBeLessThan(0.1);
    expect(d.faces_mean).toBeLessThan(0.05);   // measured 0.031 (full) and 0.032 (track) on the 4 s dev clip
    // Measured: full 0.048, track 0.056 (one tracked crop moved: faces_max 0.23 -> 0.41).
    expect(d.fused_max).toBeLessThan(faces === 'full' ? 0.05 : 0.07);
  }
});

/** A 10-minute clip like the corpus's one-hour file (160x120, 5 fps), made on the fly. */
function makeTenMinutes(): string {
  mkdirSync(GENERATED, { recursive: true });
  const out = join(GENERATED, 'ten-minutes.mp4');
  if (existsSync(out)) return out;
  const piece = join(GENERATED, 'ten-minutes-piece.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', join(CLIPS, `${testClipId()}.mp4`), '-t', '3',
    '-vf', 'scale=160:120,fps=5', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '24k', '-ac', '1', piece,
  ]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '200', '-i', piece, '-t', '600', '-c', 'copy', out]);
  return out;
}

/** Picks `path` in the page's drop zone. */
const pick = (page: Page, path: string) => page.getByTestId('file-input').setInputFiles(path);
const fusionStage = (page: Page) => page.locator('[data-stage="fusion"] .stage-detail');

async function download(page: Page, testId: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync(await file.path());
}

// The 10-minute clip runs to a full result (625 segments, 20 windows; about 1.5 min here with the
// models loading), with progress in windows and time left on the way; its timeline pages through
// the segments under an overview, and the exports and share link hold all of them. (Until session 3
// this test was fixme: the looped clip's audio has 28 ms timestamp gaps at each join, ffmpeg.wasm
// returned fewer samples than asked, and the engine took the first short window for the end of the
// audio — a 32-segment "result" — so the test's Cancel click waited for a button that was gone
// until the test timed out and closed the page: "Channel closed". See src/decode/ffmpeg.ts audioFilter.)
test('a 10-minute clip streams in windows to a full result that the timeline, exports and share link hold whole; Cancel stops a long run', async ({ page }) => {
  test.setTimeout(600_000);
  const long = makeTenMinutes();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await pick(page, long);
  await expect(page.getByText(/625 segments in windows of 32/).first()).toBeVisible({ timeout: 300_000 });
  await expect(fusionStage(page)).toContainText(/window \d+ of 20 · \d+\/625 segments · (about \d+ (s|min)|a few seconds) left/, { timeout: 300_000 });
  await expect(page.locator('.app[data-phase="done"]')).toHaveCount(1, { timeout: 540_000 });
  expect(await page.locator('.app').getAttribute('data-phase')).toBe('done');
  await expect(page.getByText(/625 segments of 0\.96 s/)).toBeVisible();
  // Voice (Silero VAD) in most of the looped speech's segments, counted over all 625, not one window's 32.
  const voiced = Number((await page.locator('[data-stage="audio"]').textContent())?.match(/(\d+)\/625 segments with a voice/)?.[1] ?? 0);
  expect(voiced).toBeGreaterThan(32);

  // Timeline: one page of 120 cells under an overview of the whole clip.
  await expect(page.getByTestId('timeline-cell')).toHaveCount(120);
  await expect(page.getByTestId('timeline-page')).toContainText('Cells 1–120 of 625');
  const bins = page.getByTestId('overview-bin');
  expect(await bins.count()).toBeGreaterThan(100);
  await bins.last().click(); // the end of the clip: its page, its segment chosen, the player there
  await expect(page.getByTestId('timeline-page')).toContainText('of 625 (9:');
  await expect(page.getByTestId('segment-detail')).toContainText(/Segment 62\d of 625/);
  const last = page.getByTestId('timeline-cell').last();
  await expect(last).toHaveAttribute('data-index', '624');
  await last.focus();
  await page.keyboard.press('Home'); // the keyboard crosses pages
  await expect(page.locator('[data-testid="timeline-cell"][data-index="0"]')).toBeFocused();
  await expect(page.getByTestId('timeline-page')).toContainText('Cells 1–120 of 625');

  // Exports hold every segment; the PNG is drawn (segments averaged into columns).
  const json = JSON.parse((await download(page, 'export-json')).toString('utf8')) as { segments: unknown[] };
  expect(json.segments).toHaveLength(625);
  const csv = (await download(page, 'export-segments-csv')).toString('utf8').trim().split('\r\n');
  expect(csv).toHaveLength(626);
  const png = await download(page, 'export-png');
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  // 625 segments fit a link whole (the shortened timeline starts past 1,500 segments: unit-tested at 3,750).
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#r=v1\./);
  await expect(page.getByTestId('share-shortened')).toHaveCount(0);

  // Cancel stops a long run within seconds, mid-window (same page: the models stay loaded), and
  // the page then analyses the next file. (A copy: picking the same file again is no new choice.)
  const again = join(GENERATED, 'ten-minutes-again.mp4');
  copyFileSync(long, again);
  await pick(page, again);
  await expect(fusionStage(page)).toContainText(/window [2-9] of 20/, { timeout: 300_000 });
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.locator('.app[data-phase="cancelled"]')).toHaveCount(1, { timeout: 30_000 });
  console.log(`cancelled a 10-minute clip mid-run in ${Date.now() - t0} ms`);
  await pick(page, makeTestVideo());
  await expect(page.locator('.app[data-phase="done"]')).toHaveCount(1, { timeout: 300_000 });
  await expect(page.getByTestId('timeline-overview')).toHaveCount(0); // a short clip: one page, no overview
  const cells = await page.getByTestId('timeline-cell').count();
  expect(cells).toBeGreaterThan(0);
  expect(cells).toBeLessThan(10);
  expect(errors).toEqual([]);
});
