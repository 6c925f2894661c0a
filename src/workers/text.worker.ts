// Text worker: the transcript's sentence meaning as the BERT class token I_t
// (last_hidden_state[:, 0, :], docs/CONTRACTS.md "Text"), with transformers.js loading the
// encoder and tokenizer from our own /models/text/ (remote models disabled, files verified).
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import { configureTransformers } from '../features/text/transformersEnv';
import { textEncoderFile } from '../features/text/encoderFile';
import { requestAdapter } from '../inference/backend';
import { loadOrt } from '../inference/session';
import type { Backend, TextParams } from '../protocol';
import { serve } from './scope';

/** The onnxruntime build transformers.js was first imported with: a worker keeps it, so a later load asks no other device of it. */
let ortBuild: 'wasm' | 'webgpu' | null = null;
const useOrtBuild = (device: 'wasm' | 'webgpu') => (ortBuild ??= device);

let loaded: { tokenizer: PreTrainedTokenizer; model: PreTrainedModel; params: TextParams } | null = null;


serve('text', async (req, emit) => {
  if (req.type === 'load') {
    const modelFile = `${req.params.path}/${textEncoderFile(req.params.dtype)}`;
    if (!req.files.some((f) => f.path === modelFile)) {
      loaded = null;
      emit({ worker: 'text', id: req.id, status: 'ready', available: false, backend: null, detail: 'no text encoder is installed.' });
      return;
    }
    emit({ worker: 'text', id: req.id, status: 'initiate', task: 'text encoder' });
    const files = req.files.filter((f) => f.path.startsWith(`${req.params.path}/`));
    // The text encoder is small; WASM avoids a second WebGPU device next to the fusion worker's.
    const adapter = req.backend === 'wasm' ? null : await requestAdapter();
    const device = useOrtBuild(adapter && !adapter.description.isFallbackAdapter && req.backend === 'webgpu' ? 'webgpu' : 'wasm');
    // On WASM, transformers.js gets the WASM-only onnxruntime build the other workers use (half the
    // wasm bytes of its default WebGPU build, and sessions made faster); it takes a build handed
    // to it under Symbol.for('onnxruntime') when it is first imported.
    if (device === 'wasm') (globalThis as Record<symbol, unknown>)[Symbol.for('onnxruntime')] ??= await loadOrt('wasm', req.assetBase);
    const { AutoModel, AutoTokenizer } = await configureTransformers(req.assetBase, req.modelsBase, files, (path, l, t) =>
      emit({ worker: 'text', id: req.id, status: 'progress', task: `download ${path}`, progress: t ? Math.min(1, l / t) : 0 }));
    const tokenizer = await AutoTokenizer.from_pretrained(req.params.path);
    // With a build handed in, transformers.js lists no devices of its own: 'auto' asks for none and
    // the execution providers are named here.
    const model = ortBuild === 'wasm'
      ? await AutoModel.from_pretrained(req.params.path, { dtype: req.params.dtype, device: 'auto', session_options: { executionProviders: ['wasm'] } })
      : await AutoModel.from_pretrained(req.params.path, { dtype: req.params.dtype, device });
    loaded = { tokenizer, model, params: req.params };
    const backend: Backend = device === 'webgpu' ? 'webgpu' : 'wasm';
    emit({ worker: 'text', id: req.id, status: 'ready', available: true, backend, detail: '' });
    return;
  }
  if (!loaded) throw new Error('The text encoder is not loaded.');
  const { tokenizer, model, params } = loaded;
  emit({ worker: 'text', id: req.id, status: 'initiate', task: 'encode' });
  const inputs = tokenizer(req.text, { truncation: true, max_length: params.max_length });
  const output = await model(inputs);
  const hidden = output.last_hidden_state as { data: Float32Array; dims: number[] } | undefined;
  if (!hidden || hidden.dims.length !== 3) throw new Error('The text encoder returned no last_hidden_state.');
  const dim = hidden.dims[2] ?? 0;
  if (dim !== params.dim) throw new Error(`The text encoder gives ${dim}-d vectors; the manifest expects ${params.dim}.`);
  const cls = Float32Array.from(hidden.data.subarray(0, dim)); // token 0 = [CLS]
  const tokens = hidden.dims[1] ?? 0;
  // How many word pieces truncation dropped, so the page can say the transcript was cut.
  const whole = (tokenizer(req.text) as { input_ids: { dims: number[] } }).input_ids.dims.at(-1) ?? tokens;
  emit({ worker: 'text', id: req.id, status: 'complete', result: { cls, tokens, cut: Math.max(0, whole - tokens) } }, [cls.buffer]);
});
