// One window through the fused SEM-MBT graph, as the fusion worker does it for one `run` request:
// the full run, and with a transcript a second run with the text masked on the very same feature
// tensors (issue 13, item 5: each modality's own decision is its own). Both happen behind one
// request, so the page neither copies the window's features nor posts them twice: in Chromium (WASM,
// 1 thread, the 60 s bench clip with its transcript) the fusion stage beyond its two session.runs fell
// from about 9 ms a window (11-23 ms per clip, 4 runs) to about 1.5 (2-7 ms); the runs themselves are
// the same work.
//
// Why two runs and not one run of batch 2: the graph is exported with batch fixed at 1
// (docs/CONTRACTS.md), and on a copy with the batch axis freed, onnxruntime-web WASM in Node ran
// batch 2 no faster than two runs (T = 11: 632 vs 503 ms; T = 32: 1673 vs 1675 ms, 1 thread) and
// not bit-identically (T = 11: 1.2e-7 apart).
//
// Runtime-neutral (any onnxruntime's session and Tensor: web in the worker, node in the tests).
import { FUSION_OUTPUTS, type FusionInputs, type FusionOutputs, type Tensor32 } from '../protocol';

/** A tensor of whichever onnxruntime runs the graph. */
export interface GraphTensor { readonly data: unknown; readonly dims: readonly number[] }

/** The fused graph as this module needs it: make a float32 tensor, run the session. */
export interface FusionGraph<T extends GraphTensor> {
  tensor(data: Float32Array, dims: readonly number[]): T;
  run(feeds: Record<keyof FusionInputs, T>): Promise<Readonly<Record<string, T | undefined>>>;
}

/** What one `run` request answers, less the backend. */
export interface WindowRun {
  /** Fused, α and text from the full run; voice and face (clip and segments) from the text-masked run, if there was one. */
  outputs: FusionOutputs;
  /** session.run of the full run, ms. */
  runMs: number;
  /** session.run of the text-masked run, ms; null without a transcript (the one run already has text masked). */
  textMaskedRunMs: number | null;
}

/** An onnxruntime session and module (web or node; their Tensor and run have the same shape) as a FusionGraph. */
export function ortGraph<T extends GraphTensor>(
  session: { run(feeds: Record<string, T>): Promise<Readonly<Record<string, T>>> },
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => T,
): FusionGraph<T> {
  return { tensor: (data, dims) => new Tensor('float32', data, dims), run: (feeds) => session.run(feeds) };
}

/** The fused decision, α and text from the full run; voice and face (clip and segments) from the text-masked one. */
export function ownDecisions(full: FusionOutputs, textMasked: FusionOutputs): FusionOutputs {
  return {
    ...full,
    audio: textMasked.audio, visual: textMasked.visual,
    audio_segments: textMasked.audio_segments, visual_segments: textMasked.visual_segments,
  };
}

/** The graph's outputs as the protocol's tensors; a missing or non-float32 output is an error naming it. */
function readOutputs<T extends GraphTensor>(out: Readonly<Record<string, T | undefined>>): FusionOutputs {
  const outputs = {} as FusionOutputs;
  for (const name of FUSION_OUTPUTS) {
    const t = out[name];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`The fused model returned no float32 output ${name}.`);
    outputs[name] = { data: t.data, dims: [...t.dims] } satisfies Tensor32;
  }
  return outputs;
}

/** One window's inputs through the graph: once without a transcript, twice with one (see the header). */
export async function runWindow<T extends GraphTensor>(graph: FusionGraph<T>, inputs: FusionInputs): Promise<WindowRun> {
  const feed = (t: Tensor32) => graph.tensor(t.data, t.dims);
  const feeds: Record<keyof FusionInputs, T> = {
    log_mel: feed(inputs.log_mel), faces: feed(inputs.faces), text_cls: feed(inputs.text_cls),
    audio_mask: feed(inputs.audio_mask), visual_mask: feed(inputs.visual_mask), text_mask: feed(inputs.text_mask),
  };
  const timed = async (f: Record<keyof FusionInputs, T>) => {
    const started = performance.now();
    const out = await graph.run(f);
    return { outputs: readOutputs(out), ms: performance.now() - started };
  };
  const full = await timed(feeds);
  if (!((inputs.text_mask.data[0] ?? 0) > 0)) return { outputs: full.outputs, runMs: full.ms, textMaskedRunMs: null };
  // The same feature tensors (onnxruntime never writes its inputs); only the words go.
  const masked = await timed({
    ...feeds,
    text_cls: graph.tensor(new Float32Array(inputs.text_cls.data.length), inputs.text_cls.dims),
    text_mask: graph.tensor(new Float32Array(inputs.text_mask.data.length), inputs.text_mask.dims),
  });
  return { outputs: ownDecisions(full.outputs, masked.outputs), runMs: full.ms, textMaskedRunMs: masked.ms };
}
