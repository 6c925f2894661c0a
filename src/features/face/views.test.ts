import { describe, expect, it } from 'vitest';
import { FULL_RANGE, SHORT_RANGE, ssdAnchors } from './anchors';
import { planViews, viewTensor, detectionsFromViews } from './views';
import { loadGolden, maxAbsDiff, syntheticImage } from './testing';

const g = loadGolden('face_cases.json');

describe('ssdAnchors', () => {
  it('matches MediaPipe counts and the Python twin', () => {
    const full = ssdAnchors(FULL_RANGE);
    const short = ssdAnchors(SHORT_RANGE);
    expect(full.length / 2).toBe(2304);
    expect(short.length / 2).toBe(896);
    expect(Math.abs(full.reduce((a, b) => a + b, 0) - g.anchors.full.sum)).toBeLessThan(1e-6);
    expect(Math.abs(short.reduce((a, b) => a + b, 0) - g.anchors.short.sum)).toBeLessThan(1e-6);
    // Row-major grid: anchor 1 is right of anchor 0, anchor 48 below it.
    expect([full[0], full[1], full[2], full[96 + 1]]).toEqual([0.5 / 48, 0.5 / 48, 1.5 / 48, 1.5 / 48]);
  });
});

describe('planViews', () => {
  it('matches the Python twin', () => {
    for (const p of g.plans) expect(planViews(p.width, p.height)).toEqual(p.views);
  });

  it('covers the frame with tiles overlapping by at least a third', () => {
    const views = planViews(1280, 720).filter((v) => v.tile);
    const xs = [...new Set(views.map((v) => v.x))].sort((a, b) => a - b);
    const side = views[0]!.side;
    expect(xs[0]).toBe(0);
    expect(xs.at(-1)! + side).toBe(1280);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeLessThanOrEqual((2 / 3) * side + 1);
  });

  it('does not tile frames smaller than the network input', () => {
    expect(planViews(48, 48)).toEqual([{ x: 0, y: 0, side: 48, tile: false }]);
  });
});

describe('viewTensor', () => {
  it('matches the Python twin (letterbox, supersampled shrink, tiles)', () => {
    const vt = g.view_tensors;
    const img = syntheticImage(vt.width, vt.height);
    for (const c of vt.cases) {
      const t = viewTensor(img, c.view, vt.input_size);
      expect(maxAbsDiff(t, c.tensor)).toBeLessThan(1e-3);
    }
  });

  it('is black in the letterbox and exact on a constant image', () => {
    const img = { data: new Uint8ClampedArray(40 * 20 * 4).fill(200), width: 40, height: 20 };
    const [full] = planViews(40, 20, 8, false);
    const t = viewTensor(img, full!, 8);
    expect(t[0]).toBe(0); // top-left lies in the letterbox
    expect(t[3 * (4 * 8 + 4)]).toBeCloseTo(200, 5); // centre lies in the image
  });
});

describe('detectionsFromViews', () => {
  it('matches the Python twin on synthetic raw outputs (boxes within 1 px)', () => {
    const d = g.decode;
    const views = planViews(d.width, d.height);
    const outputs = views.map((_, vi) => {
      const regressors = new Float32Array(2304 * 16);
      const logits = new Float32Array(2304).fill(d.background_logit);
      for (const e of d.entries) {
        if (e.view !== vi) continue;
        regressors.set(e.reg, e.anchor * 16);
        logits[e.anchor] = e.logit;
      }
      return { regressors, logits };
    });
    const dets = detectionsFromViews(outputs, views, d.width, d.height, FULL_RANGE, d.min_score);
    expect(dets.length).toBe(d.detections.length);
    expect(dets.length).toBeGreaterThan(0);
    dets.forEach((det, i) => {
      const e = d.detections[i];
      expect(Math.abs(det.score - e.score)).toBeLessThan(1e-5);
      expect(maxAbsDiff(det.box, e.box)).toBeLessThan(1e-2);
      expect(maxAbsDiff(det.keypoints.flat(), e.keypoints.flat())).toBeLessThan(1e-2);
    });
  });
});
