// Errors the user can act on. Anything thrown in the pipeline reaches the UI through
// `humanizeError`, which keeps our own messages and translates the browser's terse ones.
// A failure also says which stage it belongs to (`inStage`), so the page marks that step failed
// and the others stopped.
import type { Stage } from './stages';

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

/** Which stage an error came from; set where it is thrown or first caught, read where the run ends. */
const failedStages = new WeakMap<object, Stage>();

/** Marks `e` as the failure of `stage` (the first mark wins: the innermost code knows best) and returns it. */
export function failureOf<E>(e: E, stage: Stage): E {
  if (typeof e === 'object' && e !== null && !failedStages.has(e)) failedStages.set(e, stage);
  return e;
}

/** The stage `e` was marked with, or null. */
export function failedStage(e: unknown): Stage | null {
  return typeof e === 'object' && e !== null ? failedStages.get(e) ?? null : null;
}

/** `work`, whose failure (other than a cancel) is marked as `stage`'s. */
export async function inStage<T>(stage: Stage, work: Promise<T> | (() => Promise<T>)): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (e) {
    throw isAbort(e) ? e : failureOf(e, stage);
  }
}
