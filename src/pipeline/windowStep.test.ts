import { describe, expect, it } from 'vitest';
import manifestJson from '../../public/models/manifest.json';
import { parseManifest } from '../inference/manifest';
import type { FaceBox, FusionInputs, FusionOutputs, FusionResult, Tensor32 } from '../protocol';
import type { WorkerCalls } from '../workers/calls';
import { runWindow, type FusionGraph } from '../workers/fusionRun';
import { WindowAggregate } from './aggregate';
import { buildResult } from './result';
import { anyModality, fusionInputs, SEARCH_ALL_VIEWS, trackFrom, WindowStep, type WindowFeatures } from './windowStep';

const manifest = parseManifest(manifestJson);
const M = manifest.labels.length;
const t = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });

/**
 * A fake fused graph whose voice and face decisions, like the real SEMs, follow the transcript
 * whenever text_mask is 1: each probability is the segment's mean log-mel (or face) value plus
 * the transcript's first value. So the voice column is "its own" only if it comes from a run
 * with the transcript masked. The worker call runs it as the fusion worker does (fusionRun.ts:
 * one request, the text-masked run inside it); `runs` are the graph's runs, `requests` the page's.
 */
function fakeGraph() {
  const runs: FusionInputs[] = [];
  const requests: FusionInputs[] = [];
  const graph: FusionGraph<Tensor32> = {
    tensor: (data, dims) => t(data, [...dims]),
    run: async (inputs) => {
      runs.push(structuredClone(inputs)); // as the graph saw them
      const T = inputs.audio_mask.dims[1]!;
      const text = (inputs.text_mask.data[0] ?? 0) > 0 ? inputs.text_cls.data[0] ?? 0 : 0;
      const patch = inputs.log_mel.data.length / T;
      const face = inputs.faces.data.length / T;
      const mean = (d: Float32Array, k: number, n: number) => d.subarray(k * n, (k + 1) * n).reduce((a, v) => a + v, 0) / n;
      const rows = (d: Float32Array, n: number) => Float32Array.from({ length: T * M }, (_, i) => mean(d, Math.floor(i / M), n) + text + (i % M) / 100);
      const audioSegments = rows(inputs.log_mel.data, patch);
      const visualSegments = rows(inputs.faces.data, face);
      const clip = (seg: Float32Array) => Float32Array.from({ length: M }, (_, k) => seg[k] ?? 0);
      const outputs: FusionOutputs = {
        fused: t(Float32Array.from({ length: M }, (_, k) => 0.1 + text + k / 100), [1, M]),
        audio: t(clip(audioSegments), [1, M]), visual: t(clip(visualSegments), [1, M]),
        text: t(Float32Array.from({ length: M }, () => text), [1, M]),
        alpha: t(new Float32Array(text ? [0.2, 0.3, 0.5] : [0.4, 0.6, 0]), [1, 3]),
        audio_segments: t(audioSegments, [1, T, M]), visual_segments: t(visualSegments, [1, T, M]),
      };
      return outputs;
    },
  };
  const runFusion = async (inputs: FusionInputs): Promise<FusionResult> => {
    requests.push(inputs);
    // The worker gets the buffers: detach them on the page as a real transfer would.
    const sent = structuredClone(inputs, { transfer: [inputs.log_mel.data.buffer, inputs.faces.data.buffer] });
    return { ...(await runWindow(graph, sent)), backend: 'wasm' };
  };
  const calls: WorkerCalls = {
    logMel: () => Promise.reject(new Error('not used')),
    detectFaces: () => Promise.reject(new Error('not used')),
    encodeText: async (text) => ({ cls: Float32Array.from({ length: manifest.text.dim }, () => text.length / 10), tokens: 3 }),
    runFusion,
  };
  return { runs, requests, calls, step: new WindowStep(manifest, calls) };
}

function features(step: WindowStep, T: number): WindowFeatures {
  return {
    logMel: Float32Array.from({ length: T * step.patchSize }, (_, i) => (Math.floor(i / step.patchSize) + 1) / 10),
    faces: Float32Array.from({ length: T * step.faceSize }, (_, i) => (Math.floor(i / step.faceSize) % 2) / 4),
    audioMask: Float32Array.from({ length: T }, () => 1),
    visualMask: Float32Array.from({ length: T }, (_, k) => (k % 3 ? 1 : 0)),
  };
}

/** The window step on one window, to the result object, as the engine does it. */
async function analyseWindow(transcript: string | null) {
  const { step, runs, requests } = fakeGraph();
  const cls = transcript === null ? null : (await step.text(transcript)).cls;
  const f = features(step, 4);
  const fused = await step.fuse(fusionInputs(step.shape, f, cls));
  const aggregate = new WindowAggregate(M);
  aggregate.add(fused.outputs, f.audioMask, f.visualMask);
  const result = buildResult({
    file: 'x.mp4', labels: manifest.labels, segmentSeconds: step.time.segmentSeconds, outputs: aggregate.outputs(),
    audioMask: f.audioMask, visualMask: f.visualMask, textPresent: cls !== null, faceBoxes: [], backend: fused.backend, timings: {},
  });
  return { result, runs, requests, fused };
}

describe('WindowStep.fuse: each modality’s own decision is its own (issue 13, item 5)', () => {
  it('runs the graph once without a transcript: text is already masked', async () => {
    const { runs, requests, fused, result } = await analyseWindow(null);
    expect(requests).toHaveLength(1);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.text_mask.data[0]).toBe(0);
    expect(fused.textMaskedRunMs).toBeNull();
    expect(result.modality_basis).toBe('text_masked');
  });

  it('with a transcript, runs it again with text_mask = 0 on the same features', async () => {
    const { runs, requests, fused } = await analyseWindow('I am so happy today');
    expect(requests).toHaveLength(1); // one worker request per window: the second run is the worker's
    expect(runs).toHaveLength(2);
    const [full, masked] = runs as [FusionInputs, FusionInputs];
    expect(full.text_mask.data[0]).toBe(1);
    expect(masked.text_mask.data[0]).toBe(0);
    expect(masked.text_cls.data.every((v) => v === 0)).toBe(true);
    expect(masked.log_mel.data.length).toBe(4 * 96 * 64);
    expect(masked.log_mel.data).toEqual(full.log_mel.data);
    expect(masked.faces.data).toEqual(full.faces.data);
    expect(masked.audio_mask.data).toEqual(full.audio_mask.data);
    expect(masked.visual_mask.data).toEqual(full.visual_mask.data);
    expect(fused.textMaskedRunMs).toBeGreaterThanOrEqual(0);
  });

  it('the voice and face columns do not move when only the transcript changes; fused, α and text do', async () => {
    const none = (await analyseWindow(null)).result;
    const happy = (await analyseWindow('I am so happy today')).result;
    const angry = (await analyseWindow('No!')).result;
    for (const r of [happy, angry]) {
      expect(r.modalities.audio).toEqual(none.modalities.audio);
      expect(r.modalities.visual).toEqual(none.modalities.visual);
      expect(r.segments.map((s) => s.audio)).toEqual(none.segments.map((s) => s.audio));
      expect(r.segments.map((s) => s.visual)).toEqual(none.segments.map((s) => s.visual));
      expect(r.modality_basis).toBe('text_masked');
    }
    // The fused decision, α and the text decision come from the full run, so the words count there.
    expect(happy.fused).not.toEqual(angry.fused);
    expect(happy.fused).not.toEqual(none.fused);
    expect(happy.attention.text).toBeGreaterThan(0);
    expect(happy.modalities.text).not.toEqual(angry.modalities.text);
    expect(none.modalities.text).toBeNull();
  });
});

describe('window step helpers', () => {
  it('lays out a window as the graph’s inputs, text masked without a transcript', () => {
    const { step } = fakeGraph();
    const f = features(step, 3);
    const inputs = fusionInputs(step.shape, f, null);
    expect(inputs.log_mel.dims).toEqual([1, 3, 96, 64]);
    expect(inputs.faces.dims).toEqual([1, 3, step.shape.channels, step.shape.cropSize, step.shape.cropSize]);
    expect(inputs.text_mask.data[0]).toBe(0);
    expect(inputs.text_cls.dims).toEqual([1, manifest.text.dim]);
    expect(inputs.audio_mask.data).not.toBe(f.audioMask); // a copy: the caller keeps its mask
  });
  it('runs the graph only when some modality is present', () => {
    const none = { audioMask: new Float32Array(2), visualMask: new Float32Array(2) };
    expect(anyModality(none, false)).toBe(false);
    expect(anyModality(none, true)).toBe(true);
    expect(anyModality({ ...none, visualMask: new Float32Array([0, 1]) }, false)).toBe(true);
  });
  it('looks at faces at the segment centres of the time base', async () => {
    const times: number[][] = [];
    const { step, calls } = fakeGraph();
    const s = new WindowStep(manifest, {
      ...calls,
      detectFaces: async (_frames, t) => { times.push(t); return { crops: new Float32Array(0), visualMask: new Float32Array(0), boxes: [] }; },
    });
    await s.faces([], [0, 2]);
    expect(times[0]?.[0]).toBeCloseTo(0.5 * step.time.segmentSeconds, 12);
    expect(times[0]?.[1]).toBeCloseTo(2.5 * step.time.segmentSeconds, 12);
  });
  it('asks the face worker to track only when the search says so', async () => {
    const options: unknown[] = [];
    const { calls } = fakeGraph();
    const s = new WindowStep(manifest, {
      ...calls,
      detectFaces: async (_frames, _t, o) => { options.push(o); return { crops: new Float32Array(0), visualMask: new Float32Array(0), boxes: [] }; },
    });
    const box: FaceBox = [1, 2, 30, 40];
    await s.faces([], [0]);
    await s.faces([], [0], undefined, SEARCH_ALL_VIEWS);
    await s.faces([], [0], undefined, trackFrom(null));
    await s.faces([], [0], undefined, trackFrom(box));
    expect(options.map((o) => (o && typeof o === 'object' && 'track' in o ? (o as { track: unknown }).track : 'all views'))).toEqual(
      ['all views', 'all views', null, box],
    );
  });
});
