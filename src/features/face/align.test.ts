import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { alignFaceCrop, alignmentTransform, cropToSource, IOD_MIN_BOX, type CropParams } from './align';
import type { FaceDetection } from './decode';
import { loadGolden, maxAbsDiff, syntheticImage } from './testing';

const g = loadGolden('face_cases.json');

const face = (r: [number, number], l: [number, number]): FaceDetection => ({
  score: 0.9,
  box: [0, 0, 40, 40],
  keypoints: [r, l, [0, 0], [0, 0], [0, 0], [0, 0]],
});

describe('alignFaceCrop', () => {
  it('matches the Python twin (crops within 1e-3, boxes within 1 px)', () => {
    const img = syntheticImage(g.align.width, g.align.height);
    for (const c of g.align.cases) {
      const { crop, box } = alignFaceCrop(img, c.det, c.crop_params);
      expect(crop.length, c.name).toBe(c.crop.length);
      expect(maxAbsDiff(crop, c.crop), c.name).toBeLessThan(1e-3);
      expect(maxAbsDiff(box, c.box), c.name).toBeLessThan(1);
    }
  });

  it('puts the eyes where the contract says, for any pose', () => {
    const p: CropParams = { size: 48, channels: 1, eye_y: 0.4, eye_dist: 0.4, iod_min_box: 0 };
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 600, noNaN: true }),
        fc.double({ min: 0, max: 400, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 2, max: 300, noNaN: true }),
        (x, y, angle, d) => {
          const r: [number, number] = [x, y];
          const l: [number, number] = [x + d * Math.cos(angle), y + d * Math.sin(angle)];
          const t = alignmentTransform(face(r, l), p);
          const re = cropToSource(t, p, 0.5 * 48 - 0.2 * 48, 0.4 * 48);
          const le = cropToSource(t, p, 0.5 * 48 + 0.2 * 48, 0.4 * 48);
          expect(Math.hypot(re[0] - r[0], re[1] - r[1])).toBeLessThan(1e-6 * (1 + d));
          expect(Math.hypot(le[0] - l[0], le[1] - l[1])).toBeLessThan(1e-6 * (1 + d));
        },
      ),
    );
  });

  it('floors the eye distance at iod_min_box x box width (turned heads are not zoomed in)', () => {
    const p: CropParams = { size: 48, channels: 1, eye_y: 0.4, eye_dist: 0.34, iod_min_box: 0.4 };
    const frontal = alignmentTransform({ ...face([10, 10], [30, 10]), box: [0, 0, 40, 40] }, p);
    const turned = alignmentTransform({ ...face([10, 10], [18, 10]), box: [0, 0, 40, 40] }, p);
    expect(frontal.scale).toBeCloseTo((0.34 * 48) / 20, 12);
    expect(turned.scale).toBeCloseTo((0.34 * 48) / 16, 12);
  });

  it('defaults iod_min_box to the value in training/configs/features.json', () => {
    const features = JSON.parse(readFileSync(new URL('../../../training/configs/features.json', import.meta.url), 'utf8'));
    expect(IOD_MIN_BOX).toBe(features.face.crop.iod_min_box);
  });

  it('reproduces a constant image exactly and converts colour with BT.601 weights', () => {
    const w = 30;
    const h = 20;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([200, 100, 50, 255], 4 * i);
    const { crop } = alignFaceCrop({ data, width: w, height: h }, face([10, 10], [18, 11]), {
      size: 16,
      channels: 1,
      eye_y: 0.4,
      eye_dist: 0.4,
    });
    const grey = (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255;
    expect(maxAbsDiff(crop, new Float32Array(crop.length).fill(grey))).toBeLessThan(1e-6);
  });

  it('refuses unsupported channel counts', () => {
    expect(() => alignFaceCrop(syntheticImage(8, 8), face([2, 2], [5, 2]), { size: 8, channels: 2 as never, eye_y: 0.4, eye_dist: 0.4 })).toThrow(
      /channels must be 1 or 3/,
    );
  });
});
