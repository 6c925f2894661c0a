// The tracking decision (track.ts): the view around the previous face, and when its answer is
// trusted (hit) or the whole frame is searched again (first frame, nothing found, a face cut by
// the view's edge); a face at the frame's own border is not a miss.
import { describe, expect, it } from 'vitest';
import type { FaceDetection } from './decode';
import { nearInnerEdge, searchFace, trackedFace, trackView, TRACK_EDGE_MARGIN, TRACK_MIN_SIDE, TRACK_VIEW_FACES, type Box } from './track';
import { TILE_FRACTION, type View } from './views';

const face = (box: Box, score = 0.9): FaceDetection => ({
  score,
  box: [...box] as FaceDetection['box'],
  keypoints: Array.from({ length: 6 }, () => [box[0] + box[2] / 2, box[1] + box[3] / 2] as [number, number]),
});

describe('trackView', () => {
  it("is a tile's square centred on the previous box (the scale the tiles saw the face at)", () => {
    const v = trackView([300, 200, 80, 100], 1280, 720);
    expect(v.side).toBe(Math.round(TILE_FRACTION * 720));
    expect(v.x + v.side / 2).toBe(340);
    expect(v.y + v.side / 2).toBe(250);
    expect(v.tile).toBe(false);
  });

  it('is TRACK_VIEW_FACES face sizes for a face too large for a tile', () => {
    const v = trackView([300, 200, 200, 180], 1280, 720);
    expect(v.side).toBe(TRACK_VIEW_FACES * 200);
    expect(v.x + v.side / 2).toBe(400);
  });

  it('is shifted inside the frame for a face at the border', () => {
    const v = trackView([-10, 400, 100, 100], 640, 480);
    expect(v).toEqual({ x: 0, y: 180, side: 300, tile: false });
  });

  it('is never smaller than the detector input, and letterboxed where it is larger than the frame', () => {
    expect(trackView([100, 100, 20, 20], 300, 200).side).toBe(TRACK_MIN_SIDE);
    const big = trackView([50, 50, 300, 300], 640, 480);
    expect(big.side).toBe(640);
    expect(big.x).toBe(0);
    expect(big.y).toBe((480 - 640) / 2);
  });
});

describe('trackedFace / nearInnerEdge', () => {
  const view: View = { x: 100, y: 100, side: 300, tile: false };
  const m = TRACK_EDGE_MARGIN * 300;

  it('a face well inside the view is a hit', () => {
    const f = face([200, 200, 80, 80]);
    expect(trackedFace([f], view, 640, 480, 0.6)).toBe(f);
  });

  it('nothing at min_score is a miss', () => {
    expect(trackedFace([face([200, 200, 80, 80], 0.55)], view, 640, 480, 0.6)).toBeNull();
    expect(trackedFace([], view, 640, 480, 0.6)).toBeNull();
  });

  it('a face cut by an edge of the view inside the frame is a miss', () => {
    expect(trackedFace([face([100 + m / 2, 200, 80, 80])], view, 640, 480, 0.6)).toBeNull();
    expect(trackedFace([face([200, 400 - 80 - m / 2, 80, 80])], view, 640, 480, 0.6)).toBeNull();
  });

  it('a face at the frame border, where the view meets the frame edge, is a hit', () => {
    const atCorner: View = { x: 0, y: 0, side: 300, tile: false };
    expect(nearInnerEdge([0, 0, 80, 80], atCorner, 640, 480)).toBe(false);
    expect(nearInnerEdge([215, 0, 80, 80], atCorner, 640, 480)).toBe(true);
    // A letterboxed view (larger than the frame) has no inner edges.
    expect(nearInnerEdge([0, 0, 640, 480], { x: 0, y: -80, side: 640, tile: false }, 640, 480)).toBe(false);
  });
});

describe('searchFace', () => {
  /** A fake detector: what it returns for the tracking view and for the full views, and the calls it got. */
  const fake = (tracked: FaceDetection[], full: FaceDetection[]) => {
    const calls: (View[] | undefined)[] = [];
    const detect = async (views?: View[]) => {
      calls.push(views);
      return views ? tracked : full;
    };
    return { detect, calls };
  };

  it('the first frame (no previous face) searches all views once', async () => {
    const f = face([100, 100, 80, 80]);
    const d = fake([], [f]);
    expect(await searchFace(d.detect, null, 640, 480, 0.6)).toEqual({ face: f, path: 'full' });
    expect(d.calls).toEqual([undefined]);
  });

  it('a hit runs the detector on the one tracking view only', async () => {
    const f = face([210, 150, 80, 80]);
    const d = fake([f], []);
    expect(await searchFace(d.detect, [200, 140, 80, 80], 640, 480, 0.6)).toEqual({ face: f, path: 'track' });
    expect(d.calls).toEqual([[trackView([200, 140, 80, 80], 640, 480)]]);
  });

  it('a miss re-detects on all views; the largest face there wins', async () => {
    const small = face([20, 20, 40, 40]);
    const large = face([400, 200, 120, 120]);
    const d = fake([], [small, large]);
    expect(await searchFace(d.detect, [200, 140, 80, 80], 640, 480, 0.6)).toEqual({ face: large, path: 'full' });
    expect(d.calls.length).toBe(2);
    expect(d.calls[1]).toBeUndefined();
  });

  it('a face cut by the tracking view edge re-detects on all views', async () => {
    const prev: Box = [200, 140, 80, 80];
    const v = trackView(prev, 640, 480);
    const cut = face([v.x + v.side - 50, 200, 80, 80]);
    const whole = face([v.x + v.side - 50, 200, 90, 90]);
    const d = fake([cut], [whole]);
    expect(await searchFace(d.detect, prev, 640, 480, 0.6)).toEqual({ face: whole, path: 'full' });
  });

  it('no face anywhere: null after the full search', async () => {
    const d = fake([], []);
    expect(await searchFace(d.detect, [200, 140, 80, 80], 640, 480, 0.6)).toEqual({ face: null, path: 'full' });
  });
});
