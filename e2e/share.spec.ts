// Share links (issue 5): a result analysed here, opened from its link in a fresh browser context,
// shows the same numbers read-only; tampered, oversized and newer-version links show the decoder's
// plain-text message (never HTML, never a blank page) and the analyser stays usable.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { AnalysisResult } from '../src/pipeline/result';
import { deflateSync, inflateSync } from 'fflate';
import { base64urlDecode, base64urlEncode } from '../src/share/base64url';
import { encodeShareLink, SHARE_ERRORS } from '../src/share/shareLink';
import { dropFile, makeTestVideo, testClipId, transcripts } from './fixtures';

const watchErrors = (page: Page) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
};

const numbers = (page: Page) => page.evaluate(() => ({
  bars: Array.from(document.querySelectorAll('[data-testid="prob-bar"]')).map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))] as const),
  alpha: Array.from(document.querySelectorAll('[data-testid="alpha"]')).map((e) => [e.getAttribute('data-modality'), Number(e.getAttribute('data-value'))] as const),
  headline: document.querySelector('.headline strong')?.textContent ?? '',
}));

test('a share link opened in a fresh browser context shows the same result, read-only', async ({ page, browser, baseURL }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  const transcript = transcripts().get(testClipId()) ?? '';
  await page.getByTestId('transcript').fill(transcript);
  await dropFile(page, readFileSync(makeTestVideo()), 'dev-clip.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
  const original = await numbers(page);

  await expect(page.getByTestId('share-transcript')).not.toBeChecked(); // off by default
  await page.getByTestId('share-transcript').check();
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.startsWith(`${baseURL}/#r=v1.`)).toBe(true);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const otherErrors = watchErrors(other);
  await other.goto(link);
  await expect(other.getByTestId('shared-banner')).toBeVisible();
  await expect(other.getByTestId('result')).toBeVisible();
  await expect(other.getByTestId('dropzone')).toHaveCount(0); // read-only: no analyser, no video
  await expect(other.locator('video')).toHaveCount(0);
  const opened = await numbers(other);
  expect(opened.headline).toBe(original.headline);
  expect(opened.bars.map(([l]) => l)).toEqual(original.bars.map(([l]) => l));
  opened.bars.forEach(([, v], i) => expect(Math.abs(v - (original.bars[i]?.[1] ?? NaN))).toBeLessThanOrEqual(1e-4));
  opened.alpha.forEach(([, v], i) => expect(Math.abs(v - (original.alpha[i]?.[1] ?? NaN))).toBeLessThanOrEqual(1e-4));
  await expect(other.getByTestId('shared-transcript')).toHaveText(transcript.trim() ? transcript : /.*/);
  await other.screenshot({ path: 'test-results/shared-view.png', fullPage: true });

  await other.getByTestId('shared-back').click();
  await expect(other.getByTestId('dropzone')).toBeVisible();
  expect(new URL(other.url()).hash).toBe('');
  await fresh.close();
  expect(otherErrors).toEqual([]);
  expect(errors).toEqual([]);
});

/** A small valid result, made in Node with the app's own encoder. */
function sample(file: string): AnalysisResult {
  const labels = ['angry', 'happy', 'neutral', 'sad'];
  const p = [0.1, 0.6, 0.2, 0.1];
  return {
    file, labels, segment_seconds: 0.96, fused: p, modalities: { audio: p, visual: null, text: null }, modality_basis: 'unknown',
    attention: { audio: 1, visual: 0, text: 0 },
    segments: [{ start: 0, end: 0.96, audio: p, visual: null, face: false, face_box: null }],
    backend: 'wasm', timings_ms: { total: 10 },
  };
}

test('tampered, oversized and newer-version links show a plain-text error and the app stays usable', async ({ page }) => {
  const errors = watchErrors(page);
  const good = encodeShareLink(sample('clip.mp4'), { includeTranscript: false });
  const payload = good.slice('#r=v1.'.length);
  const flipped = `#r=v1.${payload.slice(0, 10)}${payload[10] === 'A' ? 'B' : 'A'}${payload.slice(11)}`;
  const wire = JSON.parse(new TextDecoder().decode(inflateSync(base64urlDecode(payload) ?? new Uint8Array()))) as Record<string, unknown>;
  const contradictory = `#r=v1.${base64urlEncode(deflateSync(new TextEncoder().encode(JSON.stringify({ ...wire, attention: [10_000, 10_000, 10_000] }))))}`;
  const cases: [string, string, RegExp][] = [
    ['tampered', flipped, /damaged|tampered|not hold a valid result|could not be opened/],
    ['truncated', good.slice(0, good.length - 12), /damaged|cut short|not hold a valid result/],
    ['oversized', `#r=v1.${'A'.repeat(200_000)}`, /too long to open/],
    ['newer version', '#r=v2.AAAA', /different version of the app \(v2\)/],
    // Well-formed but impossible: the voice weighted 100% and so are face and words (issue 17).
    ['contradictory weights', contradictory, /numbers contradict each other: it gives the face a weight of 100% although it says no face was seen\./],
  ];
  await page.goto('/');
  for (const [name, hash, message] of cases) {
    // Through `hashchange` (the page is already open) and through a fresh load.
    await page.evaluate((h) => { location.hash = h; }, hash);
    const notice = page.getByTestId('shared-error');
    await expect(notice, name).toContainText(message);
    await page.reload();
    await expect(notice, name).toContainText(message);
    expect(await notice.innerHTML()).not.toMatch(/<(?!\/?(div|button)\b)/); // text only, no markup from the link
    await expect(page.getByTestId('dropzone')).toBeVisible(); // the analyser is still there
  }
  // The last case (a contradictory link) is on screen: a refused share link for a person to look at.
  await page.screenshot({ path: 'test-results/screens/shared-link-refused.png', fullPage: true });
  expect(await page.getByTestId('shared-error').textContent()).not.toMatch(/\b[a-z_]+\.\d|\b(fused|attention|modalities)\b/);
  await page.getByTestId('shared-back').click();
  await expect(page.getByTestId('shared-error')).toHaveCount(0);

  // A valid link whose file name is HTML: shown as text, never rendered.
  const html = '<img src=x onerror="window.__pwned=1">.mp4';
  await page.goto(`/${encodeShareLink(sample(html), { includeTranscript: true, transcript: '<b>hi</b>' })}`);
  await expect(page.getByTestId('shared-banner')).toBeVisible();
  await expect(page.getByText(html)).toBeVisible();
  await expect(page.getByTestId('shared-transcript')).toHaveText('<b>hi</b>');
  expect(await page.locator('main img, main b').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(Object.values(SHARE_ERRORS).length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
