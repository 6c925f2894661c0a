// Debian's Chromium as every tool here launches it (Playwright's tests, npm run analyze /
// prepare-dataset / bench, the TFLite parity checks): one executable path and one set of flags,
// never a downloaded browser. Headless is the launcher's `headless: true`, not a flag here.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that work on these machines (DEVELOPERS.md): no sandbox, nothing phoning home, no QUIC. */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
]);
