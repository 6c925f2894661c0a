// Subtitles inside the file and words per window (issue 17 #2), in real Chromium on real files made
// by the system ffmpeg from a dev clip:
// - an MP4 with a mov_text track, a WebM with a WebVTT track and an MKV with a SubRip track are
//   analysed with their own subtitles (read through ffmpeg.wasm only because the container sniff saw
//   a text subtitle track), and the result names the track; a transcript typed in the box wins over
//   the file's track, which is then offered and, when chosen, used;
// - a 60 s clip with timed captions whose emotion words differ between its halves: each window
//   (30.72 s) gets the words spoken in it, the segment detail shows them, and the JSON and CSV
//   exports name them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { CLIPS, GENERATED, makeTestVideo, testClipId } from './fixtures';

const SCREENS = 'test-results/screens';
const ANALYSIS_MS = 600_000;
test.describe.configure({ timeout: 4 * ANALYSIS_MS });

const HAPPY = 'I am so happy and delighted, this is wonderful news and I love it.';
const ANGRY = 'I am furious, this is outrageous and I hate you for it.';
const SRT = `1\n00:00:00,500 --> 00:00:03,000\n${HAPPY}\n\n2\n00:00:03,000 --> 00:00:03,900\n<i>Really wonderful.</i>\n`;

/** `clip-<name>` with the 4 s test clip's picture and sound and `SRT` as a subtitle track (cached). */
function withSubtitleTrack(name: string, codecs: string[], meta: string[] = []): string {
  const dir = join(GENERATED, 'subtitle-tracks');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  if (existsSync(out)) return out;
  const srt = join(dir, 'track.srt');
  writeFileSync(srt, SRT);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', makeTestVideo(), '-i', srt,
    '-map', '0:v', '-map', '0:a', '-map', '1:s', ...codecs, ...meta, out,
  ]);
  return out;
}

/** A 60 s MP4 (the first dev clip looped, H.264/AAC) (cached). */
function sixtySecondClip(): string {
  mkdirSync(GENERATED, { recursive: true });
  const out = join(GENERATED, `${testClipId()}-60s-loop.mp4`);
  if (existsSync(out)) return out;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', join(CLIPS, `${testClipId()}.mp4`), '-t', '60',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', out,
  ]);
  return out;
}

async function dropFiles(page: Page, files: { name: string; data: Buffer; type: string }[]) {
  await page.evaluate(async (files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    if (!zone) throw new Error('no drop zone');
    for (const ev of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(ev, { bubbles: true, cancelable: true, dataTransfer: dt }));
      await new Promise((r) => setTimeout(r, 50));
    }
  }, files.map((f) => ({ name: f.name, type: f.type, b64: f.data.toString('base64') })));
}

async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]) as [Download, void];
  return readFileSync(await file.path(), 'utf8');
}

/** The run's timings (ms) as the result object has them. */
const timings = (page: Page) => page.evaluate(
  () => (window as unknown as { __merResult?: () => { timings_ms: Record<string, number> } | null }).__merResult?.()?.timings_ms ?? {},
);

test('subtitle tracks inside MP4 (mov_text), WebM (WebVTT) and MKV (SubRip) are read, named and offered; a typed transcript wins', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  const files = [
    { name: 'movtext.mp4', path: withSubtitleTrack('movtext.mp4', ['-c:v', 'copy', '-c:a', 'copy', '-c:s', 'mov_text'], ['-metadata:s:s:0', 'language=eng']), type: 'video/mp4', track: 'track 1 (English)' },
    { name: 'webvtt.webm', path: withSubtitleTrack('webvtt.webm', ['-c:v', 'libvpx', '-b:v', '300k', '-c:a', 'libopus', '-c:s', 'webvtt'], ['-metadata:s:s:0', 'language=fre']), type: 'video/webm', track: 'track 1 (French)' },
    { name: 'subrip.mkv', path: withSubtitleTrack('subrip.mkv', ['-c:v', 'copy', '-c:a', 'copy', '-c:s', 'srt'], ['-metadata:s:s:0', 'title=Dialogue']), type: 'video/x-matroska', track: 'track 1 (“Dialogue”)' },
  ];
  const cost: Record<string, number> = {};
  for (const f of files) {
    await dropFiles(page, [{ name: f.name, data: readFileSync(f.path), type: f.type }]);
    await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
    // The result names the track as the transcript it used, and the notes say where the words came from.
    await expect(page.getByTestId('transcript-used')).toHaveText(`Transcript used: subtitles from the file’s subtitle ${f.track} (16 words).`);
    await expect(page.getByText(`Words from the file’s subtitle ${f.track} inside “${f.name}” (2 captions).`)).toBeVisible();
    await expect(page.getByTestId('subtitle-tracks-state')).toHaveText(`This result used the words of subtitle ${f.track} of “${f.name}”.`);
    // The text modality is present (its α is shown, not "not available").
    const result = await page.evaluate(() => (window as unknown as { __merResult: () => { modalities: { text: number[] | null } } }).__merResult());
    expect(result.modalities.text, f.name).not.toBe(null);
    cost[f.name] = (await timings(page)).subtitles ?? NaN;
  }
  console.log(`[subtitle-tracks] listing and reading the track with ffmpeg.wasm, ms: ${JSON.stringify(cost)}`);
  await page.screenshot({ path: `${SCREENS}/subtitle-track-used.png`, fullPage: true });

  // A file without subtitles never asks ffmpeg.wasm about them (the sniff of bytes already read says so).
  await dropFiles(page, [{ name: 'plain.mp4', data: readFileSync(makeTestVideo()), type: 'video/mp4' }]);
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  expect((await timings(page)).subtitles).toBeUndefined();
  await expect(page.getByTestId('subtitle-tracks')).toHaveCount(0);

  // A transcript typed in the box wins over the file's own track, which is offered instead.
  await page.getByTestId('transcript').fill('We are talking about the weather.');
  await dropFiles(page, [{ name: 'subrip.mkv', data: readFileSync(files[2]!.path), type: 'video/x-matroska' }]);
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  await expect(page.getByTestId('transcript-used')).toHaveText('Transcript used: the text typed in the transcript box (6 words).');
  await expect(page.getByText('“subrip.mkv” carries its own subtitles: track 1 (“Dialogue”). The transcript you gave was used instead;', { exact: false })).toBeVisible();
  await expect(page.getByTestId('subtitle-tracks-state')).toHaveText('“subrip.mkv” carries its own subtitles; this result did not use them.');
  await page.getByTestId('subtitle-tracks').screenshot({ path: `${SCREENS}/subtitle-track-offered.png` });
  // Choosing the track analyses the video again with its words (the box is emptied: the choice is the user's).
  await page.getByTestId('subtitle-track-use').click();
  await expect(page.getByTestId('transcript-used')).toHaveText('Transcript used: subtitles from the file’s subtitle track 1 (“Dialogue”) (16 words).', { timeout: ANALYSIS_MS });
  await expect(page.getByTestId('transcript')).toHaveValue('');
  expect(errors).toEqual([]);
});

test('timed captions on a 60 s clip: each window gets the words spoken in it, shown per segment and in the exports', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  // Happy words in the first half, angry ones in the second; one cue spans the 30.72 s boundary.
  const srt = [
    `1\n00:00:02,000 --> 00:00:08,000\n${HAPPY}`,
    '2\n00:00:29,500 --> 00:00:32,000\nAnd then it changed.',
    `3\n00:00:40,000 --> 00:00:48,000\n${ANGRY}`,
  ].join('\n\n') + '\n';
  await dropFiles(page, [
    { name: 'minute.mp4', data: readFileSync(sixtySecondClip()), type: 'video/mp4' },
    { name: 'minute.srt', data: Buffer.from(srt), type: '' },
  ]);
  await expect(page.getByTestId('result')).toBeVisible({ timeout: ANALYSIS_MS });
  await expect(page.getByText(/^Timed captions: each 30\.72 s window got the words spoken in it \(2 of 2 windows had words\)/)).toBeVisible();

  // The segment detail shows the words of the chosen segment's window (the clip's audio decides its length: 62 or 63 segments).
  const segments = await page.evaluate(() => (window as unknown as { __merResult: () => { segments: unknown[] } }).__merResult().segments.length);
  const end = Math.round(segments * 960) / 1000;
  const words = page.getByTestId('window-words');
  await page.getByTestId('timeline-cell').nth(3).click();
  await expect(words).toHaveText(`Words this stretch gave the text model (0–30.72 s): “${HAPPY} And then it changed.”`);
  await page.getByTestId('timeline-cell').nth(50).click();
  await expect(words).toHaveText(`Words this stretch gave the text model (30.72–${end} s): “And then it changed. ${ANGRY}”`);
  await page.getByTestId('segment-detail').screenshot({ path: `${SCREENS}/window-words.png` });

  // The exports name each window's words.
  const json = JSON.parse(await download(page, 'export-json')) as { reading: { transcript: string; text_windows: { start_s: number; end_s: number; text: string }[] } };
  expect(json.reading.transcript).toBe('subtitles');
  expect(json.reading.text_windows.map((w) => [w.start_s, w.end_s])).toEqual([[0, 30.72], [30.72, end]]);
  const [first, second] = json.reading.text_windows;
  expect(first!.text).toContain('happy');
  expect(second!.text).toContain('furious');
  expect(first!.text).not.toBe(second!.text);
  const csv = await download(page, 'export-summary-csv');
  expect(csv).toContain('text per window,timed captions: each window got the words spoken in it');
  expect(csv).toContain(`words,30.72,${end},"And then it changed. ${ANGRY}"`);
  expect(errors).toEqual([]);
});
