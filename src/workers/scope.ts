// Worker side of the protocol: validates each request with the shared guard, runs the handler,
// and turns any exception into an `error` event with a readable message (never a silent hang).
import { isRequestFor, type RequestFor, type WorkerEvent, type WorkerName } from '../protocol';

interface WorkerScope {
  postMessage(message: WorkerEvent, options?: StructuredSerializeOptions): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void;
}
const scope = self as unknown as WorkerScope;

/** Sends one event; `transfer` hands buffers over instead of copying them. */
export type Emit = (event: WorkerEvent, transfer?: Transferable[]) => void;

export function serve<W extends WorkerName>(worker: W, handle: (req: RequestFor<W>, emit: Emit) => Promise<void>): void {
  const emit: Emit = (event, transfer = []) => scope.postMessage(event, { transfer });
  let chain: Promise<void> = Promise.resolve(); // one request at a time, in order
  scope.addEventListener('message', (e) => {
    const req = e.data;
    if (!isRequestFor(worker, req)) {
      const id = typeof (req as { id?: unknown } | null)?.id === 'number' ? (req as { id: number }).id : 0;
      emit({ worker, id, status: 'error', message: `The ${worker} worker received a malformed request.` });
      return;
    }
    chain = chain.then(() => handle(req, emit)).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      emit({ worker, id: req.id, status: 'error', message: message || `The ${worker} worker failed.` });
    });
  });
}
