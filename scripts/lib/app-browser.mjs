// The command-line tools' browser driver (npm run analyze, npm run prepare-dataset): builds the
// app when dist/ is missing or stale, serves it with `vite preview` (the same COOP/COEP/CSP
// headers and Range support users get) on 127.0.0.1, opens it in Debian's headless Chromium and
// hands local files (by path, never read whole) to the page's `window.__merAnalyze` (src/cliHook.ts), so these tools
// run exactly the app's pipeline. Any request leaving the page's origin is refused: all local.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

export { CHROMIUM_ARGS };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE_LOAD_MS = 180_000;

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of readdirSync(path)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, e)));
  }
  return newest;
}

/** dist/ is stale when any source the build reads is newer than dist/index.html. */
export function distIsStale() {
  const built = join(ROOT, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json', join('public', 'models')]
    .map((p) => newestMtime(join(ROOT, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** `{url, close}` of the built app: an already running server (`serverUrl`), or `vite preview` of dist/. */
export async function startServer(log, serverUrl) {
  if (serverUrl) return { url: new URL('/', serverUrl).href, close: async () => undefined };
  if (distIsStale()) {
    log('Building the app (dist/ is missing or older than its sources)…');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.status !== 0) throw new Error('`npm run build` failed; see the messages above.');
  }
  const { preview } = await import('vite');
  const port = await freePort();
  const server = await preview({ root: ROOT, logLevel: 'silent', preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/**
 * Opens the app in headless Chromium. `analyze(file, hookOpts)` runs one local file through
 * `window.__merAnalyze` and resolves to its outcome (`{ok: true, result, notes, ...}` or
 * `{ok: false, error, notes}`); a crashed page is replaced for the next file. `close()` ends
 * the browser and the server this session started. `query`: more page switches (`faces=full`).
 */
export async function openAppSession({ backend = 'wasm', chromium = CHROMIUM_PATH, serverUrl, log = () => undefined, query = '' } = {}) {
  const server = await startServer(log, serverUrl);
  const { chromium: launcher } = await import('playwright-core');
  const args = [...CHROMIUM_ARGS, ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])];
  let browser;
  try {
    browser = await launcher.launch({ executablePath: chromium, headless: true, args });
  } catch (e) {
    await server.close();
    throw e;
  }
  const origin = new URL(server.url).origin;
  const context = await browser.newContext();
  await context.route((url) => !['blob:', 'data:'].includes(url.protocol) && url.origin !== origin, (route) => route.abort('blockedbyclient'));
  let page = null;

  const openPage = async () => {
    page = await context.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('[mer-cli] ')) log(`  ${text.slice(10)}`);
      else if (process.env.MER_ANALYZE_VERBOSE) log(`[page ${m.type()}] ${text}`);
    });
    // Generous: on a busy machine (2 shared cores) the first load has taken more than 30 s.
    await page.goto(`${server.url}?backend=${backend}${query ? `&${query}` : ''}`, { timeout: PAGE_LOAD_MS });
    await page.waitForFunction(() => typeof window.__merAnalyze === 'function', null, { timeout: PAGE_LOAD_MS });
  };

  try {
    await openPage(); // fail fast when the app itself does not load
  } catch (e) {
    await browser.close().catch(() => undefined);
    await server.close();
    throw e;
  }

  async function analyze(file, hookOpts = {}) {
    try {
      statSync(file);
      if (!page || page.isClosed()) await openPage();
      // The file reaches the page as a File backed by the file on disk (Playwright hands Chromium
      // its path): nothing is copied or sent anywhere, and a 2 GB file costs no memory here. Size
      // limits and messages are the app's own.
      await page.evaluate(() => {
        if (document.getElementById('__mer_cli_file')) return;
        const input = Object.assign(document.createElement('input'), { type: 'file', id: '__mer_cli_file', hidden: true });
        document.body.append(input);
      });
      await page.setInputFiles('#__mer_cli_file', file);
      return await page.evaluate(async ({ name, hookOpts }) => {
        const input = document.getElementById('__mer_cli_file');
        const picked = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
        if (!picked) return { ok: false, error: 'could not hand the file to the page', notes: [] };
        return window.__merAnalyze(picked, name, hookOpts);
      }, { name: basename(file), hookOpts: { backend, ...hookOpts } });
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      // A crashed or wedged page is replaced for the next file.
      if (page && !page.isClosed() && /crash|Target closed|has been closed/i.test(msg)) await page.close().catch(() => undefined);
      if (page?.isClosed()) page = null;
      return { ok: false, error: msg, notes: [] };
    }
  }

  async function close() {
    await browser.close().catch(() => undefined);
    await server.close();
  }

  return { analyze, close, url: server.url };
}
