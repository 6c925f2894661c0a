// The model's time base (docs/CONTRACTS.md "Time base"), derived from the manifest's `audio`
// section and nowhere else: how long a segment is, how many samples it holds, how far its log-mel
// patch reads past its end, and where its face is looked at. Files, live mode, exports and the
// timeline all read these numbers from here (or from the result's `segment_seconds`), so a model
// trained on another segment length needs no code change.

/** The fields of the manifest's `audio` section the time base is made of (features/audio's AudioParams has them). */
export interface TimeBaseParams { sample_rate: number; segment_seconds: number; hop_length: number; frame_length: number; patch_frames: number }

export interface TimeBase {
  /** Seconds per segment (the model's step: one log-mel patch, one face, one timeline cell). */
  readonly segmentSeconds: number;
  readonly sampleRate: number;
  /** Samples per segment (15,360 at 16 kHz). */
  readonly segmentSamples: number;
  /** Log-mel frame hop in samples. */
  readonly hopSamples: number;
  /** Samples one patch reads: (patch_frames - 1) hops + one frame (15,600). */
  readonly windowSamples: number;
  /** Samples a patch reads past its segment's end: the last frame minus one hop (240). */
  readonly lookahead: number;
}

/** The sample counts that say which segments a run of samples covers. */
export type SampleGeometry = Pick<TimeBase, 'segmentSamples' | 'lookahead'>;

/** The time base of a manifest's `audio` section. */
export function timeBase(p: TimeBaseParams): TimeBase {
  const segmentSamples = Math.round(p.segment_seconds * p.sample_rate);
  const windowSamples = (p.patch_frames - 1) * p.hop_length + p.frame_length;
  return Object.freeze({
    segmentSeconds: p.segment_seconds, sampleRate: p.sample_rate, segmentSamples,
    hopSamples: p.hop_length, windowSamples, lookahead: windowSamples - segmentSamples,
  });
}

/** Seconds from the start to the centre of segment `t` (where its face is looked at). */
export const segmentCentre = (t: number, segmentSeconds: number): number => (t + 0.5) * segmentSeconds;

/** Centres of segments `[first, first + count)`. */
export function segmentCentres(first: number, count: number, segmentSeconds: number): number[] {
  return Array.from({ length: count }, (_, k) => segmentCentre(first + k, segmentSeconds));
}

/** Seconds from the start to the end of segment `t`. */
export const segmentEnd = (t: number, segmentSeconds: number): number => (t + 1) * segmentSeconds;

/** `seconds` as a short label, to the millisecond ("1.5 s"). */
export const secondsLabel = (seconds: number): string => `${Math.round(seconds * 1000) / 1000} s`;

/**
 * Segments in a clip: T = max(1, ceil(N / samples per segment)) for N decoded samples, or from the
 * duration when the audio is not (yet) decoded whole.
 */
export function clipSegmentCount(samples: number | null, seconds: number, tb: Pick<TimeBase, 'segmentSeconds' | 'segmentSamples'>): number {
  if (samples !== null) return Math.max(1, Math.ceil(samples / tb.segmentSamples));
  return Math.max(1, Math.ceil(seconds / tb.segmentSeconds - 1e-9));
}
