// Privacy (issue 7): nothing leaves the app's origin. Every request the browser context makes —
// pages, their dedicated workers (model runtimes, text encoder) and the service worker's own
// fetches (Playwright reports all three at context level in Chromium) — is recorded through page
// load, the analysis of a real clip, opening a share link, and live mode with Chromium's built-in
// fake camera and microphone; any request to another origin fails the test, and so does any
// Content-Security-Policy violation (a blocked request never shows up as a request). A second
// test checks the CSP itself names no remote origin in dev, preview and the build's _headers.
import { readFileSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page, type Request } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { remoteSources } from '../src/sw/securityHeaders';
import { dropFile, makeTestVideo, testClipId, transcripts } from './fixtures';

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  },
});

interface Seen { url: string; by: 'service worker' | 'page or worker'; phase: string }

function recordRequests(context: BrowserContext, phase: { name: string }): Seen[] {
  const seen: Seen[] = [];
  context.on('request', (r: Request) => seen.push({ url: r.url(), by: r.serviceWorker() ? 'service worker' : 'page or worker', phase: phase.name }));
  return seen;
}

/** Collects the page's CSP violations (each one is a request the policy stopped). */
async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

const isLocal = (url: string, origin: string) => url.startsWith('blob:') || url.startsWith('data:') || new URL(url).origin === origin;

// Two analyses (or an analysis and live mode) on a loaded 2-core machine: more than the default budget.
test.describe.configure({ timeout: 900_000 });

test('no request leaves the origin during load, analysis, a share link and live mode', async ({ context, page, baseURL }) => {
  const origin = new URL(baseURL ?? '').origin;
  const phase = { name: 'load' };
  const seen = recordRequests(context, phase);
  await watchCsp(context);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // ---- load (the service worker installs and precaches the app shell)
  await page.goto('/');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 240_000 });

  // ---- analysis of a real clip with its transcript
  phase.name = 'analysis';
  await page.getByTestId('transcript').fill(transcripts().get(testClipId()) ?? '');
  await dropFile(page, readFileSync(makeTestVideo()), 'dev-clip.mp4', 'video/mp4');
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 300_000 });
  expect(await cspViolations(page)).toEqual([]);

  // ---- a share link, opened in another tab
  phase.name = 'share link';
  await page.getByTestId('share-button').click();
  const link = await page.getByTestId('share-link').inputValue();
  const other = await context.newPage();
  other.on('pageerror', (e) => errors.push(e.message));
  await other.goto(link);
  await expect(other.getByTestId('shared-banner')).toBeVisible();
  await expect(other.getByTestId('result')).toBeVisible();
  expect(await cspViolations(other)).toEqual([]);
  await other.close();

  // ---- live mode (camera and microphone: Chromium's fake devices)
  phase.name = 'live';
  await page.goto('/');
  const liveSwitch = page.getByTestId('mode-live');
  if (await liveSwitch.count()) {
    await liveSwitch.click();
    // Chromium's built-in fake microphone beeps and its fake camera shows no face: a beep is not a
    // voice (Silero VAD), so words are what give live mode something to analyse here.
    await page.getByTestId('live-transcript').fill('I am not sure what you mean.');
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'running', { timeout: 240_000 });
    await expect.poll(() => page.evaluate(() => (window as unknown as { __merLiveStats?: () => { predictions: number } }).__merLiveStats?.().predictions ?? 0), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    await page.getByTestId('live-stop').click();
    expect(await cspViolations(page)).toEqual([]);
  } else {
    test.info().annotations.push({ type: 'not covered', description: 'live mode is not in this build (no "mode-live" control)' });
  }

  // The recording really covers the three kinds of requester: the page itself, a dedicated worker
  // (onnxruntime's wasm is fetched by the model workers) and the service worker (precache).
  const paths = seen.map((s) => new URL(s.url).pathname);
  expect(paths).toContain('/');
  expect(paths.some((p) => /^\/ort\/.*\.wasm$/.test(p))).toBe(true);
  expect(seen.some((s) => s.by === 'service worker')).toBe(true);

  const foreign = seen.filter((s) => !isLocal(s.url, origin));
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});

test('the Content-Security-Policy names no remote origin in dev, preview and the build', async ({ request }) => {
  // preview: the server under test (vite preview of the build)
  const preview = (await request.get('/')).headers()['content-security-policy'] ?? '';
  expect(preview).toContain("default-src 'self'");
  expect(remoteSources(preview)).toEqual([]);

  // build: the _headers file static hosts read, as the build wrote it
  const headersFile = await (await request.get('/_headers')).text();
  const built = /Content-Security-Policy: (.*)/.exec(headersFile)?.[1] ?? '';
  expect(built).toBe(preview);

  // dev: a real Vite dev server on this project's config
  const { createServer } = await import('vite');
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  try {
    await server.listen();
    const url = server.resolvedUrls?.local[0] ?? '';
    const dev = (await fetch(url)).headers.get('content-security-policy') ?? '';
    expect(dev).toContain("default-src 'self'");
    expect(remoteSources(dev)).toEqual([]);
  } finally {
    await server.close();
  }
});
