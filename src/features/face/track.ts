// Track, then re-detect (issue 16): when the previous segment's face is known, the detector looks
// at ONE view around it (a tile-sized square centred on the last box, so the face is seen at the
// scale the tiles saw it) instead of the whole frame plus its tiles (7 views on 640 x 480). A miss — no face at min_score in that
// view, or the face within TRACK_EDGE_MARGIN of a view edge that cuts the frame — falls back to
// all views for that frame, so a face is only ever lost where the full search loses it too.
// Pure: the caller passes the previous box; the same frames in the same order give the same crops.

import { pickProminentFace, type FaceDetection } from './decode';
import { TILE_FRACTION, type View } from './views';

/**
 * Minimum side of the tracking view in face sizes (max of the last box's width and height), for
 * faces too large for a tile. Smaller faces get a tile's side: at 1 face = 1/4 of a 192 px view the
 * detector scored the bench's 50 px faces 0.54-0.70 (misses at min_score 0.6), as a tile 0.65-0.81.
 */
export const TRACK_VIEW_FACES = 3;
/** The tracking view is never smaller than the detector's input (no upsampling of a small face's surroundings). */
export const TRACK_MIN_SIDE = 192;
/** A tracked face closer than this (fraction of the view side) to a view edge inside the frame is a miss. */
export const TRACK_EDGE_MARGIN = 0.05;

/** [x, y, w, h] in source pixels. */
export type Box = readonly [number, number, number, number];

/**
 * The square view around `previous`: side the larger of a tile's (views.ts, round(TILE_FRACTION x
 * the frame's short side)), TRACK_VIEW_FACES x the box's larger side and TRACK_MIN_SIDE, at most
 * the frame's larger side; centred on the box, shifted to lie inside the frame where it fits and
 * centred (letterboxed) on an axis where it does not.
 */
export function trackView(previous: Box, width: number, height: number): View {
  const [bx, by, bw, bh] = previous;
  const tile = Math.round(TILE_FRACTION * Math.min(width, height));
  const side = Math.round(Math.min(Math.max(width, height), Math.max(tile, TRACK_MIN_SIDE, TRACK_VIEW_FACES * Math.max(bw, bh))));
  const place = (centre: number, length: number) =>
    side >= length ? (length - side) / 2 : Math.min(length - side, Math.max(0, Math.round(centre - side / 2)));
  return { x: place(bx + bw / 2, width), y: place(by + bh / 2, height), side, tile: false };
}

/** True when `box` lies within TRACK_EDGE_MARGIN of an edge of `view` that lies inside the frame (the face may be cut). */
export function nearInnerEdge(box: Box, view: View, width: number, height: number): boolean {
  const m = TRACK_EDGE_MARGIN * view.side;
  const [x, y, w, h] = box;
  return (
    (view.x > 0 && x < view.x + m) ||
    (view.y > 0 && y < view.y + m) ||
    (view.x + view.side < width && x + w > view.x + view.side - m) ||
    (view.y + view.side < height && y + h > view.y + view.side - m)
  );
}

/**
 * The face found in the tracking view (detections in source pixels), or null for a miss: nothing
 * at `minScore`, or the prominent face near an inner view edge.
 */
export function trackedFace(detections: readonly FaceDetection[], view: View, width: number, height: number, minScore: number): FaceDetection | null {
  const face = pickProminentFace(detections, minScore);
  if (!face || nearInnerEdge(face.box, view, width, height)) return null;
  return face;
}

/** What one frame's face search did: the face (or null) and whether the full view set was needed. */
export interface FaceSearch {
  face: FaceDetection | null;
  /** 'track': the one view around the previous face sufficed; 'full': all views were searched. */
  path: 'track' | 'full';
}

/**
 * Finds the prominent face of a frame: with a previous box, first in its tracking view, falling
 * back to the full views on a miss; without one, the full views. `detect` runs the detector on
 * the given views (undefined = the full set) and returns detections in source pixels.
 */
export async function searchFace(
  detect: (views?: View[]) => Promise<FaceDetection[]>,
  previous: Box | null,
  width: number,
  height: number,
  minScore: number,
): Promise<FaceSearch> {
  if (previous) {
    const view = trackView(previous, width, height);
    const face = trackedFace(await detect([view]), view, width, height, minScore);
    if (face) return { face, path: 'track' };
  }
  return { face: pickProminentFace(await detect(), minScore), path: 'full' };
}
