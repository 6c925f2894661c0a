// One model load shared by everyone who asks while it runs: the page's idle-time preload, a
// dropped file, live mode's Start. Each caller keeps its own reporter (every report of the load
// reaches all callers joined so far) and its own AbortSignal: a caller that cancels stops waiting
// at once, and the load itself stops only when every caller has cancelled, so cancelling one
// analysis never throws away models another caller is about to use.
import type { PipelineReporter } from '../pipeline/reporter';

/** What a model load reports (no face crops: those belong to one analysis). */
export type Reports = Omit<PipelineReporter, 'faceCrops'>;

/** Rejects with the signal's reason (an AbortError by default) once it aborts. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

export class SharedLoad<T> {
  private running: { promise: Promise<T>; reporters: Set<Reports>; callers: Set<AbortSignal>; controller: AbortController } | null = null;

  /** Whether a load is under way now (a new caller would join it). */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Joins the load under way, or starts one with `load` (its reporter reaches every caller, its
   * signal aborts when all callers have); resolves with its result, or rejects when `signal` aborts first.
   */
  run(report: Reports, signal: AbortSignal, load: (report: Reports, signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return whenAborted(signal);
    let r = this.running;
    if (!r) {
      const reporters = new Set<Reports>();
      const controller = new AbortController();
      const each = (fn: (x: Reports) => void) => { for (const x of reporters) fn(x); };
      const fanOut: Reports = {
        stage: (s, p) => each((x) => x.stage(s, p)),
        download: (path, p) => each((x) => x.download(path, p)),
        note: (t) => each((x) => x.note(t)),
        backend: (b, d) => each((x) => x.backend(b, d)),
      };
      const started = { promise: Promise.resolve() as unknown as Promise<T>, reporters, callers: new Set<AbortSignal>(), controller };
      started.promise = load(fanOut, controller.signal).finally(() => {
        if (this.running === started) this.running = null;
      });
      started.promise.catch(() => undefined);
      this.running = r = started;
    }
    const joined = r;
    joined.reporters.add(report);
    joined.callers.add(signal);
    const leave = () => {
      joined.reporters.delete(report);
      // The last caller gone: nobody waits for the models any more, so the load stops too.
      if ([...joined.callers].every((s) => s.aborted)) joined.controller.abort(signal.reason);
    };
    signal.addEventListener('abort', leave, { once: true });
    return Promise.race([joined.promise, whenAborted(signal)]).finally(() => {
      signal.removeEventListener('abort', leave);
      joined.reporters.delete(report);
    });
  }
}
