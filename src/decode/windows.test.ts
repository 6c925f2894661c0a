import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logMelPatches, type AudioParams } from '../features/audio/logmel';
import features from '../../training/configs/features.json';
import { segmentCentres, timeBase } from '../timebase';
import {
  chunked, frameChunkSize, MAX_FRAME_CHUNK, segmentsRead, WINDOW_SEGMENTS, windowSampleRange, windowsFor,
} from './windows';

const TB = timeBase(features.audio as AudioParams);
const S = 15360;

describe('windowsFor', () => {
  it('cuts a clip into consecutive windows of at most WINDOW_SEGMENTS that cover every segment once', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 64 }), (total, size) => {
      const ws = windowsFor(total, size);
      return ws.reduce((n, w) => n + w.count, 0) === total
        && ws.every((w, i) => w.first === i * size && w.count > 0 && w.count <= size);
    }));
    expect(windowsFor(3)).toEqual([{ first: 0, count: 3 }]);
    expect(windowsFor(70)).toEqual([{ first: 0, count: 32 }, { first: 32, count: 32 }, { first: 64, count: 6 }]);
    expect(WINDOW_SEGMENTS).toBe(32);
  });
  it('refuses nonsense', () => {
    expect(() => windowsFor(-1)).toThrow(RangeError);
    expect(() => windowsFor(3, 0)).toThrow(RangeError);
  });
});

describe('windowSampleRange and segmentsRead', () => {
  it('reads each window with the lookahead its last patch needs', () => {
    expect(windowSampleRange({ first: 0, count: 32 }, TB)).toEqual({ start: 0, length: 32 * S + 240 });
    expect(windowSampleRange({ first: 32, count: 5 }, TB)).toEqual({ start: 32 * S, length: 5 * S + 240 });
    expect(TB.lookahead).toBe(400 - 160);
    expect(TB.segmentSamples).toBe(S);
  });
  it('counts the segments a short read covers and says the audio ended', () => {
    const w = { first: 32, count: 32 };
    expect(segmentsRead(w, 32 * S + 240, TB)).toEqual({ count: 32, ended: false });
    // 100 samples past the window are the first samples of segment 33 (T = ceil(N / S)): the next
    // window reads them, so this one has not ended (it said ended, and the last segment was lost).
    expect(segmentsRead(w, 32 * S + 100, TB)).toEqual({ count: 32, ended: false });
    expect(segmentsRead(w, 3 * S + 1, TB)).toEqual({ count: 4, ended: true });
    expect(segmentsRead(w, 0, TB)).toEqual({ count: 0, ended: true });
    // T >= 1: a first window always has a segment, even for an empty signal.
    expect(segmentsRead({ first: 0, count: 32 }, 0, TB)).toEqual({ count: 1, ended: true });
  });
  it('takes a short read well before the stated duration for a gap, not the end (an hour: 3,750 segments)', () => {
    const w = { first: 32, count: 32 };
    expect(segmentsRead(w, 31 * S, TB, 3750)).toEqual({ count: 32, ended: false });
    // Near the duration's end, or nothing at all: the audio ended.
    expect(segmentsRead({ first: 3744, count: 32 }, 3 * S, TB, 3750)).toEqual({ count: 3, ended: true });
    expect(segmentsRead(w, 0, TB, 3750)).toEqual({ count: 0, ended: true });
    expect(segmentsRead(w, 31 * S, TB, 64)).toEqual({ count: 31, ended: true });
  });
  it('windows read this way give T = max(1, ceil(N / 15360)) for any length', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 * S }), (n) => {
      let total = 0;
      for (let first = 0; ; first += WINDOW_SEGMENTS) {
        const w = { first, count: WINDOW_SEGMENTS };
        const { start, length } = windowSampleRange(w, TB);
        const got = Math.max(0, Math.min(n, start + length) - start);
        const r = segmentsRead(w, got, TB);
        total += r.count;
        if (r.ended) break;
      }
      expect(total).toBe(Math.max(1, Math.ceil(n / S)));
    }), { numRuns: 300, examples: [[96 * S + 1], [32 * S + 239], [32 * S]] });   // 96 S + 1: once lost its last segment
  });
  it("log-mel computed window by window equals the whole signal's", () => {
    const params = features.audio as AudioParams;
    const n = 40 * S + 5000; // 2 windows, the last one short
    const pcm = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01) * 0.3 + Math.sin(i * 0.137) * 0.1 * ((i >> 12) % 3));
    const whole = logMelPatches(pcm, params);
    const patch = params.patch_frames * params.mel_bins;
    for (const w of windowsFor(whole.segmentCount)) {
      const { start, length } = windowSampleRange(w, TB);
      const part = logMelPatches(pcm.slice(start, start + length), params);
      const { count } = segmentsRead(w, Math.min(length, n - start), TB);
      expect(count).toBe(w.count);
      expect(part.logMel.subarray(0, count * patch)).toEqual(whole.logMel.subarray(w.first * patch, (w.first + count) * patch));
      expect(part.audioMask.subarray(0, count)).toEqual(whole.audioMask.subarray(w.first, w.first + count));
    }
  }, 120_000);
});

describe('frames', () => {
  it('asks for the segment centres', () => {
    expect(segmentCentres(0, 3, TB.segmentSeconds)).toEqual([0.48, 1.44, 2.4]);
    expect(segmentCentres(32, 1, TB.segmentSeconds)[0]).toBeCloseTo(31.2, 10);
  });
  it('holds at most the frame budget at once, 1..16 frames', () => {
    expect(frameChunkSize(640, 480)).toBe(MAX_FRAME_CHUNK);
    expect(frameChunkSize(640, 853)).toBe(15);
    expect(frameChunkSize(1920, 1080)).toBe(4);
    expect(frameChunkSize(100000, 100000)).toBe(1);
    expect(chunked([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
