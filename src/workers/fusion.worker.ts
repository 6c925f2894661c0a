// Fusion worker: runs the fused SEM-MBT graph (public/models/fusion.onnx) on onnxruntime-web,
// WebGPU when available and WASM otherwise, and reports the backend that really ran.
import type { InferenceSession } from 'onnxruntime-web';
import { FUSION_OUTPUTS, type Backend, type FusionOutputs, type Tensor32 } from '../protocol';
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
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [name, t] of Object.entries(req.inputs) as [string, Tensor32][]) {
    feeds[name] = new ort.Tensor('float32', t.data, t.dims);
  }
  const started = performance.now();
  const out: InferenceSession.ReturnType = await session.run(feeds);
  const runMs = performance.now() - started;
  const outputs = {} as FusionOutputs;
  for (const name of FUSION_OUTPUTS) {
    const t = out[name];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`The fused model returned no float32 output ${name}.`);
    outputs[name] = { data: t.data, dims: [...t.dims] };
  }
  emit({ worker: 'fusion', id: req.id, status: 'complete', result: { outputs, backend: backend satisfies Backend, runMs } });
});
