// The live mode's segment clock and rolling window, kept pure so they can be tested without a camera:
// which segments (src/timebase.ts) a growing stream of 16 kHz samples has completed (with the
// look-ahead the log-mel of a segment needs, docs/CONTRACTS.md), a ring buffer of recent samples,
// a "latest only" queue that drops stale segments instead of building a backlog, and the window of
// the last few segments' features assembled into the fused graph's inputs.
import type { FaceBox, FusionInputs } from '../protocol';
import { fusionInputs } from '../pipeline/windowStep';
import type { SampleGeometry } from '../timebase';

/**
 * Segments per prediction: 5 segments (4.8 s with the default model), about one IEMOCAP utterance (the dev clips run
 * 2-5 s), which is the span the fused graph was trained to judge. Shorter windows make the MBT
 * see fewer segments than in training and flicker; longer ones lag behind a change of mood.
 */
export const LIVE_WINDOW_SEGMENTS = 5;
/** How long the chart looks back. */
export const LIVE_HISTORY_SECONDS = 60;

/** Segments whose patch window became complete when the sample count went from `before` to `after`. */
export function segmentsCompleted(before: number, after: number, g: SampleGeometry): number[] {
  // Segment t is complete once (t + 1) * segmentSamples + lookahead samples are in.
  const done = (n: number) => Math.floor((n - g.lookahead) / g.segmentSamples); // count complete
  const out: number[] = [];
  for (let t = Math.max(0, done(before)); t < done(after); t++) out.push(t);
  return out;
}

/** Segments whose centre (where the face is looked at) was passed going from `before` to `after` samples. */
export function centresPassed(before: number, after: number, g: SampleGeometry): number[] {
  const half = g.segmentSamples / 2;
  const passed = (n: number) => Math.floor((n - half) / g.segmentSamples) + 1; // centres at or before n
  const out: number[] = [];
  for (let t = Math.max(0, passed(before)); t < passed(after); t++) out.push(t);
  return out;
}

/** Keeps the most recent `capacity` samples of an unbounded stream, addressed by absolute index. */
export class PcmRing {
  private readonly data: Float32Array;
  private written = 0;

  constructor(readonly capacity: number) {
    this.data = new Float32Array(capacity);
  }

  /** Samples pushed since the start. */
  get total(): number {
    return this.written;
  }

  push(chunk: Float32Array): void {
    const src = chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    this.written += chunk.length - src.length;
    const pos = this.written % this.capacity;
    const first = Math.min(src.length, this.capacity - pos);
    this.data.set(src.subarray(0, first), pos);
    if (first < src.length) this.data.set(src.subarray(first), 0);
    this.written += src.length;
  }

  /** A copy of samples `[from, to)`; throws when they were overwritten or not yet pushed. */
  read(from: number, to: number): Float32Array {
    if (from < this.written - this.capacity || to > this.written || from > to) {
      throw new RangeError(`samples [${from}, ${to}) are not in the ring (holds [${Math.max(0, this.written - this.capacity)}, ${this.written}))`);
    }
    const out = new Float32Array(to - from);
    const start = from % this.capacity;
    const first = Math.min(out.length, this.capacity - start);
    out.set(this.data.subarray(start, start + first), 0);
    if (first < out.length) out.set(this.data.subarray(0, out.length - first), first);
    return out;
  }
}

/**
 * Holds at most one item waiting for the (single) consumer: a newer item replaces an older one
 * that is still waiting, and the replaced one is counted as dropped. So a pipeline that falls
 * behind shows the newest segment next instead of working through a growing backlog.
 */
export class LatestOnlyQueue<T> {
  private waiting: T | null = null;
  dropped = 0;

  /** Queues `item`; returns the item it replaced (now dropped), if any. */
  push(item: T): T | null {
    const replaced = this.waiting;
    if (replaced !== null) this.dropped++;
    this.waiting = item;
    return replaced;
  }

  take(): T | null {
    const item = this.waiting;
    this.waiting = null;
    return item;
  }

  get backlog(): number {
    return this.waiting === null ? 0 : 1;
  }
}

/**
 * Camera frames grabbed at segment centres while the models still load (issue 16): the last `keep`
 * are kept (the segment waiting in the queue and the one being recorded), and each is taken once,
 * when its segment's face can be looked at.
 */
export class EarlyFrames<F> {
  private readonly frames = new Map<number, F>();

  constructor(private readonly keep: number) {}

  /** Keeps segment `t`'s frame, forgetting those `keep` or more segments older. */
  put(t: number, frame: F): void {
    this.frames.set(t, frame);
    for (const k of this.frames.keys()) if (k <= t - this.keep) this.frames.delete(k);
  }

  /** Segment `t`'s frame, if kept; it and every older one are forgotten. */
  take(t: number): F | undefined {
    const frame = this.frames.get(t);
    for (const k of this.frames.keys()) if (k <= t) this.frames.delete(k);
    return frame;
  }

  clear(): void {
    this.frames.clear();
  }

  get size(): number {
    return this.frames.size;
  }
}

/** One segment's features, as the file pipeline computes them. */
export interface SegmentFeatures {
  index: number;
  /** `[96 * 64]` log-mel patch. */
  logMel: Float32Array;
  /** 1 = not silent. */
  audio: number;
  /** `[C * S * S]` aligned face crop, zeros without a face. */
  face: Float32Array;
  /** 1 = a face was found. */
  visual: number;
  box: FaceBox | null;
}

export interface WindowShape { patchSize: number; faceSize: number; patchFrames: number; melBins: number; channels: number; cropSize: number; textDim: number }

export interface AssembledWindow {
  inputs: FusionInputs;
  /** Segment indexes covered, oldest first (a dropped one is in the range, masked out). */
  indexes: number[];
  audioMask: Float32Array;
  visualMask: Float32Array;
  boxes: (FaceBox | null)[];
}

/** The features of the last `size` segments, assembled into the fused graph's inputs. */
export class RollingWindow {
  private readonly slots = new Map<number, SegmentFeatures>();
  private first = Infinity;
  private newest = -1;

  constructor(readonly size: number, private readonly shape: WindowShape) {}

  add(f: SegmentFeatures): void {
    this.slots.set(f.index, f);
    this.first = Math.min(this.first, f.index);
    this.newest = Math.max(this.newest, f.index);
    for (const k of this.slots.keys()) if (k <= this.newest - this.size) this.slots.delete(k);
  }

  get length(): number {
    return this.slots.size;
  }

  /** Segment indexes of the window ending at the newest segment (it grows from 1 to `size` at the start). */
  indexes(): number[] {
    if (this.newest < 0) return [];
    const start = Math.max(this.first, this.newest - this.size + 1);
    return Array.from({ length: this.newest - start + 1 }, (_, i) => start + i);
  }

  /** True when some segment of the window has sound or a face (the graph needs one modality). */
  hasAudioOrFace(): boolean {
    return [...this.slots.values()].some((s) => s.audio > 0 || s.visual > 0);
  }

  assemble(textCls: Float32Array | null): AssembledWindow {
    const { patchSize, faceSize, patchFrames, melBins, channels, cropSize, textDim } = this.shape;
    const indexes = this.indexes();
    const T = indexes.length;
    if (!T) throw new Error('The live window is empty.');
    const logMel = new Float32Array(T * patchSize);
    const faces = new Float32Array(T * faceSize);
    const audioMask = new Float32Array(T);
    const visualMask = new Float32Array(T);
    const boxes: (FaceBox | null)[] = [];
    indexes.forEach((index, i) => {
      const s = this.slots.get(index); // missing = a dropped segment: masked out, never guessed
      boxes.push(s?.box ?? null);
      if (!s) return;
      logMel.set(s.logMel, i * patchSize);
      audioMask[i] = s.audio;
      if (s.visual > 0) faces.set(s.face, i * faceSize);
      visualMask[i] = s.visual;
    });
    return {
      indexes, audioMask, visualMask, boxes,
      inputs: fusionInputs({ patchFrames, melBins, channels, cropSize, textDim }, { logMel, faces, audioMask, visualMask }, textCls),
    };
  }
}
