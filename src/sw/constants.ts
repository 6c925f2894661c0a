// Names shared by the service worker and the page: caches, the update message, what is cached lazily.

/** Where the service worker keeps the runtime's large files, cached the first time they are used. */
export const RUNTIME_CACHE = 'mer-runtime-v1';

/** Build-output folders fetched only when used (wasm runtimes, tens of MB each; the local-build sample video: its sample.json is precached so the button shows offline), never precached. */
export const LAZY_PREFIXES = Object.freeze(['ort/', 'ffmpeg/', 'sample/sample.mp4']);

/** The message that lets a waiting new version take over (workbox-window's messageSkipWaiting). */
export const SKIP_WAITING = 'SKIP_WAITING';
