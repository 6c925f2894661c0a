// Page side of the worker protocol: one lazily created singleton per model worker, requests as
// promises that resolve on `ready`/`complete`, progress events forwarded, and cancellation that
// really stops work (the worker is terminated; the next request starts a fresh one).
import {
  isWorkerEvent, type CompleteFor, type ReadyEvent, type RequestFor, type TerminalEvent, type WorkerEvent, type WorkerName,
} from '../protocol';

// Vite needs the literal `new Worker(new URL(...))` form to bundle each worker.
const FACTORIES: Readonly<Record<WorkerName, () => Worker>> = Object.freeze({
  audio: () => new Worker(new URL('./audio.worker.ts', import.meta.url), { type: 'module', name: 'audio' }),
  face: () => new Worker(new URL('./face.worker.ts', import.meta.url), { type: 'module', name: 'face' }),
  text: () => new Worker(new URL('./text.worker.ts', import.meta.url), { type: 'module', name: 'text' }),
  fusion: () => new Worker(new URL('./fusion.worker.ts', import.meta.url), { type: 'module', name: 'fusion' }),
});

type Payload<W extends WorkerName> = RequestFor<W> extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** The one place that says which buffers each request hands over to its worker (they are detached on the page). */
export function transferList(payload: Payload<WorkerName>): Transferable[] {
  if (payload.type === 'load') return 'model' in payload && payload.model ? [payload.model] : [];
  switch (payload.type) {
    case 'logmel':
      return [payload.pcm.buffer];
    case 'detect':
      return payload.frames.map((f) => f.data.buffer);
    case 'run':
      return [payload.inputs.log_mel.data.buffer, payload.inputs.faces.data.buffer];
    default:
      return [];
  }
}

/** A worker's `error` event: its message, and which worker said it. */
export class WorkerError extends Error {
  constructor(readonly worker: WorkerName, message: string) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** A worker answered a request with something other than what the request resolves to. */
export class WorkerReplyError extends Error {
  constructor(readonly worker: WorkerName, readonly expected: 'ready' | 'complete') {
    super(`The ${worker} worker answered without ${expected === 'ready' ? 'reporting whether its model loaded' : 'a result'}.`);
    this.name = 'WorkerReplyError';
  }
}

interface Pending {
  resolve: (e: WorkerEvent) => void;
  reject: (e: Error) => void;
  onEvent?: (e: WorkerEvent) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  transfer?: Transferable[];
  onEvent?: (e: WorkerEvent) => void;
}

export class WorkerClient<W extends WorkerName> {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Bumped whenever the worker is replaced, so callers know loaded models are gone. */
  generation = 0;

  constructor(readonly name: W, private readonly factory: () => Worker) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.factory();
    w.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    w.addEventListener('error', (e) => this.crash(`The ${this.name} worker crashed${e.message ? `: ${e.message}` : ''}.`));
    w.addEventListener('messageerror', () => this.crash(`The ${this.name} worker sent a message that could not be read.`));
    this.worker = w;
    this.generation++;
    return w;
  }

  private onMessage(data: unknown) {
    if (!isWorkerEvent(data) || data.worker !== this.name) {
      this.crash(`The ${this.name} worker sent a malformed message.`);
      return;
    }
    const p = this.pending.get(data.id);
    if (!p) return;
    p.onEvent?.(data);
    if (data.status === 'ready' || data.status === 'complete') {
      this.pending.delete(data.id);
      p.resolve(data);
    } else if (data.status === 'error') {
      this.pending.delete(data.id);
      p.reject(new WorkerError(this.name, data.message));
    }
  }

  private crash(message: string) {
    const err = new Error(message);
    for (const p of this.pending.values()) p.reject(err);
    this.terminate();
  }

  /** Stops the worker at once; pending requests are rejected with AbortError. */
  terminate(reason: Error = new DOMException('Cancelled', 'AbortError')) {
    // Its models die with it: a new generation, so the engine loads them again before the next
    // request (else a run after Cancel asks a fresh worker with no model: "not loaded yet").
    if (this.worker) this.generation++;
    this.worker?.terminate();
    this.worker = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(reason);
  }

  /** Work (`logmel`, `detect`, `encode`, `run`): resolves to the typed result; its buffers are transferred. */
  async compute(payload: Payload<W>, opts: Omit<RequestOptions, 'transfer'> = {}): Promise<CompleteFor<W>['result']> {
    const e = await this.request(payload, { ...opts, transfer: transferList(payload as Payload<WorkerName>) });
    if (e.status !== 'complete') throw new WorkerReplyError(this.name, 'complete');
    return e.result as CompleteFor<W>['result'];
  }

  /** Loads a model: resolves to the `ready` event (available or not, and why); its buffers are transferred. */
  async load(payload: Payload<W>, opts: Omit<RequestOptions, 'transfer'> = {}): Promise<ReadyEvent & { worker: W }> {
    const e = await this.request(payload, { ...opts, transfer: transferList(payload as Payload<WorkerName>) });
    if (e.status !== 'ready') throw new WorkerReplyError(this.name, 'ready');
    return e as ReadyEvent & { worker: W };
  }

  request(payload: Payload<W>, opts: RequestOptions = {}): Promise<TerminalEvent<W>> {
    const { signal, transfer = [], onEvent } = opts;
    if (signal?.aborted) return Promise.reject(new DOMException('Cancelled', 'AbortError'));
    const worker = this.ensure();
    const id = this.nextId++;
    return new Promise<TerminalEvent<W>>((resolve, reject) => {
      const onAbort = () => this.terminate();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (e) => { done(); resolve(e as TerminalEvent<W>); },
        reject: (e) => { done(); reject(e); },
        onEvent,
      });
      worker.postMessage({ ...payload, id }, transfer);
    });
  }
}

const clients = new Map<WorkerName, WorkerClient<WorkerName>>();

/** The singleton client of a worker, created on first use. */
export function workerClient<W extends WorkerName>(name: W): WorkerClient<W> {
  let c = clients.get(name);
  if (!c) {
    c = new WorkerClient<W>(name, FACTORIES[name]) as unknown as WorkerClient<WorkerName>;
    clients.set(name, c);
  }
  return c as unknown as WorkerClient<W>;
}
