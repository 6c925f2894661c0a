// Picking the same file again after its error starts a new attempt (issue 17, item 9): through the
// drop zone's <input type=file> (Playwright's setInputFiles with the same path twice: Chromium fires
// no `change` for files the input already holds, which was the bug), through the file dialog, and
// by dropping it. Each attempt is seen as the page going back to "running" and ending in the error
// again; the file is the corpus's truncated MP4 (scripts/make-bad-inputs.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { dropFile, GENERATED } from './fixtures';

const FILE = join(GENERATED, 'bad', 'truncated.mp4');
const SAID = /“truncated\.mp4” looks damaged or incomplete/;

test.beforeAll(() => {
  execFileSync('node', ['scripts/make-bad-inputs.mjs', '--only', 'truncated'], { stdio: 'pipe', cwd: resolve(GENERATED, '..', '..') });
});

/** Records every phase the page shows (`.app[data-phase]`), to tell a new attempt from a message left on screen. */
async function watchPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __phases: string[] };
    w.__phases = [];
    const app = document.querySelector('.app');
    if (!app) throw new Error('no .app');
    new MutationObserver(() => w.__phases.push(app.getAttribute('data-phase') ?? '')).observe(app, { attributes: true, attributeFilter: ['data-phase'] });
  });
}
const phases = (page: Page) => page.evaluate(() => (window as unknown as { __phases: string[] }).__phases.splice(0));

/** Runs `pick` and expects one whole new attempt: running, then the file's error again. */
async function expectNewAttempt(page: Page, how: string, pick: () => Promise<void>): Promise<void> {
  await phases(page); // forget what came before
  await pick();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __phases: string[] }).__phases.join(' ')), { message: how, timeout: 120_000 })
    .toMatch(/running.*error/);
  await expect(page.locator('.app')).toHaveAttribute('data-phase', 'error');
  await expect(page.getByRole('alert'), how).toHaveText(SAID);
}

test('the same file picked again after its error starts a new attempt (input, dialog, drop)', async ({ page }) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await watchPhases(page);
  const input = page.getByTestId('file-input');

  await expectNewAttempt(page, 'first pick', () => input.setInputFiles(FILE));
  await expectNewAttempt(page, 'the same path set again on the same input', () => input.setInputFiles(FILE));
  await expectNewAttempt(page, 'and once more', () => input.setInputFiles(FILE));
  await expectNewAttempt(page, 'through the file dialog', async () => {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('dropzone').click()]);
    await chooser.setFiles(FILE);
  });
  const bytes = readFileSync(FILE);
  await expectNewAttempt(page, 'dropped', () => dropFile(page, bytes, 'truncated.mp4', 'video/mp4'));
  await expectNewAttempt(page, 'dropped again', () => dropFile(page, bytes, 'truncated.mp4', 'video/mp4'));
  await expectNewAttempt(page, 'picked after a drop', () => input.setInputFiles(FILE));
  expect(errors).toEqual([]);
});
