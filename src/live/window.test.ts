import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import manifest from '../../public/models/manifest.json';
import { logMelPatches, type AudioParams } from '../features/audio/logmel';
import { timeBase } from '../timebase';
import {
  centresPassed, EarlyFrames, LatestOnlyQueue, LIVE_WINDOW_SEGMENTS, PcmRing, RollingWindow, segmentsCompleted,
  type SegmentFeatures, type WindowShape,
} from './window';

const params = manifest.audio as AudioParams;
const g = timeBase(params);

describe('segment geometry', () => {
  it('matches the contract: 15,360 samples per segment, a 240-sample look-ahead', () => {
    expect({ segmentSamples: g.segmentSamples, lookahead: g.lookahead, windowSamples: g.windowSamples })
      .toEqual({ segmentSamples: 15360, lookahead: 240, windowSamples: 15600 });
  });

  it('completes segment t once (t + 1) * 15360 + 240 samples are in', () => {
    expect(segmentsCompleted(0, 15599, g)).toEqual([]);
    expect(segmentsCompleted(15599, 15600, g)).toEqual([0]);
    expect(segmentsCompleted(15600, 30959, g)).toEqual([]);
    expect(segmentsCompleted(15600, 30960, g)).toEqual([1]);
    expect(segmentsCompleted(0, 3 * 15360 + 240, g)).toEqual([0, 1, 2]);
  });

  it('passes segment t centre at 15360 t + 7680 samples', () => {
    expect(centresPassed(0, 7679, g)).toEqual([]);
    expect(centresPassed(7679, 7680, g)).toEqual([0]);
    expect(centresPassed(7680, 15360 + 7679, g)).toEqual([]);
    expect(centresPassed(0, 2 * 15360 + 7680, g)).toEqual([0, 1, 2]);
  });

  it('reports every segment exactly once, in order, however the stream is chunked', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 40000 }), { maxLength: 40 }), (chunks) => {
      let n = 0;
      const done: number[] = [];
      const centres: number[] = [];
      for (const c of chunks) {
        done.push(...segmentsCompleted(n, n + c, g));
        centres.push(...centresPassed(n, n + c, g));
        n += c;
      }
      const expectDone = Math.max(0, Math.floor((n - 240) / 15360));
      const expectCentres = Math.max(0, Math.floor((n - 7680) / 15360) + 1);
      expect(done).toEqual(Array.from({ length: expectDone }, (_, i) => i));
      expect(centres).toEqual(Array.from({ length: expectCentres }, (_, i) => i));
    }));
  }, 60_000);
});

describe('PcmRing', () => {
  it('returns any still-held range exactly, across wrap-arounds', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 30 }), fc.nat(), (sizes, pick) => {
      const ring = new PcmRing(1000);
      let n = 0;
      for (const size of sizes) {
        ring.push(Float32Array.from({ length: size }, (_, i) => n + i));
        n += size;
      }
      expect(ring.total).toBe(n);
      const lo = Math.max(0, n - 1000);
      const from = lo + (pick % (n - lo + 1));
      const to = from + ((pick >> 3) % (n - from + 1));
      expect(Array.from(ring.read(from, to))).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
    }), { numRuns: 60 });
  }, 60_000); // generous: the machine's two cores are shared

  it('refuses ranges overwritten or not yet pushed', () => {
    const ring = new PcmRing(10);
    ring.push(new Float32Array(25));
    expect(() => ring.read(14, 20)).toThrow(RangeError);
    expect(() => ring.read(20, 26)).toThrow(RangeError);
    expect(ring.read(15, 25)).toHaveLength(10);
  });
});

describe('live log-mel equals the file pipeline', () => {
  it('patch 0 of each segment window (segment + look-ahead) is the file patch of that segment', () => {
    // A voiced-like signal: chirp plus noise, 4.3 s at 16 kHz.
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.05;
    const pcm = Float32Array.from({ length: 68800 }, (_, i) => 0.3 * Math.sin(2 * Math.PI * (200 + i / 100) * (i / 16000)) + noise());
    const whole = logMelPatches(pcm, params);
    const ring = new PcmRing(3 * g.windowSamples);
    const patchSize = params.patch_frames * params.mel_bins;
    let n = 0;
    for (let start = 0; start < pcm.length; start += 1234) {
      const chunk = pcm.subarray(start, Math.min(pcm.length, start + 1234));
      ring.push(chunk);
      for (const t of segmentsCompleted(n, n + chunk.length, g)) {
        const live = logMelPatches(ring.read(t * g.segmentSamples, t * g.segmentSamples + g.windowSamples), params);
        expect(live.audioMask[0]).toBe(whole.audioMask[t]);
        expect(live.logMel.subarray(0, patchSize)).toEqual(whole.logMel.subarray(t * patchSize, (t + 1) * patchSize));
      }
      n += chunk.length;
    }
  }, 60_000);
});

describe('LatestOnlyQueue', () => {
  it('keeps only the newest waiting item and counts the ones it drops', () => {
    const q = new LatestOnlyQueue<number>();
    expect(q.backlog).toBe(0);
    expect(q.push(1)).toBeNull();
    expect(q.push(2)).toBe(1);
    expect(q.push(3)).toBe(2);
    expect(q.backlog).toBe(1);
    expect(q.dropped).toBe(2);
    expect(q.take()).toBe(3);
    expect(q.take()).toBeNull();
    expect(q.backlog).toBe(0);
  });
});

describe('EarlyFrames (centre frames kept while the models load)', () => {
  it('keeps the last two centres, so the waiting segment still has its frame when the next centre has passed', () => {
    const f = new EarlyFrames<string>(2);
    f.put(0, 'a');
    f.put(1, 'b'); // segment 0 completed and waits; segment 1's centre passed
    f.put(2, 'c'); // segment 1 completed and waits (0 replaced); segment 2's centre passed
    expect(f.size).toBe(2);
    expect(f.take(1)).toBe('b');
    expect(f.size).toBe(1);
    expect(f.take(2)).toBe('c');
    expect(f.size).toBe(0);
  });

  it('forgets what is older than a taken segment; a segment without a kept frame gets none', () => {
    const f = new EarlyFrames<string>(2);
    f.put(3, 'd');
    f.put(4, 'e');
    expect(f.take(5)).toBeUndefined();
    expect(f.size).toBe(0);
    f.put(6, 'g');
    f.clear();
    expect(f.take(6)).toBeUndefined();
  });
});

describe('RollingWindow', () => {
  // A tiny but consistent shape: 2 x 2 patches, 1 x 1 x 1 crops, 3-d text.
  const shape1: WindowShape = { patchSize: 4, faceSize: 1, patchFrames: 2, melBins: 2, channels: 1, cropSize: 1, textDim: 3 };
  const seg = (index: number, audio = 1, visual = 1): SegmentFeatures => ({
    index, logMel: new Float32Array(4).fill(index), audio, face: new Float32Array(1).fill(index + 0.5), visual,
    box: visual ? [index, 0, 1, 1] : null,
  });

  it('grows to the window size, then slides, evicting old segments', () => {
    const w = new RollingWindow(LIVE_WINDOW_SEGMENTS, shape1);
    for (let t = 0; t < 8; t++) {
      w.add(seg(t));
      expect(w.indexes()).toEqual(Array.from({ length: Math.min(t + 1, 5) }, (_, i) => Math.max(0, t - 4) + i));
      expect(w.length).toBe(Math.min(t + 1, 5));
    }
  });

  it('assembles contract-shaped inputs, masking dropped segments and faceless ones', () => {
    const w = new RollingWindow(5, shape1);
    w.add(seg(10));
    w.add(seg(11, 0, 0));
    w.add(seg(13)); // 12 was dropped
    const a = w.assemble(null);
    expect(a.indexes).toEqual([10, 11, 12, 13]);
    expect(a.inputs.log_mel.dims).toEqual([1, 4, 2, 2]);
    expect(a.inputs.faces.dims).toEqual([1, 4, 1, 1, 1]);
    expect(Array.from(a.audioMask)).toEqual([1, 0, 0, 1]);
    expect(Array.from(a.visualMask)).toEqual([1, 0, 0, 1]);
    expect(Array.from(a.inputs.faces.data)).toEqual([10.5, 0, 0, 13.5]);
    expect(Array.from(a.inputs.log_mel.data.subarray(12, 16))).toEqual([13, 13, 13, 13]);
    expect(Array.from(a.inputs.log_mel.data.subarray(8, 12))).toEqual([0, 0, 0, 0]);
    expect(Array.from(a.inputs.text_mask.data)).toEqual([0]);
    expect(Array.from(a.inputs.text_cls.data)).toEqual([0, 0, 0]);
    expect(a.boxes).toEqual([[10, 0, 1, 1], null, null, [13, 0, 1, 1]]);
    const withText = w.assemble(new Float32Array([1, 2, 3]));
    expect(Array.from(withText.inputs.text_mask.data)).toEqual([1]);
    expect(Array.from(withText.inputs.text_cls.data)).toEqual([1, 2, 3]);
  });

  it('knows when no segment has sound or a face', () => {
    const w = new RollingWindow(2, shape1);
    w.add(seg(0, 0, 0));
    expect(w.hasAudioOrFace()).toBe(false);
    w.add(seg(1, 1, 0));
    expect(w.hasAudioOrFace()).toBe(true);
    w.add(seg(2, 0, 0));
    w.add(seg(3, 0, 0));
    expect(w.hasAudioOrFace()).toBe(false);
  });
});
