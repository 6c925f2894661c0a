// A 60 s timeline (issue 17 #4): 63 cells do not fit the width (about 22 on a desktop, 10 on a
// phone), so a bar of the whole minute frames the visible part and says it in words; choosing the
// end of the bar scrolls the cells there. Opened from a share link made in Node with the app's own
// encoder (no analysis needed); screenshots at 1280 and 390 px.
import { expect, test } from '@playwright/test';
import type { AnalysisResult } from '../src/pipeline/result';
import { encodeShareLink } from '../src/share/shareLink';

const SCREENS = 'test-results/screens';
const LABELS = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];

/** A one-minute result (63 segments of 0.96 s), voice only, whose mood drifts across the labels. */
function minute(): AnalysisResult {
  const row = (i: number) => LABELS.map((_, k) => Math.round((0.15 + 0.7 * (k === Math.floor(i / 9) % 7 ? 1 : 0) + 0.01 * k) * 1e4) / 1e4);
  const clip = row(20);
  return {
    file: 'one-minute.mp4', labels: LABELS, segment_seconds: 0.96, fused: clip, modality_basis: 'unknown',
    modalities: { audio: clip, visual: null, text: null }, attention: { audio: 1, visual: 0, text: 0 },
    segments: Array.from({ length: 63 }, (_, i) => ({
      start: Math.round(i * 960) / 1000, end: Math.round((i + 1) * 960) / 1000, audio: row(i), visual: null, face: false, face_box: null,
    })),
    backend: 'wasm', timings_ms: { total: 1 },
  };
}

for (const width of [1280, 390]) {
  test(`a 60 s timeline shows the whole minute and where the visible cells are (${width} px)`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/${encodeShareLink(minute(), { includeTranscript: false })}`);
    await expect(page.getByTestId('timeline')).toBeVisible();
    const overview = page.getByTestId('timeline-scroll-overview');
    await expect(overview).toBeVisible();
    await expect(page.getByTestId('scroll-overview-text')).toHaveText(/^Showing 0:00–0:\d\d of 1:00: scroll the cells, or choose a part of this bar\.$/);
    const frame = page.getByTestId('scroll-overview-window');
    const before = await frame.evaluate((e) => parseFloat((e as HTMLElement).style.width));
    expect(before).toBeGreaterThan(5);
    expect(before).toBeLessThan(width > 600 ? 60 : 30);
    await page.getByTestId('timeline').screenshot({ path: `${SCREENS}/timeline-60s-${width}.png` });

    // Choosing the end of the bar scrolls the cells to the end of the minute.
    const bar = overview.locator('.scroll-overview');
    const box = await bar.boundingBox();
    if (!box) throw new Error('no bar');
    await page.mouse.click(box.x + box.width - 2, box.y + box.height / 2);
    await expect(page.getByTestId('scroll-overview-text')).toHaveText(/–1:00 of 1:00/);
    expect(await page.locator('.cells').evaluate((e) => e.scrollLeft)).toBeGreaterThan(0);
  });
}
