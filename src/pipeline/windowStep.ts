// One window step, shared by the file engine (windows of up to 32 segments) and live mode (the
// last few segments): log-mel of the window's samples, faces at its segment centres, and the fused
// graph on its features, each a typed worker call that stops when the signal aborts.
//
// Each modality's own decision is its own (issue 13): the voice and face decisions the app shows
// are the graph's with the transcript masked (text_mask = 0), so the words cannot decide them
// through the SEMs. With a transcript the fusion worker therefore runs the graph twice on the same
// features within the one request (src/workers/fusionRun.ts): the full run gives the fused decision,
// α and the text decision; the text-masked run the voice and face decisions (clip and segments).
// Without a transcript the one run already has text masked.
import type { FaceBox, FaceResult, FusionInputs, FusionResult, RgbaFrame, Tensor32, TextResult } from '../protocol';
import type { Manifest } from '../inference/manifest';
import type { WorkerCalls } from '../workers/calls';
import { segmentCentre, timeBase, type TimeBase } from '../timebase';

/** A window's features, one entry per segment, in the fused graph's layout. */
export interface WindowFeatures {
  /** `[count * patch_frames * mel_bins]`. */
  logMel: Float32Array;
  /** `[count * C * S * S]`, zeros where no face was found. */
  faces: Float32Array;
  audioMask: Float32Array;
  visualMask: Float32Array;
}

/**
 * The fused graph's outputs for one window, with the voice and face decisions from the text-masked
 * run; `runMs` the full run's session.run, `textMaskedRunMs` the text-masked run's (null: one run).
 */
export type FusedWindow = FusionResult;

/** Shapes of the fused graph's inputs, from the manifest. */
export interface GraphShape { patchFrames: number; melBins: number; channels: number; cropSize: number; textDim: number }

export const graphShape = (m: Manifest): GraphShape => ({
  patchFrames: m.audio.patch_frames, melBins: m.audio.mel_bins, channels: m.face.crop.channels, cropSize: m.face.crop.size, textDim: m.text.dim,
});

const tensor = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });

/** A window's features and the transcript's class token (null: no transcript) as the graph's inputs, batch 1. */
export function fusionInputs(shape: GraphShape, f: WindowFeatures, textCls: Float32Array | null): FusionInputs {
  const T = f.audioMask.length;
  return {
    log_mel: tensor(f.logMel, [1, T, shape.patchFrames, shape.melBins]),
    faces: tensor(f.faces, [1, T, shape.channels, shape.cropSize, shape.cropSize]),
    text_cls: tensor(textCls ? Float32Array.from(textCls) : new Float32Array(shape.textDim), [1, shape.textDim]),
    audio_mask: tensor(f.audioMask.slice(), [1, T]),
    visual_mask: tensor(f.visualMask.slice(), [1, T]),
    text_mask: tensor(new Float32Array([textCls ? 1 : 0]), [1, 1]),
  };
}

/** True when the graph has something to judge: a segment with sound or a face, or a transcript. */
export const anyModality = (f: Pick<WindowFeatures, 'audioMask' | 'visualMask'>, textPresent: boolean): boolean =>
  textPresent || f.audioMask.some((v) => v > 0) || f.visualMask.some((v) => v > 0);

/**
 * Where a segment's face search starts: every view of the frame (what finds the small faces of wide
 * shots), or the face the previous segment ended on (`previous`: null when none was found yet),
 * re-detecting over all views on a miss.
 */
export type FaceSearch = { readonly kind: 'all-views' } | { readonly kind: 'track'; readonly previous: FaceBox | null };
export const SEARCH_ALL_VIEWS: FaceSearch = Object.freeze({ kind: 'all-views' });
export const trackFrom = (previous: FaceBox | null): FaceSearch => ({ kind: 'track', previous });

export class WindowStep {
  readonly time: TimeBase;
  readonly shape: GraphShape;
  readonly patchSize: number;
  readonly faceSize: number;

  constructor(readonly manifest: Manifest, private readonly calls: WorkerCalls) {
    this.time = timeBase(manifest.audio);
    this.shape = graphShape(manifest);
    this.patchSize = this.shape.patchFrames * this.shape.melBins;
    this.faceSize = this.shape.channels * this.shape.cropSize * this.shape.cropSize;
  }

  /**
   * Log-mel patches and sound mask of `count` segments from their samples (plus look-ahead; the
   * samples are transferred). Segments the samples do not reach stay zero (silent).
   */
  async audio(pcm: Float32Array, count: number, signal?: AbortSignal): Promise<Pick<WindowFeatures, 'logMel' | 'audioMask'>> {
    const { logMel, audioMask } = this.silence(count);
    if (!pcm.length) return { logMel, audioMask };
    const r = await this.calls.logMel(pcm, this.manifest.audio, { signal });
    // The look-ahead samples make one extra patch the next window computes again.
    logMel.set(r.logMel.subarray(0, count * this.patchSize));
    audioMask.set(r.audioMask.subarray(0, count));
    return { logMel, audioMask };
  }

  /** `count` silent segments: zero patches, sound masked. */
  silence(count: number): Pick<WindowFeatures, 'logMel' | 'audioMask'> {
    return { logMel: new Float32Array(count * this.patchSize), audioMask: new Float32Array(count) };
  }

  /** Faces in `frames`, the frames of segments `indexes` (their centres are the times); the frames are transferred. */
  faces(frames: RgbaFrame[], indexes: number[], signal?: AbortSignal, search: FaceSearch = SEARCH_ALL_VIEWS): Promise<FaceResult> {
    const times = indexes.map((t) => segmentCentre(t, this.time.segmentSeconds));
    return this.calls.detectFaces(frames, times, search.kind === 'track' ? { signal, track: search.previous } : { signal });
  }

  /** The transcript's class token. */
  async text(transcript: string, signal?: AbortSignal): Promise<TextResult> {
    return this.calls.encodeText(transcript, { signal });
  }

  /** The fused graph on a window's inputs: one worker request, which runs it twice with a transcript (see the header). */
  fuse(inputs: FusionInputs, signal?: AbortSignal): Promise<FusedWindow> {
    return this.calls.runFusion(inputs, { signal });
  }
}
