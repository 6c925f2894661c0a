// The service worker: the app shell (HTML, JS, CSS, worker scripts) precached with Workbox so a
// second visit loads with no network; the inference runtime's large files (onnxruntime's and
// ffmpeg's .mjs/.wasm) kept the first time the app really uses them (one download, never a
// speculative one); every response it serves stamped with the same COOP/COEP/CSP headers the
// server sends, so the page stays cross-origin isolated offline.
// Model files are NOT handled here: the page keeps them, SHA-256 verified, in its own Cache API
// store (src/inference/modelFiles.ts), so they pass through untouched and are stored only once.
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { LAZY_PREFIXES, RUNTIME_CACHE, SKIP_WAITING } from './constants';
import { integrityPlugin, repairedMessage } from './runtimeIntegrity';
import { securityHeaders, strictCsp } from './securityHeaders';

interface ExtendableEventLike extends Event { waitUntil(p: Promise<unknown>): void }
interface ServiceWorkerScope {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { matchAll(options: { type: 'window' }): Promise<{ postMessage(message: unknown): void }[]> };
  addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'activate', listener: (e: ExtendableEventLike) => void): void;
}
declare const self: ServiceWorkerScope;

const SECURITY_HEADERS = Object.freeze(securityHeaders(strictCsp));

/** The same response with our security headers (cached copies may predate a header change). */
function withSecurityHeaders(res: Response): Response {
  if (res.type === 'opaque' || res.type === 'error' || res.status === 0) return res;
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
const securityHeadersPlugin = { handlerWillRespond: async ({ response }: { response: Response }) => withSecurityHeaders(response) };

setCacheNameDetails({ prefix: 'mer', suffix: 'v1' });

const scope = new URL(self.registration.scope);
const entries = self.__WB_MANIFEST.map((e) => (typeof e === 'string' ? { url: e, revision: null } : e));
const isLazy = (url: string) => LAZY_PREFIXES.some((p) => url.startsWith(p));

// ---- the app shell: precached at install, served cache-first, replaced as a whole on update.
addPlugins([securityHeadersPlugin]);
precacheAndRoute(entries.filter((e) => !isLazy(e.url)));
cleanupOutdatedCaches();

// Navigations to the app's page (any query, e.g. ?backend=wasm) get the precached index.html;
// other documents (the model card) go to the network.
const escaped = scope.pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { allowlist: [new RegExp(`^${escaped}(index\\.html)?(\\?.*)?$`)] }));

// ---- the runtime's large files: cached on first use under a key that carries the build's revision
// of each file, so an app update with a new onnxruntime never pairs new glue with an old .wasm.
// The revision is the file's SHA-256: a damaged cached copy is dropped and fetched again.
const lazyRevision = new Map(entries.filter((e) => isLazy(e.url)).map((e) => [new URL(e.url, scope).href, e.revision ?? '']));
const revisionedKey = (url: string) => `${url}?__rev=${lazyRevision.get(url) ?? ''}`;
registerRoute(
  ({ url, request }) => request.method === 'GET' && !request.headers.has('range') && lazyRevision.has(url.origin + url.pathname),
  new CacheFirst({
    cacheName: RUNTIME_CACHE,
    plugins: [
      { cacheKeyWillBeUsed: async ({ request }: { request: Request }) => revisionedKey(new URL(request.url).origin + new URL(request.url).pathname) },
      new CacheableResponsePlugin({ statuses: [200] }),
      // Each copy checked against the SHA-256 the build wrote as its revision (runtimeIntegrity.ts).
      integrityPlugin({
        cacheName: RUNTIME_CACHE,
        revisionOf: (url) => { const u = new URL(url); return lazyRevision.get(u.origin + u.pathname); },
        onRepair: (url) => void tellPages(repairedMessage(url)),
      }),
      securityHeadersPlugin,
    ],
  }),
);

/** Posts `message` to every page of the app this worker controls. */
async function tellPages(message: unknown): Promise<void> {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
}

/** Drops runtime files of earlier builds (their revision is no longer listed). */
async function pruneRuntimeCache(): Promise<void> {
  const cache = await caches.open(RUNTIME_CACHE);
  const current = new Set([...lazyRevision.keys()].map(revisionedKey));
  for (const req of await cache.keys()) if (!current.has(req.url)) await cache.delete(req);
}

// ---- updates: a new version waits until the page says the moment is right (src/sw/register.ts),
// then takes over every open tab at once.
self.addEventListener('message', (e) => {
  if ((e.data as { type?: unknown } | null)?.type === SKIP_WAITING) void self.skipWaiting();
});
self.addEventListener('activate', (e) => e.waitUntil(pruneRuntimeCache()));
clientsClaim();
