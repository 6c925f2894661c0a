import { describe, expect, it, vi } from 'vitest';
import { SharedLoad, type Reports } from './sharedLoad';

const reporter = (): Reports & { stages: string[] } => {
  const stages: string[] = [];
  return { stages, stage: (_s, p) => { stages.push(String(p.detail)); }, download: vi.fn(), note: vi.fn(), backend: vi.fn() };
};

/** A load that reports `detail` and resolves when `finish` is called (or rejects when its signal aborts). */
function controllable() {
  let finish: (v: string) => void = () => undefined;
  const seen: AbortSignal[] = [];
  const load = vi.fn((report: Reports, signal: AbortSignal) => new Promise<string>((resolve, reject) => {
    seen.push(signal);
    signal.addEventListener('abort', () => reject(new Error('load aborted')));
    finish = (v) => { report.stage('models', { detail: 'done' }); resolve(v); };
  }));
  return { load, seen, finish: (v: string) => finish(v) };
}

describe('SharedLoad', () => {
  it('runs one load for callers that overlap; every caller gets its reports and result', async () => {
    const shared = new SharedLoad<string>();
    const c = controllable();
    const a = reporter();
    const b = reporter();
    const pa = shared.run(a, new AbortController().signal, c.load);
    expect(shared.busy).toBe(true);
    const pb = shared.run(b, new AbortController().signal, c.load);
    c.finish('models');
    await expect(Promise.all([pa, pb])).resolves.toEqual(['models', 'models']);
    expect(c.load).toHaveBeenCalledTimes(1);
    expect(a.stages).toEqual(['done']);
    expect(b.stages).toEqual(['done']);
    expect(shared.busy).toBe(false);
    // After it settled, a new call loads again (the engine decides whether anything is left to do).
    const pc = shared.run(reporter(), new AbortController().signal, c.load);
    c.finish('again');
    await expect(pc).resolves.toBe('again');
    expect(c.load).toHaveBeenCalledTimes(2);
  });

  it('a caller that cancels stops waiting; the load goes on for the others, and stops when all cancelled', async () => {
    const shared = new SharedLoad<string>();
    const c = controllable();
    const first = new AbortController();
    const second = new AbortController();
    const a = reporter();
    const pa = shared.run(a, first.signal, c.load);
    const pb = shared.run(reporter(), second.signal, c.load);
    first.abort();
    await expect(pa).rejects.toMatchObject({ name: 'AbortError' });
    expect(c.seen[0]?.aborted).toBe(false);
    c.finish('models');
    await expect(pb).resolves.toBe('models');
    expect(a.stages).toEqual([]); // a caller that left hears nothing more

    const d = controllable();
    const only = new AbortController();
    const pd = shared.run(reporter(), only.signal, d.load);
    only.abort();
    await expect(pd).rejects.toMatchObject({ name: 'AbortError' });
    expect(d.seen[0]?.aborted).toBe(true);
  });

  it('an already cancelled caller starts nothing; a failed load rejects every caller and the next call retries', async () => {
    const shared = new SharedLoad<string>();
    const c = controllable();
    const gone = new AbortController();
    gone.abort();
    await expect(shared.run(reporter(), gone.signal, c.load)).rejects.toMatchObject({ name: 'AbortError' });
    expect(c.load).not.toHaveBeenCalled();
    const failing = vi.fn(async () => { throw new Error('no model'); });
    const p1 = shared.run(reporter(), new AbortController().signal, failing);
    const p2 = shared.run(reporter(), new AbortController().signal, failing);
    await expect(p1).rejects.toThrow('no model');
    await expect(p2).rejects.toThrow('no model');
    expect(failing).toHaveBeenCalledTimes(1);
    await expect(shared.run(reporter(), new AbortController().signal, async () => 'ok')).resolves.toBe('ok');
  });
});
