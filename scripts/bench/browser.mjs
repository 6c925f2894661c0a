// Browser side of `npm run bench`: launches Debian's headless Chromium with the flags the CLI
// tools use (scripts/lib/app-browser.mjs), opens the built app with a backend and WASM thread
// count, runs files through the app's own pipeline (`window.__merAnalyze`, src/cliHook.ts) and
// samples memory over the Chrome DevTools Protocol (JS heap of the page and every worker) and
// /proc (proportional set size of all of this Chromium's processes).
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../lib/chromium.mjs';

export const CHROMIUM = CHROMIUM_PATH;

/**
 * Rejects after `ms` with a message naming the step, so one stuck page cannot hang the bench; the
 * timer is cleared either way, so a finished step leaves nothing that keeps Node running.
 */
export function within(ms, what, promise) {
  let timer;
  return Promise.race([promise, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: no answer within ${ms / 1000} s`)), ms); })])
    .finally(() => clearTimeout(timer));
}

/**
 * Every host but this machine's resolves to nothing, so the app can reach no other origin. Done
 * by the resolver, not by a Playwright route: routing turns Chromium's HTTP cache off, and with
 * it the compiled-wasm cache a return visit gets, so the start-up figures would be pessimistic.
 */
export const OTHER_HOSTS_UNREACHABLE = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

/** A Chromium whose processes can be found in /proc (the marker switch is in the browser's command line). */
export async function launchChromium({ webgpu = false, extraArgs = [] } = {}) {
  const { chromium } = await import('playwright-core');
  const marker = `--mer-bench-run=${randomUUID()}`;
  // MER_BENCH_JS_FLAGS (e.g. --no-liftoff) passes V8 flags: for comparing tiers, never the reported default.
  const jsFlags = process.env.MER_BENCH_JS_FLAGS ? [`--js-flags=${process.env.MER_BENCH_JS_FLAGS}`] : [];
  const args = [...CHROMIUM_ARGS, OTHER_HOSTS_UNREACHABLE, ...(webgpu ? ['--enable-unsafe-webgpu'] : []), ...jsFlags, ...extraArgs, marker];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  const roots = chromiumPids(marker, { rootsOnly: true });
  /** Closes the browser; if its connection broke and the process lingers, ends it by pid. */
  const close = async () => {
    await within(30_000, 'closing the browser', browser.close()).catch(() => undefined);
    for (const pid of roots) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  return { browser, marker, close };
}

/** A fresh context (empty cache) and a page on the app; other origins are unreachable (OTHER_HOSTS_UNREACHABLE). */
export async function openApp(browser, serverUrl, { backend = 'wasm', threads = null, log = () => undefined } = {}) {
  const origin = new URL(serverUrl).origin;
  const context = await browser.newContext();
  const page = await context.newPage();
  const textTokens = [];
  page.on('console', (m) => {
    const text = m.text();
    // The CLI hook reports stages on the console; the text stage's detail is its token count.
    const tokens = /^\[mer-cli\] text: done \((\d+) tokens\)/.exec(text);
    if (tokens) textTokens.push(Number(tokens[1]));
    if (process.env.MER_BENCH_VERBOSE) log(`[page ${m.type()}] ${text}`);
  });
  const url = new URL(serverUrl);
  url.searchParams.set('backend', backend);
  if (threads) url.searchParams.set('threads', String(threads));
  const t0 = Date.now();
  await page.goto(url.href, { timeout: 300_000 });
  await page.waitForFunction(() => typeof window.__merAnalyze === 'function', null, { timeout: 120_000 });
  return { context, page, origin, url: url.href, pageLoadMs: Date.now() - t0, textTokens };
}

let served = 0;
/** Runs one local file through `window.__merAnalyze` (bytes handed over by a route, as the CLI does). */
export async function analyzeFile(app, file, hookOpts = {}) {
  const { page, origin } = app;
  const path = `/__mer_bench/input/${served++}`;
  await page.route(`${origin}${path}`, (route) => route.fulfill({
    status: 200, body: readFileSync(file),
    headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'same-origin' },
  }));
  try {
    return await page.evaluate(async ({ path, name, hookOpts }) => {
      const res = await fetch(path);
      return window.__merAnalyze(await res.blob(), name, hookOpts);
    }, { path, name: basename(file), hookOpts });
  } finally {
    await page.unroute(`${origin}${path}`).catch(() => undefined);
  }
}

/** Loads every model (`window.__merLoadModels`); resolves to the hook's answer. */
export function loadModels(page, backend) {
  return page.evaluate((backend) => window.__merLoadModels({ backend }), backend);
}

// ------------------------------------------------------------------ memory

function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8') });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Pids of the Chromium launched with `marker` and all its descendants. */
export function chromiumPids(marker, { rootsOnly = false } = {}) {
  const table = processTable();
  const roots = [...table].filter(([, p]) => p.cmdline.includes(marker)).map(([pid]) => pid);
  if (rootsOnly) return roots.filter((pid) => !roots.includes(table.get(pid)?.ppid));
  const pids = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) if (!pids.has(pid) && pids.has(p.ppid)) { pids.add(pid); grew = true; }
  }
  return [...pids];
}

/** Proportional set size in bytes (shared pages split between sharers), 0 when unreadable. */
function pssBytes(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples every `intervalMs`: the JS heap in use summed over the page and its workers
 * (`Runtime.getHeapUsage` through a browser CDP session attached to each target; WASM memory is
 * not JS heap) and the PSS of all Chromium processes. `stop()` resolves to the peaks in MB.
 */
export async function startMemorySampler(browser, marker, intervalMs = 250) {
  const cdp = await browser.newBrowserCDPSession();
  const sessions = new Map(); // targetId -> sessionId
  const lastHeap = new Map(); // targetId -> bytes (a busy worker may not answer in time)
  const waiting = new Map();
  let nextId = 1;
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    waiting.get(msg.id)?.(msg);
  });
  const ask = (sessionId, method) => new Promise((resolve) => {
    const id = nextId++;
    const timer = setTimeout(() => { waiting.delete(id); resolve(null); }, 1000);
    waiting.set(id, (msg) => { clearTimeout(timer); waiting.delete(id); resolve(msg.result ?? null); });
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(() => resolve(null));
  });
  let peakHeap = 0;
  let peakTotal = 0;
  let samples = 0;
  let stopped = false;
  const sample = async () => {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const live = targetInfos.filter((t) => t.type === 'page' || t.type === 'worker');
    for (const t of live) {
      if (sessions.has(t.targetId)) continue;
      const attached = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false }).catch(() => null);
      if (attached) sessions.set(t.targetId, attached.sessionId);
    }
    const alive = new Set(live.map((t) => t.targetId));
    for (const id of [...lastHeap.keys()]) if (!alive.has(id)) lastHeap.delete(id);
    await Promise.all(live.filter((t) => sessions.has(t.targetId)).map(async (t) => {
      const r = await ask(sessions.get(t.targetId), 'Runtime.getHeapUsage');
      if (r && typeof r.usedSize === 'number') lastHeap.set(t.targetId, r.usedSize);
    }));
    const heap = [...lastHeap.values()].reduce((a, b) => a + b, 0);
    const total = chromiumPids(marker).reduce((a, pid) => a + pssBytes(pid), 0);
    peakHeap = Math.max(peakHeap, heap);
    peakTotal = Math.max(peakTotal, total);
    samples++;
  };
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    /** The peaks since the last mark (MB), then starts new ones. */
    mark() {
      const peaks = { js_heap: Math.round(peakHeap / 1e5) / 10, total: Math.round(peakTotal / 1e5) / 10, samples };
      peakHeap = 0;
      peakTotal = 0;
      samples = 0;
      return peaks;
    },
    async stop() {
      stopped = true;
      await loop;
      await cdp.detach().catch(() => undefined);
      return { js_heap: Math.round(peakHeap / 1e5) / 10, total: Math.round(peakTotal / 1e5) / 10, samples };
    },
  };
}
