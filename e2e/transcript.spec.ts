// The transcript belongs to one video, and subtitles work everywhere in the page (issue 17 #1, #2,
// #9): a .txt is "not a video" at once; SRT pasted into the box is read as captions; a .vtt dropped
// on the drop zone or the box fills it; a video dropped with its .srt is analysed with the captions
// and the result names them; the next video starts with an empty transcript and says so.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dropFile, makeTestVideo, testClipId, transcripts } from './fixtures';

const SCREENS = 'test-results/screens';
const ANALYSIS_MS = 600_000;
test.describe.configure({ timeout: 3 * ANALYSIS_MS + 120_000 });

/** Drops files (name, text or bytes, type) on the element `selector` as one real DataTransfer. */
async function dropFiles(page: Page, selector: string, files: { name: string; data: Buffer; type: string }[]) {
  await page.evaluate(async ({ selector, files }) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const target = document.querySelector(selector);
    if (!target) throw new Error(`no ${selector}`);
    for (const ev of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(ev, { bubbles: true, cancelable: true, dataTransfer: dt }));
      await new Promise((r) => setTimeout(r, 50));
    }
  }, { selector, files: files.map((f) => ({ name: f.name, type: f.type, b64: f.data.toString('base64') })) });
}

const srtOf = (text: string) => {
  const words = text.trim().split(/\s+/);
  const half = Math.ceil(words.length / 2);
  return `1\n00:00:00,000 --> 00:00:02,000\n${words.slice(0, half).join(' ')}\n\n2\n00:00:02,000 --> 00:00:04,000\n${words.slice(half).join(' ')}\n`;
};

test('a .txt is not a video; pasted SRT and dropped .vtt become the transcript as captions', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  // The backend badge shows before any analysis (what this browser is expected to use).
  await expect(page.getByTestId('backend')).toHaveText(/^(WASM \(CPU\)|WebGPU.*) · expected$/);
  // On-device transcription of a file is offered only where recognition runs locally; here no
  // language pack is installed, so one line says why and nothing is offered.
  await expect(page.getByTestId('speech-unavailable')).toHaveText(/^Speech recognition(: not offered| is off)/);
  await expect(page.getByTestId('transcribe-speech')).toHaveCount(0);

  await dropFiles(page, '[data-testid="dropzone"]', [{ name: 'notes.txt', data: Buffer.from('hello there'), type: 'text/plain' }]);
  await expect(page.getByText('“notes.txt” is not a video: it is a text or document file.')).toBeVisible();
  await expect(page.getByText('Load models')).toHaveCount(0); // nothing started
  await expect(page.locator('.app')).toHaveAttribute('data-phase', 'idle');

  // SRT pasted into the box: its text only, never its timestamps and cue numbers.
  await page.getByTestId('transcript').fill('1\n00:00:00,000 --> 00:00:01,800\nI can’t believe it.\n\n2\n00:00:01,900 --> 00:00:03,500\nYou promised me!\n');
  await expect(page.getByTestId('transcript')).toHaveValue('I can’t believe it. You promised me!');
  await expect(page.getByTestId('transcript-notice')).toHaveText('Read 2 captions from the pasted captions as the transcript (timestamps and cue numbers removed).');

  // A .vtt dropped on the drop zone, and one dropped on the box, fill it (not "is it a video?").
  await dropFiles(page, '[data-testid="dropzone"]', [{ name: 'sample.vtt', data: Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nfrom the zone\n'), type: 'text/vtt' }]);
  await expect(page.getByTestId('transcript')).toHaveValue('from the zone');
  await expect(page.getByTestId('transcript-source')).toContainText('subtitles from sample.vtt');
  await dropFiles(page, '[data-testid="transcript"]', [{ name: 'box.srt', data: Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nfrom the box\n\n2\n00:00:01,000 -> 00:00:02,000\nlost\n\n3\n00:00:02,000 --> 00:00:0x,000\nlost too\n'), type: '' }]);
  await expect(page.getByTestId('transcript')).toHaveValue('from the box');
  await expect(page.getByTestId('transcript-notice')).toContainText('1 cue could not be read and was left out');
  await page.screenshot({ path: `${SCREENS}/transcript-captions.png` });
  expect(errors).toEqual([]);
});

test('a video dropped with its .srt uses the captions and says so; the next video starts without them', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  const video = readFileSync(makeTestVideo());
  const srt = srtOf(transcripts().get(testClipId()) ?? 'I am here');

  await dropFiles(page, '[data-testid="dropzone"]', [
    { name: 'clip.mp4', data: video, type: 'video/mp4' },
    { name: 'clip.srt', data: Buffer.from(srt), type: '' },
  ]);
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  await expect(page.getByTestId('transcript-used')).toHaveText(/^Transcript used: subtitles from clip\.srt \(\d+ words\)\.$/);
  await expect(page.getByTestId('scores-note')).toHaveText(/Each emotion is scored on its own, from 0 to 100%/);
  // How far to trust it: the shipped model's measured number for voice, face and words, beside the constant guess.
  await expect(page.getByTestId('reliability-summary')).toHaveText(/^How far to trust this: for voice, face and words together, the model’s top emotion was right for \d+\.\d% of 72 real clips; always answering “\w+” was right for \d+\.\d%\.$/);
  // Where that number comes from is one tap away, and says what it is not.
  await expect(page.getByTestId('reliability-source')).toBeHidden();
  await page.getByText('Where this number comes from').click();
  await expect(page.getByTestId('reliability-source')).toHaveText(/^Measured on .*72 clips.*; .*cross-validation.*\. A hint, not a verdict: the model card says more\.$/);
  await expect(page.getByTestId('headline')).toHaveText(/^(Most likely: \S+ \(\d+\.\d%\)|Uncertain: .+)/);
  // Choosing a cell plays from there (the help says so).
  await page.getByTestId('timeline-cell').nth(1).click();
  await expect.poll(() => page.getByTestId('player').evaluate((v: HTMLVideoElement) => !v.paused || v.ended), { timeout: 10_000 }).toBe(true);
  await page.getByTestId('player').evaluate((v: HTMLVideoElement) => v.pause());
  await page.screenshot({ path: `${SCREENS}/result-subtitles-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SCREENS}/result-subtitles-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The same clip again, alone: the box is emptied, the result says no transcript was used.
  await dropFile(page, video, 'clip.mp4', 'video/mp4');
  await expect(page.getByTestId('transcript')).toHaveValue('');
  await expect(page.getByText('The transcript box was emptied for this video')).toBeVisible();
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  await expect(page.getByTestId('transcript-used')).toHaveText('Transcript used: none — the words were not part of this result.');
  await expect(page.getByTestId('reliability')).toContainText(/for (voice and face without words|the voice alone|the face alone),/);

  // A transcript longer than the text model reads (128 word pieces): the cut is said, not silent.
  await page.getByTestId('transcript').fill(Array.from({ length: 40 }, (_, i) => `sentence number ${i} is here.`).join(' '));
  await dropFile(page, video, 'clip.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  await expect(page.getByText(/The transcript is longer than the text model reads: it used the first 128 word pieces and \d+ more at the end were cut/)).toBeVisible();
  expect(errors).toEqual([]);
});
