import { describe, expect, it } from 'vitest';
import { allOrNone, callerParts } from './together';

/** A load that resolves after `ms` unless its signal aborts first (then it says it was stopped). */
const slow = (ms: number, ended: string[], name: string) => (signal: AbortSignal) => new Promise<string>((res, rej) => {
  const t = setTimeout(() => { ended.push(`${name} done`); res(name); }, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); ended.push(`${name} stopped`); rej(new DOMException('stopped', 'AbortError')); }, { once: true });
});

describe('allOrNone', () => {
  it('resolves to every result in order', async () => {
    const ended: string[] = [];
    await expect(allOrNone<[string, string]>(new AbortController().signal, [slow(5, ended, 'a'), slow(1, ended, 'b')])).resolves.toEqual(['a', 'b']);
  });
  it('a failure stops the other loads, and is thrown only after they have ended', async () => {
    const ended: string[] = [];
    const refused = new Error('the graph was trained for 6 emotions');
    const run = allOrNone<[string, never]>(new AbortController().signal, [
      slow(10_000, ended, 'face'),
      () => new Promise<never>((_, rej) => setTimeout(() => rej(refused), 5)),
    ]);
    await expect(run).rejects.toBe(refused);
    expect(ended).toEqual(['face stopped']);
  });
  it('the caller cancelling stops every load and rejects with an abort', async () => {
    const ended: string[] = [];
    const cancel = new AbortController();
    const run = allOrNone<[string, string]>(cancel.signal, [slow(10_000, ended, 'a'), slow(10_000, ended, 'b')]);
    cancel.abort(new DOMException('Cancelled', 'AbortError'));
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(ended.sort()).toEqual(['a stopped', 'b stopped']);
  });
});

describe('callerParts (issue 16: each stage waits for its own model)', () => {
  function later<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => undefined);
    return { promise, resolve, reject };
  }

  it('a part resolves as soon as its own model is ready, before the whole load', async () => {
    const [a, b, all] = [later<string>(), later<string>(), later<void>()];
    const parts = callerParts({ a: a.promise, b: b.promise }, all.promise);
    a.resolve('A');
    await expect(parts.a).resolves.toBe('A');
    b.resolve('B');
    all.resolve();
    await expect(parts.b).resolves.toBe('B');
  });

  it('a failed part rejects with the whole load’s failure, only once the load has settled', async () => {
    const [a, b, all] = [later<string>(), later<string>(), later<void>()];
    const parts = callerParts({ a: a.promise, b: b.promise }, all.promise);
    const own = new Error('a failed');
    a.reject(own);
    let settled = false;
    void parts.a.catch(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false); // the others are still ending
    const whole = new Error('the models failed');
    all.reject(whole);
    await expect(parts.a).rejects.toBe(whole);
    await expect(parts.b).rejects.toBe(whole); // b, stopped by a's failure, says the same
  });

  it('a caller’s cancel (its `all` rejecting) ends a part still loading at once', async () => {
    const [a, all] = [later<string>(), later<void>()];
    const parts = callerParts({ a: a.promise }, all.promise);
    const cancel = new DOMException('Cancelled', 'AbortError');
    all.reject(cancel);
    await expect(parts.a).rejects.toBe(cancel);
  });
});
