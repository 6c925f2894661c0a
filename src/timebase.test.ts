import { describe, expect, it } from 'vitest';
import manifest from '../public/models/manifest.json';
import features from '../training/configs/features.json';
import type { AudioParams } from './features/audio/logmel';
import { clipSegmentCount, secondsLabel, segmentCentre, segmentCentres, segmentEnd, timeBase } from './timebase';

const tb = timeBase(manifest.audio as AudioParams);

describe('timeBase (docs/CONTRACTS.md time base)', () => {
  it("is the manifest's: 0.96 s, 15,360 samples a segment, a 240-sample look-ahead, 15,600 a patch", () => {
    expect(tb).toEqual({ segmentSeconds: 0.96, sampleRate: 16000, segmentSamples: 15360, hopSamples: 160, windowSamples: 15600, lookahead: 240 });
    expect(timeBase(features.audio as AudioParams)).toEqual(tb);
  });
  it('follows a model with another segment length', () => {
    const other = timeBase({ ...(manifest.audio as AudioParams), segment_seconds: 0.5, patch_frames: 50 });
    expect(other.segmentSamples).toBe(8000);
    expect(other.lookahead).toBe(49 * 160 + 400 - 8000);
  });
  it.each([
    [0, 1], [1, 1], [15360, 1], [15361, 2], [16000 * 4, 5],
  ])('%i samples -> %i segments', (n, t) => expect(clipSegmentCount(n, 0, tb)).toBe(t));
  it('uses the duration when there is no audio', () => {
    expect(clipSegmentCount(null, 1.92, tb)).toBe(2);
    expect(clipSegmentCount(null, 2.0, tb)).toBe(3);
    expect(clipSegmentCount(null, 0, tb)).toBe(1);
  });
  it('puts faces at the segment centres', () => {
    expect(segmentCentres(0, 3, 0.96)).toEqual([0.48, 1.44, 2.4]);
    expect(segmentCentres(32, 1, 0.96)[0]).toBeCloseTo(31.2, 10);
    expect(segmentCentre(2, 0.96)).toBeCloseTo(2.4, 12);
    expect(segmentEnd(0, 0.96)).toBe(0.96);
  });
  it('labels seconds briefly', () => {
    expect(secondsLabel(0.96)).toBe('0.96 s');
    expect(secondsLabel(0.96 * 3)).toBe('2.88 s');
  });
});
