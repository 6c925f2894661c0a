import { describe, expect, it } from 'vitest';
import { allOrNone } from './together';

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
