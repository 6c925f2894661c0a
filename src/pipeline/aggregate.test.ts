import { describe, expect, it } from 'vitest';
import type { FusionOutputs } from '../protocol';
import { WindowAggregate } from './aggregate';

const M = 2;
const t = (values: number[], dims: number[]) => ({ data: Float32Array.from(values), dims });
function outputs(n: number, o: { fused: number[]; audio: number[]; visual: number[]; text?: number[]; alpha: number[]; seg?: number }): FusionOutputs {
  const seg = Array.from({ length: n * M }, (_, i) => (o.seg ?? 0) + i / 100);
  return {
    fused: t(o.fused, [1, M]), audio: t(o.audio, [1, M]), visual: t(o.visual, [1, M]), text: t(o.text ?? [0.5, 0.5], [1, M]),
    alpha: t(o.alpha, [1, 3]), audio_segments: t(seg, [1, n, M]), visual_segments: t(seg.map((v) => v + 0.5), [1, n, M]),
  };
}
const ones = (n: number) => new Float32Array(n).fill(1);

describe('WindowAggregate', () => {
  it('returns a single window\'s outputs bit for bit (short clips are unchanged)', () => {
    const o = outputs(5, { fused: [0.123456789, 0.9876], audio: [0.3, 0.7], visual: [0.11, 0.13], alpha: [0.2, 0.3, 0.5] });
    const a = new WindowAggregate(M);
    a.add(o, Float32Array.from([1, 0, 1, 1, 0]), Float32Array.from([0, 1, 1, 1, 1]));
    const r = a.outputs();
    for (const k of ['fused', 'audio', 'visual', 'text', 'alpha', 'audio_segments', 'visual_segments'] as const) {
      expect(r[k].data, k).toEqual(o[k].data);
      expect(r[k].dims, k).toEqual(o[k].dims);
    }
  });
  it('weights each modality by the segments where it is present and lays segments end to end', () => {
    const a = new WindowAggregate(M);
    a.add(outputs(3, { fused: [1, 0], audio: [1, 0], visual: [1, 0], alpha: [1, 0, 0] }), ones(3), Float32Array.from([1, 0, 0]));
    a.skip(2);
    a.add(outputs(1, { fused: [0, 1], audio: [0, 1], visual: [0, 1], alpha: [0, 1, 0], seg: 9 }), Float32Array.from([0]), ones(1));
    const r = a.outputs();
    expect(Array.from(r.fused.data)).toEqual([0.75, 0.25]);
    expect(Array.from(r.audio.data)).toEqual([1, 0]); // the second window heard nothing
    expect(Array.from(r.visual.data)).toEqual([0.5, 0.5]); // one face segment in each
    expect(Array.from(r.alpha.data)).toEqual([0.75, 0.25, 0]);
    expect(r.audio_segments.dims).toEqual([1, 6, M]);
    expect(r.audio_segments.data[5 * M]).toBeCloseTo(9, 6);
    expect(Array.from(r.audio_segments.data.subarray(3 * M, 5 * M))).toEqual([0, 0, 0, 0]);
    expect(a.runs).toBe(2);
  });
  it('averages the text decision over the windows that had words only (timed captions)', () => {
    const a = new WindowAggregate(M);
    a.add(outputs(32, { fused: [1, 0], audio: [1, 0], visual: [1, 0], text: [0.9, 0.1], alpha: [0.2, 0.3, 0.5] }), ones(32), ones(32), true);
    // Nobody speaks here: text masked, its graph text output is meaningless and must not count.
    a.add(outputs(16, { fused: [0, 1], audio: [0, 1], visual: [0, 1], text: [0.5, 0.5], alpha: [0.5, 0.5, 0] }), ones(16), ones(16), false);
    a.add(outputs(16, { fused: [0, 1], audio: [0, 1], visual: [0, 1], text: [0.1, 0.9], alpha: [0.2, 0.3, 0.5] }), ones(16), ones(16), true);
    const r = a.outputs();
    expect(r.text.data[0]).toBeCloseTo((32 * 0.9 + 16 * 0.1) / 48, 6);
    expect(r.fused.data[0]).toBeCloseTo(0.5, 6); // the fused decision still by all segments
    expect(r.alpha.data[2]).toBeCloseTo((48 * 0.5) / 64, 6);
  });
  it('refuses outputs that do not match the labels or the window', () => {
    const a = new WindowAggregate(3);
    expect(() => a.add(outputs(2, { fused: [1, 0], audio: [1, 0], visual: [1, 0], alpha: [1, 0, 0] }), ones(2), ones(2))).toThrow(/2 emotions/);
    const b = new WindowAggregate(M);
    expect(() => b.add(outputs(2, { fused: [1, 0], audio: [1, 0], visual: [1, 0], alpha: [1, 0, 0] }), ones(3), ones(3))).toThrow(/expected 3/);
  });
});

describe('an hour: 118 windows (3,750 segments)', () => {
  it('weights every window by its segments and lays all 3,750 segment decisions end to end', () => {
    const a = new WindowAggregate(M);
    let total = 0;
    for (let first = 0; first < 3750; first += 32) {
      const n = Math.min(32, 3750 - first);
      const w = first / 32;
      const p = (w % 2) as 0 | 1; // windows alternate between two decisions
      a.add(outputs(n, { fused: [p, 1 - p], audio: [p, 1 - p], visual: [p, 1 - p], alpha: [0.5, 0.5, 0], seg: w }), ones(n), ones(n));
      total += n;
    }
    expect(total).toBe(3750);
    const r = a.outputs();
    expect(a.runs).toBe(118);
    expect(r.audio_segments.dims).toEqual([1, 3750, M]);
    // The 59 odd windows (58 of 32 segments and the last, of 6: 1,862) say [1, 0]; the 59 even ones (1,888) [0, 1].
    expect(r.fused.data[0]).toBeCloseTo(1862 / 3750, 6);
    expect(r.alpha.data[0]).toBeCloseTo(0.5, 6);
    expect(r.audio_segments.data[3749 * M]).toBeCloseTo(117 + (5 * M) / 100, 4); // the last window's 6th segment
  });
});
