// Fusion worker: runs the fused SEM-MBT graph (public/models/fusion.onnx) on onnxruntime-web,
// WebGPU when available and WASM otherwise, and reports the backend that really ran. Each `run`
// is one window: the full run and, with a transcript, the text-masked run (fusionRun.ts).
import { FUSION_OUTPUTS, type Backend } from '../protocol';
import { ortGraph, runWindow } from './fusionRun';
import { createSession, type CreatedSession } from '../inference/session';
import { serve } from './scope';

let loaded: CreatedSession | null = null;

serve('fusion', async (req, emit) => {
  if (req.type === 'load') {
    emit({ worker: 'fusion', id: req.id, status: 'initiate', task: `session ${req.modelName}` });
    loaded?.session.release().catch(() => undefined);
    loaded = null;
    loaded = await createSession(new Uint8Array(req.model), req.assetBase, req.backend);
    const missing = FUSION_OUTPUTS.filter((n) => !loaded?.session.outputNames.includes(n));
    if (missing.length) throw new Error(`The fused model lacks the outputs ${missing.join(', ')} (see docs/CONTRACTS.md).`);
    emit({
      worker: 'fusion', id: req.id, status: 'ready', available: true, backend: loaded.backend,
      detail: loaded.fallbackReason ? `Using WASM: ${loaded.fallbackReason}` : '',
    });
    return;
  }
  if (!loaded) throw new Error('The fused model is not loaded yet.');
  const { session, ort, backend } = loaded;
  emit({ worker: 'fusion', id: req.id, status: 'initiate', task: 'fusion' });
  // One request per window: the full run and, with a transcript, the text-masked run (fusionRun.ts).
  const run = await runWindow(ortGraph(session, ort.Tensor), req.inputs);
  emit({ worker: 'fusion', id: req.id, status: 'complete', result: { ...run, backend: backend satisfies Backend } });
});
