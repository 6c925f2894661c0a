import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FULL_RANGE, ssdAnchors } from './anchors';
import { decodeDetections, iou, pickProminentFace, weightedNms, type FaceDetection } from './decode';
import { loadGolden } from './testing';

const kps = (): [number, number][] => Array.from({ length: 6 }, () => [0, 0] as [number, number]);
const det = (score: number, box: [number, number, number, number]): FaceDetection => ({ score, box, keypoints: kps() });

describe('decodeDetections', () => {
  it('decodes offsets against the anchor centre, scaled by the input size', () => {
    const anchors = ssdAnchors(FULL_RANGE);
    const reg = new Float32Array(2304 * 16);
    const logits = new Float32Array(2304).fill(-50);
    const a = 48 * 10 + 20; // row 10, column 20
    logits[a] = 2;
    reg.set([9.6, -19.2, 38.4, 48, 0, 0, 19.2, 0], a * 16);
    const [d, ...rest] = decodeDetections(reg, logits, anchors, 192);
    expect(rest).toEqual([]);
    expect(d!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    const cx = 20.5 / 48 + 0.05;
    const cy = 10.5 / 48 - 0.1;
    expect(d!.box[0]).toBeCloseTo(cx - 0.1, 6);
    expect(d!.box[1]).toBeCloseTo(cy - 0.125, 6);
    expect(d!.box[2]).toBeCloseTo(0.2, 6);
    expect(d!.keypoints[0]).toEqual([20.5 / 48, 10.5 / 48]);
    expect(d!.keypoints[1]![0]).toBeCloseTo(20.5 / 48 + 0.1, 6);
  });

  it('clips huge logits instead of overflowing', () => {
    const anchors = ssdAnchors(FULL_RANGE);
    const logits = new Float32Array(2304).fill(-1e30);
    logits[0] = 1e30;
    const dets = decodeDetections(new Float32Array(2304 * 16), logits, anchors, 192);
    expect(dets.length).toBe(1);
    expect(dets[0]!.score).toBe(1 / (1 + Math.exp(-100)));
  });

  it('rejects mismatched shapes with a clear message', () => {
    expect(() => decodeDetections(new Float32Array(10), new Float32Array(2), new Float64Array(4), 192)).toThrow(/expected 2 x 16/);
  });
});

describe('weightedNms', () => {
  it('averages overlapping boxes by score and keeps the best score', () => {
    const out = weightedNms([det(0.6, [2, 0, 10, 10]), det(0.9, [0, 0, 10, 10]), det(0.8, [50, 50, 5, 5])]);
    expect(out.length).toBe(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.box[0]).toBeCloseTo((0.9 * 0 + 0.6 * 2) / 1.5, 12);
    expect(out[0]!.box[2]).toBeCloseTo((0.9 * 10 + 0.6 * 12) / 1.5 - out[0]!.box[0], 12);
    expect(out[1]!.box).toEqual([50, 50, 5, 5]);
  });

  it('never returns overlapping boxes above the threshold from disjoint clusters, and never more than it got', () => {
    const box = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 30 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), box), { maxLength: 20 }), (items) => {
        const dets = items.map(([s, [x, y, w]]) => det(s, [x, y, w, w]));
        const out = weightedNms(dets);
        expect(out.length).toBeLessThanOrEqual(dets.length);
        if (dets.length) expect(out[0]!.score).toBe(Math.max(...dets.map((d) => d.score)));
      }),
    );
  });

  it('iou is symmetric, 1 for identical and 0 for disjoint boxes', () => {
    expect(iou([0, 0, 4, 4], [0, 0, 4, 4])).toBe(1);
    expect(iou([0, 0, 4, 4], [4, 0, 4, 4])).toBe(0);
    expect(iou([0, 0, 4, 4], [2, 0, 4, 4])).toBeCloseTo(8 / 24, 12);
  });
});

describe('pickProminentFace', () => {
  it('takes the largest box with score >= minScore (Python twin cases)', () => {
    for (const c of loadGolden('face_cases.json').prominent) {
      const picked = pickProminentFace(c.dets, c.min_score);
      expect(picked === null ? null : c.dets.indexOf(picked)).toBe(c.index);
    }
  });

  it('returns null for no detections', () => {
    expect(pickProminentFace([], 0.5)).toBeNull();
  });
});
