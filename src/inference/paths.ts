// Absolute URLs of our own runtime assets, resolved on the page against Vite's base so the app
// works under any sub-path; workers receive them in their load messages (their own location is
// the worker script's, not the page's).
export function assetBase(): string {
  return new URL(import.meta.env.BASE_URL, document.baseURI).href;
}

export function modelsBase(): string {
  return new URL('models/', assetBase()).href;
}
