// The fusion worker's one-request window (fusionRun.ts) gives exactly what the page's two requests
// gave before (issue 13 item 5: a full run, then a second run on copies of the features with the
// words masked, voice and face taken from the second), on the shipped fusion.onnx with
// onnxruntime-node, at the live window's T and a file window's T.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../inference/manifest';
import { FUSION_OUTPUTS, type FusionInputs, type FusionOutputs, type Tensor32 } from '../protocol';
import { ortGraph, runWindow } from './fusionRun';

let manifest: Manifest;
let session: ort.InferenceSession;
// Four runs of the graph at T = 32 take seconds on a loaded 2-core machine; this is not a timing test.
const GRAPH_TEST_MS = 60_000;

beforeAll(async () => {
  manifest = parseManifest(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')));
  session = await ort.InferenceSession.create(`public/models/${manifest.fusion.path}`);
});

/** A window's inputs: plausible values, some segments without a voice or a face; `text` null = no transcript. */
function windowInputs(T: number, text: number | null): FusionInputs {
  const { audio, face } = manifest;
  const c = face.crop;
  const wave = (n: number, scale: number, offset: number, phase: number) =>
    Float32Array.from({ length: n }, (_, i) => offset + scale * Math.sin(i * 12.9898 + phase));
  const t = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });
  return {
    log_mel: t(wave(T * audio.patch_frames * audio.mel_bins, 3, -5, 0.3), [1, T, audio.patch_frames, audio.mel_bins]),
    faces: t(wave(T * c.channels * c.size * c.size, 0.5, 0.5, 1.7), [1, T, c.channels, c.size, c.size]),
    text_cls: t(text === null ? new Float32Array(manifest.text.dim) : wave(manifest.text.dim, 0.5, 0, text), [1, manifest.text.dim]),
    audio_mask: t(Float32Array.from({ length: T }, (_, k) => (k % 5 === 4 ? 0 : 1)), [1, T]),
    visual_mask: t(Float32Array.from({ length: T }, (_, k) => (k % 3 === 0 ? 0 : 1)), [1, T]),
    text_mask: t(new Float32Array([text === null ? 0 : 1]), [1, 1]),
  };
}

const copy = (x: FusionInputs): FusionInputs =>
  Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { data: v.data.slice(), dims: [...v.dims] }])) as FusionInputs;

/** One session.run on inputs of its own (as one worker request was before). */
async function runOnce(inputs: FusionInputs): Promise<FusionOutputs> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const out = await session.run(feeds);
  return Object.fromEntries(FUSION_OUTPUTS.map((n) => [n, { data: out[n]!.data as Float32Array, dims: [...out[n]!.dims] }])) as FusionOutputs;
}

/** The page's two requests as they were: the full run, then copies with text_cls zeros and text_mask 0. */
async function twoRequests(inputs: FusionInputs): Promise<FusionOutputs> {
  const masked = copy(inputs);
  masked.text_cls = { data: new Float32Array(inputs.text_cls.data.length), dims: [...inputs.text_cls.dims] };
  masked.text_mask = { data: new Float32Array([0]), dims: [1, 1] };
  const full = await runOnce(copy(inputs));
  const own = await runOnce(masked);
  return { ...full, audio: own.audio, visual: own.visual, audio_segments: own.audio_segments, visual_segments: own.visual_segments };
}

describe('runWindow on the shipped fused graph (one request, both runs)', () => {
  it.each([11, 32])('with a transcript, T = %i: identical to the two requests it replaces', async (T) => {
    const inputs = windowInputs(T, 0.9);
    const before = copy(inputs);
    const expected = await twoRequests(inputs);
    const got = await runWindow(ortGraph(session, ort.Tensor), inputs);
    for (const name of FUSION_OUTPUTS) {
      expect(got.outputs[name].dims, name).toEqual(expected[name].dims);
      expect(got.outputs[name].data, name).toEqual(expected[name].data);
    }
    expect(got.runMs).toBeGreaterThan(0);
    expect(got.textMaskedRunMs).toBeGreaterThan(0);
    // The worker's buffers are used by both runs: neither may change them.
    for (const k of Object.keys(before) as (keyof FusionInputs)[]) expect(inputs[k].data, k).toEqual(before[k].data);
  }, GRAPH_TEST_MS);

  it('the voice and face decisions differ from the full run’s (the words reach them through the SEMs)', async () => {
    const inputs = windowInputs(11, 0.9);
    const full = await runOnce(copy(inputs));
    const got = await runWindow(ortGraph(session, ort.Tensor), inputs);
    expect(got.outputs.fused.data).toEqual(full.fused.data);
    expect(got.outputs.alpha.data).toEqual(full.alpha.data);
    expect(got.outputs.text.data).toEqual(full.text.data);
    expect(got.outputs.audio_segments.data).not.toEqual(full.audio_segments.data);
  }, GRAPH_TEST_MS);

  it('without a transcript runs once, as one plain run', async () => {
    const inputs = windowInputs(11, null);
    const expected = await runOnce(copy(inputs));
    const got = await runWindow(ortGraph(session, ort.Tensor), inputs);
    expect(got.textMaskedRunMs).toBeNull();
    for (const name of FUSION_OUTPUTS) expect(got.outputs[name].data, name).toEqual(expected[name].data);
  }, GRAPH_TEST_MS);
});
