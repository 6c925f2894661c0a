// Errors the user can act on. Anything thrown in the pipeline reaches the UI through
// `humanizeError`, which keeps our own messages and translates the browser's terse ones.

/** An error whose message is written for the person using the app. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

export function isAbort(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

export function humanizeError(e: unknown): string {
  if (isAbort(e)) return 'Analysis cancelled.';
  const msg = e instanceof Error ? e.message : String(e);
  if (/out of memory|allocation failed|RangeError: Array buffer/i.test(msg)) {
    return 'The browser ran out of memory for this file. Try a shorter clip, or close other tabs.';
  }
  if (/no available backend|failed to (fetch|load).*wasm|WebAssembly/i.test(msg)) {
    return `The inference runtime could not start in this browser (${msg}).`;
  }
  return msg || 'Something went wrong.';
}
