// onnxruntime-node side of `npm run bench`: times a graph on given inputs with a fixed number of
// intra-op threads, for the browser/native ratio (same graph file, same inputs as the browser).
import * as ort from 'onnxruntime-node';
import { timeSession } from './graphInputs.mjs';

const makeTensor = (spec) => new ort.Tensor(spec.type, spec.data, spec.dims);

/** {session_ms, runs_ms}: session creation, then `runs` timed runs after the same warm-up as the browser (timeSession). */
export async function timeNative(modelPath, inputs, { threads = 1, runs = 3 } = {}) {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', executionProviders: ['cpu'],
  });
  const session_ms = performance.now() - t0;
  try {
    const runs_ms = await timeSession(session, inputs, makeTensor, runs);
    return { session_ms, runs_ms };
  } finally {
    await session.release();
  }
}
