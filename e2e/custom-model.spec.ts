// A custom model is a first-class citizen (issue 15, items 3 and 6). A small model is made at test
// time the way training/README.md's recipe makes one (training/scripts/make_app_test_model.py:
// a generated Dai-layout IEMOCAP tree -> prepare -> train 2 steps -> evaluate -> export, IEMOCAP's
// 6 labels), put in place of the default in a temporary copy of the built site (its manifest
// written by scripts/write-manifest.mjs from the export's fusion.json; the committed public/models
// is never touched) and served by `vite preview` with the app's headers. On a short clip the page's
// bars, the JSON and CSV exports, the share link opened in a fresh browser and `npm run analyze
// --json` all show exactly those 6 labels. A manifest whose labels disagree with the graph is
// refused at load with a sentence naming both label sets.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import { CLIPS, dropFile, GENERATED, testClipId } from './fixtures';

const root = resolve(GENERATED, '..', '..');
const IEMOCAP6 = ['ang', 'exc', 'fru', 'hap', 'neu', 'sad'];
const EKMAN7 = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];

// Making the model (about 20 s) and two analyses plus the CLI on a loaded 2-core machine.
test.describe.configure({ mode: 'serial', timeout: 900_000 });

let site: { dir: string; url: string; close: () => Promise<void> } | null = null;
let clip = '';

/** A 2 s cut (3 segments, a face and a voice) of the first dev clip, made at test time. */
function makeClip(): string {
  mkdirSync(GENERATED, { recursive: true });
  const out = join(GENERATED, `${testClipId()}-2s.mp4`);
  if (existsSync(out)) return out;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', join(CLIPS, `${testClipId()}.mp4`), '-t', '2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '44100', '-movflags', '+faststart', out,
  ]);
  return out;
}

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
  clip = makeClip();
  const dir = mkdtempSync(join(tmpdir(), 'mer-custom-model-'));
  const model = join(dir, 'model');
  const python = process.env.MER_PYTHON ?? '/usr/bin/python3';
  const made = execFileSync(python, [join(root, 'training', 'scripts', 'make_app_test_model.py'), model, '--labels', 'iemocap6'],
    { cwd: root, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'ignore'] });
  expect((JSON.parse(made.trim().split('\n').pop() ?? '{}') as { labels: string[] }).labels).toEqual(IEMOCAP6);

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

  const { preview } = await import('vite');
  const port = await freePort();
  const server = await preview({ root, logLevel: 'silent', build: { outDir: siteDir }, preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
  site = { dir, url: `http://127.0.0.1:${port}/`, close: () => server.close() };
});

test.afterAll(async () => {
  await site?.close();
  if (site) rmSync(site.dir, { recursive: true, force: true });
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

test('a model trained on IEMOCAP’s 6 classes shows those 6 on the page, in the exports, in its share link and in the CLI', async ({ page, browser }) => {
  const errors = watchErrors(page);
  await page.goto(site!.url);
  await dropFile(page, readFileSync(clip), 'custom.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
  expect(await barLabels(page)).toEqual(IEMOCAP6);
  await expect(page.getByTestId('result')).not.toContainText(/happiness|sadness|surprise|disgust/);

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

  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const otherErrors = watchErrors(other);
  await other.goto(link);
  await expect(other.getByTestId('shared-banner')).toBeVisible();
  expect(await barLabels(other)).toEqual(IEMOCAP6);
  const shared = JSON.parse(await download(other, 'export-json')) as Exported;
  expect(shared.labels).toEqual(IEMOCAP6);
  expectSized(shared);
  await other.screenshot({ path: 'test-results/custom-model-shared.png', fullPage: true });
  await fresh.close();

  const cli = await runCli(['--json', '--server', site!.url, clip]);
  expect(cli.code, cli.stderr).toBe(0);
  const line = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as Exported;
  expect(line.labels).toEqual(IEMOCAP6);
  expectSized(line);
  expect(line.fused.map((x) => x.toFixed(4))).toEqual(json.fused.map((x) => x.toFixed(4)));
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('a manifest whose labels are not the graph’s is refused at load with both label sets named', async ({ context, page }) => {
  const manifest = JSON.parse(readFileSync(join(site!.dir, 'site', 'models', 'manifest.json'), 'utf8')) as { labels: string[] };
  await context.route('**/models/manifest.json', (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify({ ...manifest, labels: EKMAN7 }),
    headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
  }));
  await page.goto(site!.url);
  await dropFile(page, readFileSync(clip), 'custom.mp4', 'video/mp4');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('was trained for 6 emotions (ang, exc, fru, hap, neu, sad)', { timeout: 300_000 });
  await expect(alert).toContainText(`the manifest lists 7 emotions (${EKMAN7.join(', ')})`);
  await expect(alert).toContainText('so it was not loaded');
  await expect(page.getByTestId('result')).toHaveCount(0);
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await page.screenshot({ path: 'test-results/custom-model-refused.png', fullPage: true });
});
