// WorkerClient: cancelling terminates the worker, and the generation says its models are gone, so
// the engine reloads them before the next run (a run after Cancel once failed with "not loaded").
import { describe, expect, it } from 'vitest';
import { transferList, WorkerClient } from './client';

/** A stand-in Worker that never answers: enough to see termination and generations. */
class SilentWorker {
  terminated = false;
  addEventListener() {}
  postMessage() {}
  terminate() { this.terminated = true; }
}

describe('WorkerClient', () => {
  it('a cancelled request terminates the worker and bumps the generation, so loaded models count as gone', async () => {
    const made: SilentWorker[] = [];
    const client = new WorkerClient('fusion', () => { const w = new SilentWorker(); made.push(w); return w as unknown as Worker; });
    const controller = new AbortController();
    const run = client.request({ worker: 'fusion', type: 'run', inputs: {} as never }, { signal: controller.signal });
    const loadedAt = client.generation;
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(made[0]?.terminated).toBe(true);
    expect(client.generation).not.toBe(loadedAt);
    // The next request starts a fresh worker, in yet another generation.
    void client.request({ worker: 'fusion', type: 'run', inputs: {} as never }).catch(() => undefined);
    expect(made).toHaveLength(2);
    expect(client.generation).not.toBe(loadedAt);
    client.terminate();
  });
  it('terminating with no worker running changes nothing', () => {
    const client = new WorkerClient('face', () => new SilentWorker() as unknown as Worker);
    client.terminate();
    expect(client.generation).toBe(0);
  });
});

/** A stand-in Worker that answers each request with `reply(request)` and records what was transferred. */
class AnsweringWorker {
  private listener: ((e: MessageEvent<unknown>) => void) | null = null;
  transferred: Transferable[][] = [];
  constructor(private readonly reply: (req: { id: number }) => unknown) {}
  addEventListener(type: string, fn: (e: MessageEvent<unknown>) => void) { if (type === 'message') this.listener = fn; }
  postMessage(req: { id: number }, transfer: Transferable[]) {
    this.transferred.push(transfer);
    queueMicrotask(() => this.listener?.({ data: this.reply(req) } as MessageEvent<unknown>));
  }
  terminate() {}
}

describe('typed calls', () => {
  it('compute resolves to the typed result and transfers the request\'s buffers', async () => {
    const w = new AnsweringWorker((req) => ({
      worker: 'audio', id: req.id, status: 'complete',
      result: { logMel: new Float32Array(6144), segmentCount: 1, audioMask: new Float32Array([1]) },
    }));
    const client = new WorkerClient('audio', () => w as unknown as Worker);
    const pcm = new Float32Array(16);
    const r = await client.compute({ worker: 'audio', type: 'logmel', pcm, params: {} as never });
    expect(r.segmentCount).toBe(1);
    expect(w.transferred[0]).toEqual([pcm.buffer]);
  });
  it('a worker error rejects with a WorkerError naming the worker; a load answered without ready is refused', async () => {
    const failing = new WorkerClient('text', () => new AnsweringWorker((req) => ({ worker: 'text', id: req.id, status: 'error', message: 'no model' })) as unknown as Worker);
    await expect(failing.compute({ worker: 'text', type: 'encode', text: 'hi' })).rejects.toMatchObject({ name: 'WorkerError', worker: 'text', message: 'no model' });
    const odd = new WorkerClient('text', () => new AnsweringWorker((req) => ({ worker: 'text', id: req.id, status: 'complete', result: { cls: new Float32Array(2), tokens: 2 } })) as unknown as Worker);
    await expect(odd.load({ worker: 'text', type: 'load', params: {} as never, assetBase: '', modelsBase: '', files: [], backend: 'wasm' }))
      .rejects.toMatchObject({ name: 'WorkerReplyError' });
  });
  it('transferList: frames, fused-graph inputs and model bytes are handed over; text is not', () => {
    const frame = { data: new Uint8ClampedArray(4), width: 1, height: 1 };
    expect(transferList({ worker: 'face', type: 'detect', frames: [frame], times: [0.48] })).toEqual([frame.data.buffer]);
    const model = new ArrayBuffer(8);
    expect(transferList({ worker: 'face', type: 'load', model, params: {} as never, assetBase: '', backend: 'auto' })).toEqual([model]);
    expect(transferList({ worker: 'face', type: 'load', model: null, params: {} as never, assetBase: '', backend: 'auto' })).toEqual([]);
    expect(transferList({ worker: 'text', type: 'encode', text: 'x' })).toEqual([]);
  });
});
