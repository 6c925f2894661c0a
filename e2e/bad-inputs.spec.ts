// Bad inputs (issue 7, e2e/bad-inputs.md): each file gives either a specific message or a result
// with the missing modality marked — never a hang, a blank page or an uncaught error — and the
// page then analyses a good file. One page for all cases (models load once), in the order below.
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { GENERATED, makeTestVideo } from './fixtures';

const BAD = join(GENERATED, 'bad');

type Expect =
  | { message: RegExp; within?: number }
  | { result: true; missing?: ('audio' | 'visual')[]; present?: ('audio' | 'visual')[]; note?: RegExp }
  | { resultOrMessage: RegExp };

// Cheap cases (e2e/bad-inputs.md) plus the one-hour and 2 GB files, which must be refused at once.
const CASES: [file: string, expect: Expect][] = [
  ['zero-byte.mp4', { message: /“zero-byte\.mp4” is empty \(0 bytes\)\. Choose another file\./, within: 5_000 }],
  ['over-size-limit.mp4', { message: /“over-size-limit\.mp4” is larger than 2 GB .*up to 2 GB/, within: 5_000 }],
  ['two-gb.mp4', { message: /“two-gb\.mp4” is 1\.9 GB, too large for this browser tab/, within: 30_000 }],
  ['one-hour.mp4', { message: /“one-hour\.mp4” is 60 minutes long; this version analyses up to 20 minutes/, within: 30_000 }],
  ['text-renamed.mp4', { message: /The browser cannot decode “text-renamed\.mp4”\. Try an MP4/ }],
  ['truncated.mp4', { message: /“truncated\.mp4” looks damaged or incomplete/ }],
  ['codec-huffyuv.avi', { message: /“codec-huffyuv\.avi” uses a video format \(HuffYUV\) this browser cannot read\. Convert it/ }],
  ['codec-unknown.avi', { message: /“codec-unknown\.avi” uses a video format \(ZZZZ\) this browser cannot read/ }],
  ['truncated-faststart.mp4', { resultOrMessage: /incomplete|damaged|cannot/ }],
  ['audio-only.mp4', { result: true, missing: ['visual'] }],
  ['video-only.mp4', { result: true, missing: ['audio'], note: /no audio track/ }],
  ['silent-audio.mp4', { result: true, missing: ['audio'] }],
  ['no-face.mp4', { result: true, missing: ['visual'], note: /no face was found/ }],
  ['codec-mpeg2.mkv', { result: true, missing: ['visual'], note: /cannot play the video track of “codec-mpeg2\.mkv” \(MPEG-2\); only its sound was analysed/ }],
  ['very-dark.mp4', { result: true }],
  ['rotated-90.mp4', { result: true, present: ['audio', 'visual'] }], // upright: the face is found
  ['variable-frame-rate.mp4', { result: true, present: ['audio', 'visual'] }],
];

test.beforeAll(() => {
  // Idempotent: files newer than the script are kept. The 2 GB ones are sparse (instant).
  execFileSync('node', ['scripts/make-bad-inputs.mjs', '--only',
    'zero-byte,text-renamed,truncated,truncated-faststart,audio-only,video-only,silent-audio,no-face,very-dark,rotated-90,variable-frame-rate,codec-mpeg2-mkv,codec-huffyuv-avi,codec-unknown-avi,one-hour,two-gb,over-size-limit'], { stdio: 'pipe' });
  makeTestVideo();
});

/** Picks `path` through the drop zone's file input and waits for this file's run to end. */
async function analyse(page: Page, path: string, name: string, timeout: number): Promise<'done' | 'error'> {
  await page.getByTestId('file-input').setInputFiles(path);
  const ended = page.locator('.app[data-phase="done"], .app[data-phase="error"]');
  await expect(page.getByRole('heading', { level: 2, name, exact: true })).toBeVisible({ timeout });
  await expect(ended).toHaveCount(1, { timeout });
  return (await ended.getAttribute('data-phase')) as 'done' | 'error';
}

const alpha = (page: Page, m: string) => page.locator(`[data-testid="alpha"][data-modality="${m}"]`);

test('every bad input gives a specific message or a result with the missing modality marked, then a good file works', async ({ page }) => {
  test.setTimeout(900_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto('/');
  let shot = false;
  for (const [file, want] of CASES) {
    const t0 = Date.now();
    const phase = await analyse(page, join(BAD, file), file, 'within' in want && want.within ? want.within : 240_000);
    const alert = page.getByRole('alert');
    if ('message' in want) {
      expect(phase, file).toBe('error');
      await expect(alert, file).toHaveText(want.message);
      if (!shot) { await page.screenshot({ path: 'test-results/bad-input-error.png', fullPage: true }); shot = true; }
    } else if ('resultOrMessage' in want) {
      if (phase === 'error') await expect(alert, file).toHaveText(want.resultOrMessage);
      else await expect(page.getByTestId('result'), file).toBeVisible();
    } else {
      expect(phase, `${file}: ${phase === 'error' ? await alert.textContent() : ''}`).toBe('done');
      await expect(page.getByTestId('result')).toBeVisible();
      for (const m of want.missing ?? []) {
        await expect(alpha(page, m), `${file}: ${m} missing`).toContainText('not available');
        await expect(alpha(page, m)).toHaveAttribute('data-value', '0');
      }
      for (const m of want.present ?? []) await expect(alpha(page, m), `${file}: ${m} present`).not.toContainText('not available');
      if (want.note) await expect(page.getByRole('status').filter({ hasText: want.note }), file).toHaveCount(1);
    }
    const said = phase === 'error'
      ? await alert.textContent()
      : `${(await page.getByTestId('alpha').allTextContents()).join(' | ')} // ${(await page.getByRole('status').allTextContents()).join(' / ')}`;
    console.log(`${file}: ${phase} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${said}`);
  }
  // The page is still usable: a good clip gives a full result.
  const good = makeTestVideo();
  expect(await analyse(page, good, basename(good), 240_000)).toBe('done');
  await expect(alpha(page, 'audio')).not.toContainText('not available');
  await expect(alpha(page, 'visual')).not.toContainText('not available');
  expect(errors).toEqual([]);
});
