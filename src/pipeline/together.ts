// Loads that run side by side and stand or fall together (the models: fused graph, face detector,
// text encoder, voice-activity detector). The first failure stops the others (their signal aborts),
// and it is thrown only once every load has settled, so each has said how it ended — a download
// "not fetched" or "failed", never left "downloading" after the run has already failed.

/** Runs every load at once; resolves to their results in order, or rejects with the first failure once all have settled. */
export async function allOrNone<T extends readonly unknown[]>(
  signal: AbortSignal, loads: { readonly [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> },
): Promise<T> {
  const together = new AbortController();
  const follow = () => together.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  let failure: { error: unknown } | null = null;
  try {
    const settled = await Promise.allSettled((loads as readonly ((s: AbortSignal) => Promise<unknown>)[]).map(async (load) => {
      try {
        return await load(together.signal);
      } catch (e) {
        if (!failure) {
          failure = { error: e };
          together.abort(new DOMException('Stopped: another model failed to load.', 'AbortError'));
        }
        throw e;
      }
    }));
    if (failure) throw (failure as { error: unknown }).error;
    return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
  } finally {
    signal.removeEventListener('abort', follow);
  }
}
