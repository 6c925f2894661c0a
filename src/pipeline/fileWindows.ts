// A file's windows (issue 4, docs/CONTRACTS.md "Long clips"): the clip is read WINDOW_SEGMENTS
// segments at a time — the window's samples (plus look-ahead), its frames a few at a time, then the
// shared window step (windowStep.ts) turns them into features and runs the fused graph. Memory
// holds one window; only the per-segment decisions, masks, boxes and display crops grow.
import type { AudioReader, FrameSource } from '../decode/media';
import { frameChunkSize, segmentsRead, WINDOW_SEGMENTS, windowSampleRange } from '../decode/windows';
import type { Backend, FaceBox, FusionInputs, RgbaFrame } from '../protocol';
import { WindowAggregate } from './aggregate';
import type { FaceCrops, PipelineReporter } from './reporter';
import { describeProgress, ProgressClock } from './progress';
import { inStage } from './errors';
import { anyModality, fusionInputs, SEARCH_ALL_VIEWS, trackFrom, type WindowFeatures, type WindowStep } from './windowStep';

/** Frames read per chunk: the face worker detects one chunk while the next is being read. */
const FRAMES_IN_FLIGHT = 4;

export const checkAbort = (signal: AbortSignal) => {
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
};

/** Adds each call's time to `timings[key]` (chunked stages add up). */
export type Timed = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export interface FileWindowsInput {
  step: WindowStep;
  report: PipelineReporter;
  signal: AbortSignal;
  timed: Timed;
  timings: Record<string, number>;
  audio: AudioReader | null;
  video: FrameSource | null;
  /** Segments expected from the duration (streamed audio settles the count when it ends). */
  expected: number;
  /**
   * The class token of the window's words, or null (text masked there): the same for every window
   * with an untimed transcript, the words spoken in each window with timed captions (windowTexts.ts).
   */
  textFor: (first: number, count: number) => Promise<Float32Array | null>;
  onFeatures?: (inputs: FusionInputs, firstSegment: number) => void;
  /**
   * Track, then re-detect faces (default true; false with `?faces=full`): each segment looks first
   * around the previous segment's face; every window's first segment searches the whole frame, so
   * a tracked face never outlives a window (and a window's crops do not depend on the one before).
   */
  trackFaces?: boolean;
}

/** What the windows gave: the clip's graph outputs and everything laid end to end. */
export interface FileWindowsOutput {
  aggregate: WindowAggregate;
  audioMask: Float32Array;
  visualMask: Float32Array;
  faceBoxes: (FaceBox | null)[];
  crops: FaceCrops | null;
  /** Frames that could not be read (their faces are missing). */
  unreadable: number;
  backend: Backend | null;
  /** The audio reader, or null when it turned out to be undecodable. */
  audio: AudioReader | null;
}

/** One window's samples, as read: how many segments they cover and whether the audio ended. */
interface AudioRead { pcm: Float32Array; count: number; ended: boolean }

function concat<A extends Float32Array | Uint8Array>(parts: A[], make: (n: number) => A): A {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The first channel of `count` crops (each `stride` floats in [0, 1]) as grey bytes, for display. */
function greyBytes(faces: Float32Array, count: number, size: number, stride: number): Uint8Array {
  const area = size * size;
  const out = new Uint8Array(count * area);
  for (let k = 0; k < count; k++) {
    for (let p = 0; p < area; p++) out[k * area + p] = Math.round(Math.min(1, Math.max(0, faces[k * stride + p] ?? 0)) * 255);
  }
  return out;
}

export class FileWindows {
  private audio: AudioReader | null;
  private expected: number;
  private readonly aggregate: WindowAggregate;
  private readonly audioMasks: Float32Array[] = [];
  private readonly visualMasks: Float32Array[] = [];
  private readonly faceBoxes: (FaceBox | null)[] = [];
  private readonly crops: Uint8Array[] = [];
  private readonly clock = new ProgressClock(WINDOW_SEGMENTS);
  private unreadable = 0;
  private backend: Backend | null = null;

  constructor(private readonly x: FileWindowsInput) {
    this.audio = x.audio;
    this.expected = x.expected;
    this.aggregate = new WindowAggregate(x.step.manifest.labels.length);
  }

  /** Every window in order, until the audio (or the duration) ends. */
  async run(): Promise<FileWindowsOutput> {
    this.reportProgress(0);
    for (let first = 0; ; first += WINDOW_SEGMENTS) {
      checkAbort(this.x.signal);
      // Without audio the duration fixes the count; with it, reading goes on until the audio ends.
      const planned = this.audio?.totalSamples != null || !this.audio ? Math.min(WINDOW_SEGMENTS, this.expected - first) : WINDOW_SEGMENTS;
      if (planned <= 0) break;
      const read = await this.readAudio(first, planned);
      if (read === 'undecodable') { first -= WINDOW_SEGMENTS; continue; }
      if (read.count === 0) break;
      if (read.ended && this.audio?.totalSamples === null) this.expected = first + read.count;
      await this.window(first, read);
      if (read.ended) break;
    }
    return this.output();
  }

  private output(): FileWindowsOutput {
    const visualMask = concat(this.visualMasks, (n) => new Float32Array(n));
    const size = this.x.step.shape.cropSize;
    return {
      aggregate: this.aggregate, audioMask: concat(this.audioMasks, (n) => new Float32Array(n)), visualMask,
      faceBoxes: this.faceBoxes, unreadable: this.unreadable, backend: this.backend, audio: this.audio,
      crops: this.x.report.faceCrops && this.crops.length
        ? { pixels: concat(this.crops, (n) => new Uint8Array(n)), present: visualMask.slice(), size, channels: 1 } : null,
    };
  }

  /** The window's samples; `undecodable` when a stream ffmpeg lists gives nothing at all (then the audio is left out). */
  private async readAudio(first: number, planned: number): Promise<AudioRead | 'undecodable'> {
    const audio = this.audio;
    if (!audio) return { pcm: new Float32Array(0), count: planned, ended: first + planned >= this.expected };
    const { report, signal, step } = this.x;
    const range = windowSampleRange({ first, count: planned }, step.time);
    let pcm = await inStage('audio', this.x.timed('decode', () => audio.read(range.start, range.length)));
    checkAbort(signal);
    if (first === 0 && pcm.length === 0 && audio.totalSamples === null) {
      // A stream ffmpeg lists but cannot decode: go on without audio, the duration fixes T.
      this.audio = null;
      report.note('Audio modality left out: the audio track could not be decoded.');
      report.stage('audio', { status: 'skipped', detail: 'undecodable audio' });
      return 'undecodable';
    }
    const streamed = audio.totalSamples === null;
    const { count, ended } = segmentsRead({ first, count: planned }, pcm.length, step.time, streamed ? this.expected : undefined);
    if (count > 0 && !ended && pcm.length < range.length) {
      // A gap in the audio before the stated end: silence, so the window keeps its length.
      const padded = new Float32Array(range.length);
      padded.set(pcm);
      pcm = padded;
    }
    return { pcm, count, ended };
  }

  /** One window: features, the fused graph (when some modality is present), progress. */
  private async window(first: number, read: AudioRead): Promise<void> {
    const { step, signal, timed, report } = this.x;
    const { count } = read;
    // The audio worker (log-mel and the voice-activity detector) works while frames are read and faces detected.
    const audio = read.pcm.length ? inStage('audio', timed('audio', () => step.audio(read.pcm, count, signal))) : Promise.resolve(step.silence(count));
    audio.catch(() => undefined); // awaited below; this only keeps a failure during the faces from going unhandled
    const faces = await this.readFaces(first, count);
    const features: WindowFeatures = { ...(await audio), faces: faces.crops, visualMask: faces.visualMask };
    if (report.faceCrops) this.crops.push(greyBytes(faces.crops, count, step.shape.cropSize, step.faceSize));
    await this.fuse(first, features);
    this.audioMasks.push(features.audioMask);
    this.visualMasks.push(features.visualMask);
    this.faceBoxes.push(...faces.boxes);
    const done = first + count;
    if (this.audio) report.stage('audio', { progress: Math.min(1, done / Math.max(this.expected, done)), detail: `${done}/${this.expected} segments` });
    this.reportProgress(done);
  }

  private async fuse(first: number, features: WindowFeatures): Promise<void> {
    const { step, signal, timed, timings } = this.x;
    const textCls = await inStage('text', this.x.textFor(first, features.audioMask.length));
    checkAbort(signal);
    if (!anyModality(features, textCls !== null)) {
      this.aggregate.skip(features.audioMask.length);
      return;
    }
    const inputs = fusionInputs(step.shape, features, textCls);
    this.x.onFeatures?.(inputs, first);
    const fused = await inStage('fusion', timed('fusion', () => step.fuse(inputs, signal)));
    this.backend = fused.backend;
    // session.run alone, for the benchmark: the full run, and the text-masked one apart.
    timings.fusion_graph = (timings.fusion_graph ?? 0) + fused.runMs;
    if (fused.textMaskedRunMs !== null) timings.fusion_graph_text_masked = (timings.fusion_graph_text_masked ?? 0) + fused.textMaskedRunMs;
    this.aggregate.add(fused.outputs, features.audioMask, features.visualMask, textCls !== null);
  }

  /** Faces at the segment centres, a few frames at a time; the next chunk's seeks overlap this chunk's detection. */
  private async readFaces(first: number, count: number): Promise<{ crops: Float32Array; visualMask: Float32Array; boxes: (FaceBox | null)[] }> {
    const { step, signal, timed, report } = this.x;
    const faceSize = step.faceSize;
    const crops = new Float32Array(count * faceSize);
    const visualMask = new Float32Array(count);
    const boxes: (FaceBox | null)[] = Array.from({ length: count }, () => null);
    const video = this.x.video;
    if (!video) return { crops, visualMask, boxes };
    // Small chunks, so that seeking the next frames overlaps detecting faces in these from the start.
    const chunkSize = Math.min(FRAMES_IN_FLIGHT, frameChunkSize(video.width, video.height));
    const chunks: [number, number][] = [];
    for (let k0 = 0; k0 < count; k0 += chunkSize) chunks.push([k0, Math.min(count, k0 + chunkSize)]);
    const readChunk = ([k0, k1]: [number, number]) => {
      const read = inStage('face', timed('frames', () => video.read(first + k0, k1 - k0, signal)));
      read.catch(() => undefined); // awaited below; this only keeps an abandoned read (cancel) from going unhandled
      return read;
    };
    let nextRead = chunks.length ? readChunk(chunks[0]!) : null;
    // The window's first frame searches all views; each chunk then tracks the face its previous chunk ended on.
    const tracking = this.x.trackFaces !== false;
    let previous: FaceBox | null = null;
    for (let c = 0; c < chunks.length; c++) {
      const [k0, k1] = chunks[c]!;
      const grabbed = await nextRead!;
      checkAbort(signal);
      nextRead = c + 1 < chunks.length ? readChunk(chunks[c + 1]!) : null;
      // A frame that could not be read (seek timed out) leaves that segment's face missing.
      const readable = grabbed.flatMap((f, k) => (f ? [k] : []));
      this.unreadable += k1 - k0 - readable.length;
      if (!readable.length) continue;
      const frames = readable.map((k) => grabbed[k] as RgbaFrame);
      const found = await inStage('face', timed('face', () => step.faces(frames, readable.map((k) => first + k0 + k), signal, tracking ? trackFrom(previous) : SEARCH_ALL_VIEWS)));
      if (tracking) previous = found.detections?.at(-1) ?? null;
      readable.forEach((k, j) => {
        crops.set(found.crops.subarray(j * faceSize, (j + 1) * faceSize), (k0 + k) * faceSize);
        visualMask[k0 + k] = found.visualMask[j] ?? 0;
        boxes[k0 + k] = found.boxes[j] ?? null;
      });
      const seen = first + k1;
      report.stage('face', { progress: Math.min(1, seen / this.expected), detail: `${seen}/${this.expected} frames` });
      if (this.expected > WINDOW_SEGMENTS) this.reportProgress(seen);
    }
    return { crops, visualMask, boxes };
  }

  /** The windows' progress line on the fusion stage: window k of n, segments, time left. */
  private reportProgress(segmentsDone: number): void {
    const p = this.clock.snapshot(segmentsDone, this.expected);
    this.x.report.stage('fusion', { progress: p.done / p.total, detail: describeProgress(p) });
  }
}
