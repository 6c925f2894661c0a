// Voice activity: which segments hold a voice (docs/CONTRACTS.md "Voice activity"). Silero VAD
// v6 (from @ricky0123/vad-web, served from our own origin and run by our own onnxruntime) gives
// p(speech) for every 512-sample frame of 16 kHz audio, read with the 64 samples before it as
// context and a recurrent state carried from frame to frame — across segments, windows and live
// segments too (`VadCarry`), so a segment's verdict does not depend on where a window starts. A
// segment has voice when enough of its frames are speech AND its RMS clears the silence floor; that
// is the audio mask the fused graph gets. A tone, music or noise is loud but not voice.
// The app ships the graph rewritten to take a request's frames in one run (`sileroFrames`,
// training/mer/features/silero_frames.py; bit-identical to the original run frame by frame, about
// 6x faster in onnxruntime-web); `sileroStep` runs the original one frame at a time.
// The runtime is injected: onnxruntime-web in the audio worker, onnxruntime-node in tests.
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { VadParams } from './params';

/** `audio.vad` of the manifest (= training/configs/features.json). */
/** The manifest's `audio.vad` section, inferred from its schema (./params.ts). */
export type { VadParams };

/** Silero v5/v6 graph names (the legacy v4 graph has h/c instead of state). */
export const SILERO_IO = Object.freeze({ input: 'input', state: 'state', sampleRate: 'sr', output: 'output', nextState: 'stateN' });

/** One run of the model: `[context | frame]` samples and the state in, p(speech) and the next state out. */
export type VadStep = (input: Float32Array, state: Float32Array) => Promise<{ probability: number; state: Float32Array }>;

/**
 * The model over consecutive frames: `count` rows of `[context | frame]` samples (row-major) and the
 * state before the first in; p(speech) per row and the state after the last row out.
 */
export type VadFrames = (rows: Float32Array, count: number, state: Float32Array) => Promise<{ probabilities: Float32Array; state: Float32Array }>;

/** A one-frame step as VadFrames: one run per row, the state handed from row to row. */
export function oneFrameAtATime(step: VadStep): VadFrames {
  return async (rows, count, state) => {
    const width = rows.length / count;
    const probabilities = new Float32Array(count);
    for (let j = 0; j < count; j++) {
      const r = await step(rows.subarray(j * width, (j + 1) * width), state);
      probabilities[j] = r.probability;
      state = r.state;
    }
    return { probabilities, state };
  };
}

/**
 * One step of a Silero v5/v6 session: `[1, context + frame]` samples, state `[2, 1, state_size]` and
 * the sample rate in; p(speech) and the next state out. `tensor` is the Tensor constructor of the
 * runtime that made `session` (onnxruntime-web in the worker, onnxruntime-node in tests).
 */
export function sileroStep(session: InferenceSession, p: VadParams, sampleRate: number, tensor: typeof Tensor): VadStep {
  const sr = new tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
  return async (input, state) => {
    const out = await session.run({
      [SILERO_IO.input]: new tensor('float32', input, [1, input.length]),
      [SILERO_IO.state]: new tensor('float32', state, [2, 1, p.state_size]),
      [SILERO_IO.sampleRate]: sr,
    });
    const probability = (out[SILERO_IO.output]?.data as Float32Array | undefined)?.[0];
    const next = out[SILERO_IO.nextState]?.data as Float32Array | undefined;
    if (probability === undefined || !next) {
      throw new Error(`voice-activity model: outputs ${SILERO_IO.output} and ${SILERO_IO.nextState} expected, got ${Object.keys(out).join(', ')}`);
    }
    return { probability, state: next };
  };
}

/**
 * All rows in one run of the frames graph (`audio.vad.batched_frames`, silero_vad_v6_frames.onnx):
 * input `[count, context + frame]`, state `[2, 1, state_size]`, sr; output `[count, 1]` and `stateN`.
 */
export function sileroFrames(session: InferenceSession, p: VadParams, sampleRate: number, tensor: typeof Tensor): VadFrames {
  const sr = new tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
  return async (rows, count, state) => {
    const out = await session.run({
      [SILERO_IO.input]: new tensor('float32', rows, [count, rows.length / count]),
      [SILERO_IO.state]: new tensor('float32', state, [2, 1, p.state_size]),
      [SILERO_IO.sampleRate]: sr,
    });
    const probabilities = out[SILERO_IO.output]?.data as Float32Array | undefined;
    const next = out[SILERO_IO.nextState]?.data as Float32Array | undefined;
    if (!probabilities || probabilities.length !== count || !next) {
      throw new Error(`voice-activity model: ${count} frames in, ${SILERO_IO.output} [${count}, 1] and ${SILERO_IO.nextState} expected, got ${Object.keys(out).map((k) => `${k} [${out[k]?.dims.join(', ')}]`).join(', ')}`);
    }
    return { probabilities, state: next };
  };
}

/** The detector's memory at a segment boundary: handed from one window (or live segment) to the next. */
export interface VadCarry {
  /** `2 * state_size` floats. */
  state: Float32Array;
  /** The last `context_samples` samples before the boundary. */
  context: Float32Array;
}

export interface VoiceActivity {
  /** p(speech) per frame, row-major `[T, framesPerSegment]`; 0 for frames past the samples' end. */
  probabilities: Float32Array;
  framesPerSegment: number;
  /** Frames with p >= threshold, per segment. */
  speechFrames: Uint16Array;
  /** The memory after the last whole segment (a window's look-ahead tail is not carried). */
  carry: VadCarry;
}

/** A fresh detector: zero state, zero context (the start of a clip or of a live session). */
export function initialCarry(p: VadParams): VadCarry {
  return { state: new Float32Array(2 * p.state_size), context: new Float32Array(p.context_samples) };
}

/** VAD frames per segment; the segment must be a whole number of frames. */
export function framesPerSegment(segmentSamples: number, p: VadParams): number {
  const frames = segmentSamples / p.frame_samples;
  if (!Number.isInteger(frames) || frames < 1) {
    throw new Error(`audio.vad.frame_samples (${p.frame_samples}) must divide the segment (${segmentSamples} samples).`);
  }
  return frames;
}

/**
 * Runs the detector over `pcm` (16 kHz, starting at a segment boundary) frame by frame, from
 * `carry`. Segments are `ceil(pcm.length / segmentSamples)` as for the log-mel (at least 1); frames
 * with no real sample are not run. Deterministic: the same samples and carry give the same output.
 * The frames go to `run` in at most two calls: up to the end of the last whole segment (whose state
 * is the carry) and the look-ahead tail after it.
 */
export async function detectVoice(
  pcm: Float32Array, segmentSamples: number, p: VadParams, run: VadFrames, carry: VadCarry = initialCarry(p),
): Promise<VoiceActivity> {
  const perSegment = framesPerSegment(segmentSamples, p);
  const { frame_samples: n, context_samples: c } = p;
  if (carry.state.length !== 2 * p.state_size || carry.context.length !== c) throw new Error('The voice-activity state does not fit audio.vad.');
  const segments = Math.max(1, Math.ceil(pcm.length / segmentSamples));
  const wholeSegments = Math.floor(pcm.length / segmentSamples);
  const probabilities = new Float32Array(segments * perSegment);
  const speechFrames = new Uint16Array(segments);
  const frames = Math.ceil(pcm.length / n);
  const width = c + n;
  // Row j = [the c samples before frame j (the carried context for j = 0) | frame j, zero-padded].
  const rows = new Float32Array(frames * width);
  for (let j = 0; j < frames; j++) {
    const start = j * n;
    rows.set(j === 0 ? carry.context : pcm.subarray(start - c, start), j * width);
    rows.set(pcm.subarray(start, Math.min(start + n, pcm.length)), j * width + c);
  }
  const boundary = wholeSegments * perSegment;
  let state = carry.state;
  let out: VadCarry = { state: carry.state.slice(), context: carry.context.slice() };
  for (const [from, to] of boundary > 0 && boundary < frames ? [[0, boundary], [boundary, frames]] : [[0, frames]]) {
    if (to === from) continue;
    const r = await run(rows.subarray(from * width, to * width), to - from, state);
    probabilities.set(r.probabilities, from);
    state = r.state;
    if (to === boundary) {
      const end = wholeSegments * segmentSamples;
      out = { state: state.slice(), context: pcm.slice(end - c, end) };
    }
  }
  for (let j = 0; j < frames; j++) if (probabilities[j]! >= p.threshold) speechFrames[Math.floor(j / perSegment)]++;
  return { probabilities, framesPerSegment: perSegment, speechFrames, carry: out };
}

/** The segment decision: enough speech frames. */
export const hasVoice = (speechFrames: number, p: VadParams): boolean => speechFrames >= p.min_speech_frames;

/**
 * The audio mask: 1 where the segment is loud enough (`energyMask`, RMS >= silence_dbfs: a floor,
 * never speech below it) and the detector heard a voice in it.
 */
export function voiceMask(energyMask: Float32Array, speechFrames: ArrayLike<number>, p: VadParams): Float32Array {
  return energyMask.map((loud, t) => (loud > 0 && hasVoice(speechFrames[t] ?? 0, p) ? 1 : 0));
}

/**
 * The detector as the audio worker runs it: one request at a time (a whole clip, one window of a
 * long clip with its 240-sample look-ahead, or one live segment with its look-ahead), keeping its
 * memory between requests. A request continues the previous one when its first samples are exactly
 * the previous request's tail after its last whole segment (the look-ahead the next window or live
 * segment starts with); anything else — a new clip, a dropped live segment, windows that a decoder
 * read separately and that differ by a sample — starts fresh. So the engine's call needs no clip
 * id, and a segment's verdict is the same whether a clip is analysed whole, in windows or live.
 * An all-zero tail is not evidence of continuity (any two silences match) and starts fresh.
 */
export class VoiceActivityStream {
  private previous: { carry: VadCarry; tail: Float32Array } | null = null;

  constructor(private readonly run: VadFrames) {}

  async next(pcm: Float32Array, segmentSamples: number, p: VadParams): Promise<VoiceActivity> {
    const prev = this.previous;
    const continues = prev !== null && prev.carry.state.length === 2 * p.state_size && prev.carry.context.length === p.context_samples
      && startsWith(pcm, prev.tail);
    const activity = await detectVoice(pcm, segmentSamples, p, this.run, continues ? prev.carry : initialCarry(p));
    const whole = Math.floor(pcm.length / segmentSamples) * segmentSamples;
    const tail = pcm.slice(whole);
    this.previous = whole > 0 && tail.length > 0 && tail.some((v) => v !== 0) ? { carry: activity.carry, tail } : null;
    return activity;
  }

  /** Forget the memory: the next request starts fresh. */
  reset(): void {
    this.previous = null;
  }
}

function startsWith(pcm: Float32Array, prefix: Float32Array): boolean {
  if (pcm.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (pcm[i] !== prefix[i]) return false;
  return true;
}
