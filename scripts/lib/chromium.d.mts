// Types for chromium.mjs (imported by playwright.config.ts and the e2e helpers).
export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: readonly string[];
