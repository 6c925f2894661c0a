// WorkerClient: cancelling terminates the worker, and the generation says its models are gone, so
// the engine reloads them before the next run (a run after Cancel once failed with "not loaded").
import { describe, expect, it } from 'vitest';
import { WorkerClient } from './client';

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
