// Window arithmetic for streaming a clip of any length: the clip's segments are processed
// WINDOW_SEGMENTS at a time (audio samples, frames, fused graph), so memory holds one window, never
// the whole clip. Pure functions of the model's time base (src/timebase.ts, docs/CONTRACTS.md "Time base").
import type { SampleGeometry } from '../timebase';

/**
 * Segments per window: 32 segments (30.72 s of the default model), the longest sequence the fused graph is trained on
 * (training `data.max_segments`; longer clips are cut into random windows of this size there).
 */
export const WINDOW_SEGMENTS = 32;
/** Bytes of RGBA frames held at once (one chunk sent to the face worker). */
export const FRAME_BUDGET_BYTES = 32 * 1024 ** 2;
/** At most this many frames per chunk, however small (progress stays fine-grained). */
export const MAX_FRAME_CHUNK = 16;

export interface SegmentWindow {
  /** First segment index of the window. */
  first: number;
  /** Segments in the window (the last window may be shorter). */
  count: number;
}

/** `total` segments cut into consecutive windows of at most `size`. */
export function windowsFor(total: number, size = WINDOW_SEGMENTS): SegmentWindow[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`segment count must be a whole number >= 0, not ${total}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a whole number >= 1, not ${size}`);
  const out: SegmentWindow[] = [];
  for (let first = 0; first < total; first += size) out.push({ first, count: Math.min(size, total - first) });
  return out;
}

/**
 * The 16 kHz samples window `w` reads: its segments plus the lookahead the last patch's frames
 * reach into, so its log-mel patches equal the whole signal's (frames never straddle a window:
 * 15,360 is a multiple of the 160-sample hop).
 */
export function windowSampleRange(w: SegmentWindow, tb: SampleGeometry): { start: number; length: number } {
  return { start: w.first * tb.segmentSamples, length: w.count * tb.segmentSamples + tb.lookahead };
}

/**
 * How many of window `w`'s segments a read of `got` samples covers, and whether the audio ended
 * there. `got` below the requested length means the stream ended: the segments are the ones its
 * samples reach into (the tail is zero-padded, as for the whole signal). The first window always
 * has at least one segment (T >= 1); a later window that got nothing has none.
 *
 * `expected` (segments by the container's duration, when the audio is streamed) guards against a
 * short read that is not the end: a read that got something but stops more than one segment before
 * the duration's last segment is a gap in the audio (the caller zero-pads it: silence), not the end.
 */
export function segmentsRead(w: SegmentWindow, got: number, tb: SampleGeometry, expected?: number): { count: number; ended: boolean } {
  const { segmentSamples } = tb;
  const wanted = w.count * segmentSamples + tb.lookahead;
  // Samples past the window's last segment (even fewer than the look-ahead) start the next window's
  // first segment: the audio goes on (a clip 96 segments + 1 sample long has 97 segments).
  if (got >= wanted || got > w.count * segmentSamples) return { count: w.count, ended: false };
  if (got > 0 && expected !== undefined && w.first + w.count < expected - 1) return { count: w.count, ended: false };
  const reached = Math.ceil(got / segmentSamples);
  return { count: Math.min(w.count, w.first === 0 ? Math.max(1, reached) : reached), ended: true };
}

/** Frames per chunk for frames of `width` x `height` RGBA: as many as fit the budget, 1..MAX_FRAME_CHUNK. */
export function frameChunkSize(width: number, height: number, budget = FRAME_BUDGET_BYTES): number {
  const bytes = Math.max(1, width) * Math.max(1, height) * 4;
  return Math.max(1, Math.min(MAX_FRAME_CHUNK, Math.floor(budget / bytes)));
}

/** `items` in consecutive chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
