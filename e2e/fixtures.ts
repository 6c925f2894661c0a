// Test inputs made at test time: a short H.264/AAC clip cut from a real IEMOCAP dev clip with
// Debian's ffmpeg (the dataset is read from ../shared, never copied into the repository).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';
import { readDevLabels } from '../scripts/lib/dev-labels.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED = join(root, 'e2e', '.generated');
export const CLIPS = resolve(root, '..', 'shared', 'data', 'iemocap_dev_av', 'clips');

/** The dev clips' transcripts from labels.csv. */
export function transcripts(): Map<string, string> {
  return new Map([...readDevLabels(join(CLIPS, '..', 'labels.csv'))].map(([id, row]) => [id, row.transcript]));
}

/** The clip the tests use: the first dev clip in name order. */
export function testClipId(): string {
  const clip = readdirSync(CLIPS).filter((f) => f.endsWith('.mp4')).sort()[0];
  if (!clip) throw new Error(`No .mp4 in ${CLIPS}`);
  return clip.replace(/\.mp4$/, '');
}

/** A `seconds` (default 4 s) MP4 at the source size (640 x 480) (H.264 + AAC) cut from the first dev clip; cached across runs. */
export function makeTestVideo(seconds = 4): string {
  mkdirSync(GENERATED, { recursive: true });
  const out = join(GENERATED, `${testClipId()}-${seconds}s.mp4`);
  if (existsSync(out)) return out;
  if (!existsSync(CLIPS)) throw new Error(`Dev clips not found at ${CLIPS} (../shared/data/iemocap_dev_av).`);
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', join(CLIPS, `${testClipId()}.mp4`), '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '44100', '-movflags', '+faststart', out,
  ]);
  return out;
}

/** A file that claims to be a video but is not. */
export function makeCorruptVideo(): string {
  mkdirSync(GENERATED, { recursive: true });
  const out = join(GENERATED, 'not-a-video.mp4');
  writeFileSync(out, 'this is plain text, not an MP4 file\n'.repeat(64));
  return out;
}

/** Drops `bytes` on the drop zone as a real drag-and-drop: a DataTransfer built in the page. */
export async function dropFile(page: Page, bytes: Buffer, name: string, type: string): Promise<void> {
  await page.evaluate(async ({ b64, name, type }) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([data], name, { type }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    if (!zone) throw new Error('no drop zone');
    for (const ev of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(ev, { bubbles: true, cancelable: true, dataTransfer: dt }));
      await new Promise((r) => setTimeout(r, 50));
    }
  }, { b64: bytes.toString('base64'), name, type });
}

/**
 * Makes the share link of the result on `page` and opens it in a fresh browser context (no cache,
 * no storage), as a recipient would; resolves once the shared view's banner shows.
 */
export async function openShareLink(page: Page, browser: Browser): Promise<{ other: Page; errors: string[]; close: () => Promise<void> }> {
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const errors: string[] = [];
  other.on('pageerror', (e) => errors.push(e.message));
  await other.goto(link);
  await other.getByTestId('shared-banner').waitFor();
  return { other, errors, close: () => fresh.close() };
}
