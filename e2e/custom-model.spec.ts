// A custom model is a first-class citizen (issue 15, items 3 and 6). A small model is made at test
// time the way training/README.md's recipe makes one (training/scripts/make_app_test_model.py:
// a generated Dai-layout IEMOCAP tree -> prepare -> train 2 steps -> evaluate -> export, IEMOCAP's
// 6 labels), put in place of the default in a temporary copy of the built site (its manifest
// written by scripts/write-manifest.mjs from the export's fusion.json; the committed public/models
// is never touched) and served by `vite preview` with the app's headers. On a short clip the page's
// bars and timeline legend, the JSON and CSV exports, the share link opened in a fresh browser and
// `npm run analyze --json` all show exactly those 6 labels, and so does live mode (fake camera and
// microphone). A manifest whose labels disagree with the graph is refused at load, on the page and
// by the CLI, with a sentence naming both label sets. No model card ships with such a model: the
// footer says so rather than linking to a missing file.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { dropFile, GENERATED, makeTestVideo, openShareLink } from './fixtures';
import { EXECUTABLE, fakeMediaArgs, startLiveMode } from './liveDevices';

const root = resolve(GENERATED, '..', '..');
const IEMOCAP6 = ['ang', 'exc', 'fru', 'hap', 'neu', 'sad'];
const EKMAN7 = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];

// Making the model and the site (about a minute), analyses on the page, in the CLI and live, on a loaded 2-core machine.
test.describe.configure({ mode: 'serial', timeout: 900_000 });
// Live mode's camera and microphone: Chromium's fake devices playing a dev clip.
test.use({ launchOptions: { executablePath: EXECUTABLE, args: fakeMediaArgs() } });

let site: { url: string; mismatchedUrl: string; close: () => Promise<void> } | null = null;
let clip = '';
/** The temporary folder (model, site), removed after the tests even when the set-up failed. */
let tmpRoot = '';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (address && typeof address === 'object' ? res(address.port) : rej(new Error('no port'))));
    });
  });
}

test.beforeAll(async () => {
  clip = makeTestVideo(2); // 3 segments, a face and a voice
  const dir = mkdtempSync(join(tmpdir(), 'mer-custom-model-'));
  tmpRoot = dir;
  const model = join(dir, 'model');
  const trained = execFileSync(process.execPath, [join(root, 'scripts', 'run-python.mjs'), join('training', 'scripts', 'make_app_test_model.py'), model, '--labels', 'iemocap6'],
    { cwd: root, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] }); // a failure's error carries Python's stderr
  expect((JSON.parse(trained.trim().split('\n').pop() ?? '{}') as { labels: string[] }).labels).toEqual(IEMOCAP6);

  // The app built into a folder of this test's own (dist/ may be rebuilt by other runs meanwhile),
  // with the custom model in place of the default: its graph and fusion.json, none of the default
  // model's metrics or card.
  const siteDir = join(dir, 'site');
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', siteDir, '--emptyOutDir', '--logLevel', 'error'],
    { cwd: root, timeout: 600_000, stdio: 'ignore' });
  for (const f of ['fusion.onnx', 'fusion.json']) cpSync(join(model, f), join(siteDir, 'models', f));
  for (const f of ['metrics.json', 'MODEL_CARD.md', 'fusion_fp16.onnx', 'fusion_int8.onnx']) rmSync(join(siteDir, 'models', f), { force: true });
  execFileSync(process.execPath, [join(root, 'scripts', 'write-manifest.mjs'), '--models', join(siteDir, 'models')], { cwd: root });
  expect((JSON.parse(readFileSync(join(siteDir, 'models', 'manifest.json'), 'utf8')) as { labels: string[] }).labels).toEqual(IEMOCAP6);

  // The same site under a manifest that lists Ekman-7 for this graph (everything else linked).
  const badDir = join(dir, 'mismatched');
  mkdirSync(join(badDir, 'models'), { recursive: true });
  for (const e of readdirSync(siteDir)) if (e !== 'models') symlinkSync(join(siteDir, e), join(badDir, e));
  for (const e of readdirSync(join(siteDir, 'models'))) if (e !== 'manifest.json') symlinkSync(join(siteDir, 'models', e), join(badDir, 'models', e));
  const manifest = JSON.parse(readFileSync(join(siteDir, 'models', 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(badDir, 'models', 'manifest.json'), JSON.stringify({ ...manifest, labels: EKMAN7 }, null, 2));

  const { preview } = await import('vite');
  const serve = async (outDir: string) => {
    const port = await freePort();
    const server = await preview({ root, logLevel: 'silent', build: { outDir }, preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
    return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
  };
  const [good, bad] = [await serve(siteDir), await serve(badDir)];
  site = { url: good.url, mismatchedUrl: bad.url, close: async () => { await good.close(); await bad.close(); } };
});

test.afterAll(async () => {
  await site?.close();
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
});

const watchErrors = (page: Page) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
};
const barLabels = (page: Page) => page.getByTestId('prob-bar').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]) as [Download, void];
  return readFileSync(await file.path()).toString('utf8');
}
const csvRows = (text: string) => text.split('\r\n').filter(Boolean).map((l) => l.split(','));

interface Exported { labels: string[]; fused: number[]; modalities: Record<string, number[] | null>; segments: { audio: number[] | null; visual: number[] | null }[] }

/** Every score list of a result has one number per label. */
function expectSized(r: Exported): void {
  expect(r.fused).toHaveLength(r.labels.length);
  for (const v of Object.values(r.modalities)) if (v) expect(v).toHaveLength(r.labels.length);
  for (const s of r.segments) for (const v of [s.audio, s.visual]) if (v) expect(v).toHaveLength(r.labels.length);
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(root, 'scripts', 'analyze.mjs'), ...args], { cwd: root, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('a model trained on IEMOCAP’s 6 classes shows those 6 on the page, in the exports, in its share link and in the CLI', async ({ page, browser, baseURL }) => {
  const errors = watchErrors(page);
  await page.goto(site!.url);
  await dropFile(page, readFileSync(clip), 'custom.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
  expect(await barLabels(page)).toEqual(IEMOCAP6);
  await expect(page.getByTestId('result')).not.toContainText(/happiness|sadness|surprise|disgust/);
  // No card ships with this model: the footer says so instead of linking to the default's (a 404 here).
  await expect(page.getByTestId('model-card')).toHaveText('no model card ships with this model');
  await expect(page.locator('footer a')).toHaveCount(0);
  // The timeline's legend: the same 6, each in a colour of its own.
  const legend = await page.getByTestId('timeline').locator('.legend li:has(.swatch[style])').evaluateAll((els) => els.map((e) => [e.textContent, (e.querySelector('.swatch') as HTMLElement).style.background]));
  expect(legend.map(([l]) => l)).toEqual(IEMOCAP6);
  expect(new Set(legend.map(([, c]) => c)).size).toBe(IEMOCAP6.length);

  const json = JSON.parse(await download(page, 'export-json')) as Exported;
  expect(json.labels).toEqual(IEMOCAP6);
  expectSized(json);
  expect(json.segments.some((s) => s.audio || s.visual)).toBe(true);
  const segments = csvRows(await download(page, 'export-segments-csv'));
  expect(segments[0]?.slice(5)).toEqual([...IEMOCAP6.map((l) => `audio_without_text_${l}`), ...IEMOCAP6.map((l) => `visual_without_text_${l}`)]);
  for (const row of segments.slice(1)) expect(row).toHaveLength(5 + 2 * IEMOCAP6.length);
  const summary = csvRows(await download(page, 'export-summary-csv'));
  expect(summary.slice(1, 1 + IEMOCAP6.length).map((r) => r[0])).toEqual(IEMOCAP6);
  expect(summary[1 + IEMOCAP6.length]?.[0]).toBe('alpha (fusion weight)');

  const { other, errors: otherErrors, close } = await openShareLink(page, browser);
  expect(await barLabels(other)).toEqual(IEMOCAP6);
  const shared = JSON.parse(await download(other, 'export-json')) as Exported;
  expect(shared.labels).toEqual(IEMOCAP6);
  expectSized(shared);
  await other.screenshot({ path: 'test-results/custom-model-shared.png', fullPage: true });
  // A link carries its result's own labels: opened in the app with the default model, it still shows these 6.
  const hash = new URL(other.url()).hash;
  await close();
  const elsewhere = await browser.newContext();
  const defaultApp = await elsewhere.newPage();
  await defaultApp.goto(`${baseURL}/${hash}`);
  await expect(defaultApp.getByTestId('shared-banner')).toBeVisible();
  expect(await barLabels(defaultApp)).toEqual(IEMOCAP6);
  await elsewhere.close();

  const cli = await runCli(['--json', '--server', site!.url, clip]);
  expect(cli.code, cli.stderr).toBe(0);
  const line = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as Exported;
  expect(line.labels).toEqual(IEMOCAP6);
  expectSized(line);
  expect(line.fused.map((x) => x.toFixed(4))).toEqual(json.fused.map((x) => x.toFixed(4)));
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('live mode shows the custom model’s labels', async ({ page }) => {
  const errors = await startLiveMode(page, site!.url);
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'running', { timeout: 480_000 });
  await expect(page.getByTestId('prob-bar').first()).toBeVisible({ timeout: 120_000 });
  expect(await barLabels(page)).toEqual(IEMOCAP6);
  await page.getByTestId('live-stop').click();
  expect(errors).toEqual([]);
});

test('a manifest whose labels are not the graph’s is refused at load with both label sets named, on the page and in the CLI', async ({ page }) => {
  const said = ['was trained for 6 emotions (ang, exc, fru, hap, neu, sad)', `the manifest lists 7 emotions (${EKMAN7.join(', ')})`, 'so it was not loaded'];
  await page.goto(site!.mismatchedUrl);
  await dropFile(page, readFileSync(clip), 'custom.mp4', 'video/mp4');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(said[0]!, { timeout: 300_000 });
  for (const words of said.slice(1)) await expect(alert).toContainText(words);
  await expect(page.getByTestId('result')).toHaveCount(0);
  await expect(page.getByTestId('dropzone')).toBeVisible();
  // The reason is said once, as a sentence, before the steps; the step itself only says it failed
  // (it used to read "Load models: failed · manifest", what it was doing rather than why).
  const step = page.locator('[data-stage="models"]');
  await expect(step).toHaveAttribute('data-status', 'error');
  await expect(step.locator('.stage-detail')).toHaveText('failed');
  // Only the step that failed says so (issue 17, no dead ends): the others say stopped or not run,
  // and no step is left working or waiting.
  await expect(page.locator('[data-stage][data-status="error"]')).toHaveCount(1);
  await expect(page.locator('[data-stage="fusion"]')).toHaveAttribute('data-status', 'not-run');
  await expect(page.locator('[data-stage][data-status="running"], [data-stage][data-status="pending"]')).toHaveCount(0);
  // Each model file says how it ended: the refused graph was downloaded, the rest done or not fetched; no bar keeps moving.
  const files = page.getByRole('region', { name: 'Model files' });
  await expect(files).toContainText(/fusion\.onnx.*downloaded, verified|fusion\.onnx.*from cache, verified/);
  await expect(files).not.toContainText(/downloading|waiting/);
  await expect(files.locator('progress:not([value])')).toHaveCount(0);
  expect(await page.evaluate(() => {
    const [reason, steps] = [document.querySelector('[role="alert"]'), document.querySelector('[data-stage="models"]')];
    return Boolean(reason && steps && reason.compareDocumentPosition(steps) & Node.DOCUMENT_POSITION_FOLLOWING);
  }), 'the reason comes before the steps').toBe(true);
  await page.screenshot({ path: 'test-results/custom-model-refused.png', fullPage: true });

  const cli = await runCli(['--json', '--server', site!.mismatchedUrl, clip]);
  expect(cli.code).toBe(1);
  const line = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as { error?: string; labels?: unknown };
  expect(line.labels).toBeUndefined();
  for (const words of said) expect(line.error).toContain(words);
});
