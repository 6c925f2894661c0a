// Shared by the live-mode specs: Chromium's fake camera and microphone playing a real dev clip
// (made at test time by scripts/make-fake-devices.mjs into e2e/.generated/), the launch flags,
// and a typed reader for `window.__merLiveStats()`.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import type { LiveStats } from '../src/live/stats';

export type { LiveStats };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Generates (once, cached) the fake devices' files and returns their paths. */
export function fakeDevices(): { video: string; audio: string } {
  return JSON.parse(execFileSync(process.execPath, [resolve(root, 'scripts/make-fake-devices.mjs')], { encoding: 'utf8' })) as { video: string; audio: string };
}

/** Launch flags: the base flags plus fake devices that play `files`, granted without a prompt. */
export function fakeMediaArgs(files = fakeDevices()): string[] {
  return [
    ...CHROMIUM_ARGS,
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${files.video}`,
    `--use-file-for-fake-audio-capture=${files.audio}`,
    // Headless pages count as hidden: keep timers and animation frames at full rate.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
  ];
}

export const liveStats = (page: Page): Promise<LiveStats | null> =>
  page.evaluate(() => (window as unknown as { __merLiveStats?: () => LiveStats }).__merLiveStats?.() ?? null);

/** Opens the app (at `url`: another build's server, say), switches to live mode and presses Start; returns the page errors seen from then on. */
export async function startLiveMode(page: Page, url = '/'): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.getByTestId('mode-live').click();
  await page.getByTestId('live-start').click();
  return errors;
}
