import { describe, expect, it } from 'vitest';
import { FUSION_OUTPUTS, type FusionOutputs } from '../protocol';
import { buildResult } from './result';

function outputs(t: number, m: number): FusionOutputs {
  const fill = (dims: number[], f: (i: number) => number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    return { data: Float32Array.from({ length: n }, (_, i) => f(i)), dims };
  };
  const o = Object.fromEntries(FUSION_OUTPUTS.map((k) => [k, fill([1, m], (i) => i / 10)])) as FusionOutputs;
  o.alpha = { data: new Float32Array([1, 0, 0]), dims: [1, 3] };
  o.audio_segments = fill([1, t, m], (i) => i / 100);
  o.visual_segments = fill([1, t, m], () => 0.5);
  return o;
}

describe('buildResult', () => {
  const labels = ['a', 'b'];
  const base = {
    file: 'clip.mp4', labels, segmentSeconds: 0.96, textPresent: false, backend: 'wasm' as const,
    timings: { decode: 12.4, fusion: 3.6 },
  };
  it('follows the contract: missing modalities are null, segments carry per-segment decisions', () => {
    const r = buildResult({
      ...base, outputs: outputs(3, 2), audioMask: new Float32Array([1, 0, 1]), visualMask: new Float32Array(3),
      faceBoxes: [null, null, null],
    });
    expect(r.fused).toHaveLength(2);
    expect(r.modalities.audio).not.toBeNull();
    expect(r.modalities.visual).toBeNull();
    expect(r.modalities.text).toBeNull();
    expect(r.attention).toEqual({ audio: 1, visual: 0, text: 0 });
    expect(r.segments).toHaveLength(3);
    expect(r.segments[1]).toEqual({ start: 0.96, end: 1.92, audio: null, visual: null, face: false, face_box: null });
    expect(r.segments[2]?.audio?.[0]).toBeCloseTo(0.04, 6);
    expect(r.timings_ms).toEqual({ decode: 12, fusion: 4 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
  it('refuses a model whose label count differs from the manifest', () => {
    expect(() => buildResult({
      ...base, labels: ['a', 'b', 'c'], outputs: outputs(1, 2), audioMask: new Float32Array([1]), visualMask: new Float32Array(1), faceBoxes: [null],
    })).toThrow(/predicts 2 emotions but the manifest lists 3/);
  });
});
