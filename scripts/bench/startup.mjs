// Start-up figures of `npm run bench` (issue 16), one run of one build: in a fresh browser
// context (empty caches) the first visit's models ready; then, as fresh pages of the same context
// (models in the Cache API, a return visit), models ready again, the sample clip dropped as soon as
// the page answers → its result, and live mode opened and started at once → its first prediction.
// Times come from the page's own clock (performance.now(), 0 = navigation start) where they can.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openApp, within } from './browser.mjs';

const HOOK_WAIT_MS = 180_000;
const STEP_TIMEOUT_MS = 300_000;

/** A fresh page of the same context (caches kept): reload and wait for the hooks. */
async function reopen(page) {
  await page.reload({ timeout: STEP_TIMEOUT_MS });
  await page.waitForFunction(() => typeof window.__merAnalyze === 'function' && typeof window.__merLoadModels === 'function', null, { timeout: HOOK_WAIT_MS });
}

/** `window.__merLoadModels()`; resolves to the page time (ms since navigation) at which the models were ready. */
async function modelsReadyAt(page) {
  const r = await within(STEP_TIMEOUT_MS, 'models', page.evaluate(async () => {
    const out = await window.__merLoadModels({ backend: 'auto' });
    return { ...out, at: performance.now() };
  }));
  if (!r.ok) throw new Error(`models did not load: ${r.error}`);
  return r;
}

/** The sample clip handed to `__merAnalyze` as soon as the page answers: {first_result (drop → result), since navigation}. */
async function firstResult(app, sample) {
  const { page, origin } = app;
  const path = `/__mer_bench/sample/${Date.now()}`;
  await page.route(`${origin}${path}`, (route) => route.fulfill({
    status: 200, body: readFileSync(sample.path),
    headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' },
  }));
  try {
    const r = await within(STEP_TIMEOUT_MS, 'sample clip', page.evaluate(async ({ path, name, transcript }) => {
      const blob = await (await fetch(path)).blob();
      const dropped = performance.now();
      const out = await window.__merAnalyze(blob, name, { backend: 'auto', transcript });
      const now = performance.now();
      return { ok: out.ok, error: out.ok ? null : out.error, ms: now - dropped, at: now };
    }, { path, name: basename(sample.path), transcript: sample.transcript }));
    if (!r.ok) throw new Error(`the sample clip failed: ${r.error}`);
    return r;
  } finally {
    await page.unroute(`${origin}${path}`).catch(() => undefined);
  }
}

/** Live mode opened and started as soon as the page answers: ms from Start to the first prediction (null without live mode). */
async function liveFirstPrediction(page) {
  if (!(await page.evaluate(() => typeof window.__merLiveStats === 'function'))) return null;
  await page.getByTestId('mode-live').click({ timeout: 30_000 });
  const start = page.getByTestId('live-start');
  // The click's own time, taken in the page: the stats' started_at is set once the models are loaded.
  await start.evaluate((button) => button.addEventListener('click', () => { window.__merBenchStartAt = Date.now(); }, { once: true, capture: true }));
  await start.click({ timeout: 30_000 });
  const handle = await page.waitForFunction(() => {
    const s = window.__merLiveStats?.();
    return s && s.predictions > 0 && window.__merBenchStartAt ? Date.now() - window.__merBenchStartAt : false;
  }, null, { timeout: STEP_TIMEOUT_MS, polling: 50 });
  const ms = await handle.jsonValue();
  await page.getByTestId('live-stop').click({ timeout: 5_000 }).catch(() => undefined);
  return ms;
}

/**
 * One start-up run of the app at `serverUrl` in `browser` (launched with fake capture devices):
 * `{record, errors}`, record = {first_visit_models, return_visit_models, first_result,
 * first_result_since_navigation, live_first_prediction} in ms, null where a step failed.
 */
export async function startupRun(browser, serverUrl, { sample, log = () => undefined }) {
  const record = { first_visit_models: null, return_visit_models: null, first_result: null, first_result_since_navigation: null, live_first_prediction: null, page_load: null };
  const errors = [];
  const app = await openApp(browser, serverUrl, { backend: 'auto', log });
  try {
    await app.context.grantPermissions(['camera', 'microphone']);
    record.page_load = app.pageLoadMs;
    const steps = [
      ['first_visit_models', async () => { record.first_visit_models = (await modelsReadyAt(app.page)).at; }],
      ['return_visit_models', async () => { await reopen(app.page); record.return_visit_models = (await modelsReadyAt(app.page)).at; }],
      ['first_result', async () => {
        await reopen(app.page);
        const r = await firstResult(app, sample);
        record.first_result = r.ms;
        record.first_result_since_navigation = r.at;
      }],
      ['live_first_prediction', async () => { await reopen(app.page); record.live_first_prediction = await liveFirstPrediction(app.page); }],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (e) {
        errors.push(`${name}: ${e.message.split('\n')[0]}`);
        log(`start-up ${name}: ${e.message.split('\n')[0]}`);
      }
    }
  } finally {
    await app.context.close().catch(() => undefined);
  }
  return { record, errors };
}
