// The orchestrator: file -> decode -> audio / face / text features in their workers -> the fused
// graph -> result object. Reports progress per stage, stops for real on cancel, and turns every
// failure into a message the user can act on. Models are loaded once and kept between files.
import type { AudioParams, Backend, BackendPreference, FaceBox, FusionInputs, RgbaFrame, Tensor32 } from '../protocol';
import { openMedia, type OpenFailure } from '../decode/media';
import { ffmpegForced } from '../decode/route';
import type { ContainerInfo } from '../decode/sniff';
import { frameChunkSize, segmentsRead, WINDOW_SEGMENTS, windowSampleRange } from '../decode/windows';
import { findFile, parseManifest, textFiles, type Manifest, type ManifestFile } from '../inference/manifest';
import { fetchManifestJson, fetchModelFile } from '../inference/modelFiles';
import { assetBase, modelsBase } from '../inference/paths';
import type { DownloadState, Stage, StageState } from '../state/store';
import { workerClient } from '../workers/client';
import { WindowAggregate } from './aggregate';
import { UserFacingError } from './errors';
import { ensureVoiceActivity } from './voiceActivity';
import { describeProgress, formatDuration, ProgressClock } from './progress';
import { buildResult, segmentCount, type AnalysisResult } from './result';

export interface PipelineReporter {
  stage(stage: Stage, patch: Partial<StageState>): void;
  download(path: string, patch: Partial<DownloadState>): void;
  note(text: string): void;
  backend(backend: Backend, detail: string): void;
  /** The face crops the model will see, one per segment (zeros where `present` is 0); a copy for display. */
  faceCrops?(crops: FaceCrops): void;
}

/**
 * Segment face crops for display: T x size x size grey bytes (0-255, the first channel of what the
 * fusion graph got; zeros where `present` is 0). Bytes, not floats: an hour is 3,750 crops, 8.6 MB
 * as bytes where the graph's float32 copies would be 35 MB.
 */
export interface FaceCrops { pixels: Uint8Array; present: Float32Array; size: number; channels: 1 }

export interface AnalyzeOptions {
  backend: BackendPreference;
  transcript?: string;
  /**
   * Sees each window's fused-graph inputs (segments from `firstSegment` on) just before they are sent
   * and detached: offline dataset preparation (src/cliHook.ts). Windows with no modality present are not run, nor seen.
   */
  onFeatures?: (inputs: FusionInputs, firstSegment: number) => void;
}

/**
 * Files larger than this are refused up front. Nothing is read whole any more (long files stream
 * through ffmpeg.wasm's WORKERFS), but ffmpeg.wasm's file offsets are 32-bit-safe only below 2 GiB.
 */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
/** Frames read per chunk: the face worker detects one chunk while the next is being read. */
const FRAMES_IN_FLIGHT = 4;
/**
 * Longest video analysed: 3 hours (11,250 segments). Memory does not grow with length beyond the
 * result itself (windows of WINDOW_SEGMENTS, audio streamed through ffmpeg.wasm), but time does:
 * every 0.96 s segment costs a seek, a face detection and its share of a fused-graph run, about
 * 0.3 s on this 2-core machine when quiet (e2e/bad-inputs.md, "One hour: measured"), so an hour
 * takes about 20 minutes and 3 hours about an hour — long, but the progress panel says how far it
 * is and how long is left, and Cancel stops it at once. Beyond 3 hours a run would outlast what
 * anyone waits for in a tab (and a film-length file is rarely one speaker's feelings): such files
 * are refused at once, before anything is decoded, with a message saying to cut them.
 */
export const MAX_SECONDS = 3 * 3600;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
const converter = 'the built-in converter (ffmpeg.wasm)';
/** Messages for files refused before or while decoding (also used by tests). */
export const INPUT_ERRORS = Object.freeze({
  empty: (name: string) => `“${name}” is empty (0 bytes). Choose another file.`,
  tooBig: (name: string, bytes: number) =>
    `“${name}” is larger than 2 GB (${gb(bytes)}); this version analyses files up to 2 GB. Trim it or re-encode it smaller (for example 720p H.264/AAC) and try again.`,
  tooLong: (name: string, seconds: number) =>
    `“${name}” is ${formatDuration(seconds)} long; this version analyses up to ${formatDuration(MAX_SECONDS)}. Cut it into parts of at most ${formatDuration(MAX_SECONDS)} and analyse each.`,
  cannotDecode: (name: string) => `Neither the browser nor ${converter} can decode “${name}”: is it a video? Try an MP4 (H.264/AAC) or WebM video.`,
  damaged: (name: string) =>
    `“${name}” looks damaged or incomplete (its index is missing) — was the download or copy finished? Try the complete file, or an MP4 (H.264/AAC) or WebM video.`,
  unreadableVideo: (name: string, codec: string | null) =>
    `“${name}” uses a video format${codec ? ` (${codec})` : ''} neither this browser nor ${converter} can read. Convert it to MP4 (H.264/AAC) or WebM and try again.`,
  videoTrackUnplayable: (name: string, codec: string | null) =>
    `Neither this browser nor ${converter} can play the video track of “${name}”${codec ? ` (${codec})` : ''}; only its sound was analysed. Convert it to MP4 (H.264/AAC) for the face to count.`,
});

/** The message for a file no decoder can open. */
function openFailureMessage(name: string, f: OpenFailure): string {
  if (f.reason === 'damaged') return INPUT_ERRORS.damaged(name);
  if (f.reason === 'unreadableVideo') return INPUT_ERRORS.unreadableVideo(name, f.codec);
  if (f.reason === 'tooLong') return INPUT_ERRORS.tooLong(name, f.seconds);
  return undecodableMessage(name, f.container);
}

/** Why a file neither `<video>` nor ffmpeg.wasm could open cannot be analysed. */
function undecodableMessage(name: string, c: ContainerInfo): string {
  if (c.container === 'mp4' && c.missingIndex) return INPUT_ERRORS.damaged(name);
  if (c.hasVideoTrack && c.videoCodec) return INPUT_ERRORS.unreadableVideo(name, c.videoCodec);
  return INPUT_ERRORS.cannotDecode(name);
}

const tensor = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });

/** The first channel of `count` crops (each `stride` floats in [0, 1]) as grey bytes, for display. */
function greyBytes(faces: Float32Array, count: number, size: number, stride: number): Uint8Array {
  const area = size * size;
  const out = new Uint8Array(count * area);
  for (let k = 0; k < count; k++) {
    for (let p = 0; p < area; p++) out[k * area + p] = Math.round(Math.min(1, Math.max(0, faces[k * stride + p] ?? 0)) * 255);
  }
  return out;
}
const checkAbort = (signal: AbortSignal) => {
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
};

interface Loaded {
  manifest: Manifest;
  fusionGeneration: number;
  faceGeneration: number;
  faceAvailable: boolean;
  textGeneration: number;
  textAvailable: boolean;
  backend: Backend;
}

export class Engine {
  private loaded: Loaded | null = null;
  private manifest: Manifest | null = null;

  /** The validated manifest, fetched once per page. */
  async loadManifest(): Promise<Manifest> {
    this.manifest ??= parseManifest(await fetchManifestJson(new URL('manifest.json', modelsBase()).href));
    return this.manifest;
  }

  /** Downloads (or reads from cache) and verifies model files, then loads each worker, one at a time. */
  async ensureModels(report: PipelineReporter, signal: AbortSignal, preference: BackendPreference): Promise<Loaded> {
    // The audio worker's voice-activity detector: its own generation check (a cancel can end that worker alone).
    await ensureVoiceActivity(await this.loadManifest(), report, signal);
    const fusion = workerClient('fusion');
    const face = workerClient('face');
    const text = workerClient('text');
    const l = this.loaded;
    if (l && l.fusionGeneration === fusion.generation && l.faceGeneration === face.generation && l.textGeneration === text.generation) {
      report.stage('models', { status: 'done', detail: 'already loaded' });
      return l;
    }
    report.stage('models', { status: 'running', progress: 0, detail: 'manifest' });
    const manifest = await this.loadManifest();
    const base = assetBase();

    const download = async (file: ManifestFile) => {
      report.download(file.path, { total: file.bytes, loaded: 0, status: 'downloading' });
      try {
        const { data, source } = await fetchModelFile(file, {
          modelsBase: modelsBase(),
          signal,
          onProgress: (loaded, total) => report.download(file.path, { loaded, total }),
        });
        report.download(file.path, { status: source === 'cache' ? 'cached' : 'verified', loaded: file.bytes });
        return data;
      } catch (e) {
        report.download(file.path, { status: 'error' });
        throw e;
      }
    };

    const fusionFile = findFile(manifest, manifest.fusion.path);
    if (!fusionFile) throw new UserFacingError(`The manifest does not list ${manifest.fusion.path}.`);
    const fusionBytes = await download(fusionFile);
    report.stage('models', { progress: 0.5, detail: 'starting the inference runtime' });
    const ready = await fusion.request(
      { worker: 'fusion', type: 'load', model: fusionBytes, modelName: fusionFile.path, assetBase: base, backend: preference },
      { signal, transfer: [fusionBytes] },
    );
    if (ready.status !== 'ready' || !ready.backend) throw new Error('The fusion worker did not report a backend.');
    report.backend(ready.backend, ready.detail);

    const detectorFile = findFile(manifest, manifest.face.detector);
    const detectorBytes = detectorFile ? await download(detectorFile) : null;
    const faceReady = await face.request(
      { worker: 'face', type: 'load', model: detectorBytes, params: manifest.face, assetBase: base, backend: preference },
      { signal, transfer: detectorBytes ? [detectorBytes] : [] },
    );
    const encoderFiles = textFiles(manifest);
    const encoderModel = `${manifest.text.path}/onnx/model.onnx`;
    for (const f of encoderFiles) if (f.path.endsWith('.json') || f.path === encoderModel) report.download(f.path, { total: f.bytes, loaded: 0, status: 'pending' });
    const textReady = await text.request(
      { worker: 'text', type: 'load', params: manifest.text, assetBase: base, modelsBase: modelsBase(), files: encoderFiles, backend: preference },
      {
        signal,
        onEvent: (e) => {
          if (e.status !== 'progress' || !e.task.startsWith('download ')) return;
          const path = e.task.slice('download '.length);
          const bytes = encoderFiles.find((f) => f.path === path)?.bytes ?? 0;
          report.download(path, { total: bytes, loaded: Math.round(e.progress * bytes), status: e.progress >= 1 ? 'verified' : 'downloading' });
        },
      },
    );
    const faceAvailable = faceReady.status === 'ready' && faceReady.available;
    const textAvailable = textReady.status === 'ready' && textReady.available;
    if (!faceAvailable && faceReady.status === 'ready') report.note(`Visual modality left out: ${faceReady.detail}`);
    if (!textAvailable && textReady.status === 'ready') report.note(`Text modality left out: ${textReady.detail}`);
    report.stage('models', { status: 'done', detail: manifest.model_id });
    this.loaded = {
      manifest, backend: ready.backend,
      fusionGeneration: fusion.generation, faceGeneration: face.generation, faceAvailable,
      textGeneration: text.generation, textAvailable,
    };
    return this.loaded;
  }

  async analyze(file: File, report: PipelineReporter, signal: AbortSignal, opts: AnalyzeOptions): Promise<AnalysisResult> {
    const timings: Record<string, number> = {};
    const started = performance.now();
    const timed = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        timings[key] = (timings[key] ?? 0) + performance.now() - t0; // chunked stages add up
      }
    };
    // Checks that need no decoding come first: nothing is read from a file that will be refused.
    if (file.size === 0) throw new UserFacingError(INPUT_ERRORS.empty(file.name));
    if (file.size > MAX_FILE_BYTES) throw new UserFacingError(INPUT_ERRORS.tooBig(file.name, file.size));
    const manifest = await this.loadManifest();
    // Models load while the file decodes; a bad file is reported without waiting for them.
    const models = timed('models', () => this.ensureModels(report, signal, opts.backend));
    models.catch(() => undefined);
    const audioParams: AudioParams = manifest.audio;
    const { labels } = manifest;
    const crop = manifest.face.crop;

    // ---- decode: probe, choose the decoders (browser or ffmpeg.wasm), decode short audio whole
    report.stage('decode', { status: 'running', detail: file.name });
    const segmentSamples = Math.round(audioParams.segment_seconds * audioParams.sample_rate);
    const opened = await timed('decode', () => openMedia(file, {
      sampleRate: audioParams.sample_rate, segmentSeconds: audioParams.segment_seconds, signal,
      forceFfmpeg: ffmpegForced(globalThis.location?.search ?? ''), maxSeconds: MAX_SECONDS,
      onStep: (detail) => report.stage('decode', { detail }),
    }));
    checkAbort(signal);
    if (!('ok' in opened)) throw new UserFacingError(openFailureMessage(file.name, opened));
    const media = opened;
    try {
      let audio = media.audio;
      const seconds = media.seconds;
      if (seconds > MAX_SECONDS) throw new UserFacingError(INPUT_ERRORS.tooLong(file.name, seconds));
      if (media.videoDropped && audio) report.note(INPUT_ERRORS.videoTrackUnplayable(file.name, media.videoDropped.codec));
      if (!audio && !media.video && seconds <= 0) throw new UserFacingError(`“${file.name}” contains no playable audio or video.`);
      // Segments: exact when the audio was decoded whole; from the duration otherwise (streamed
      // audio settles the count when it ends).
      let expected = segmentCount(audio?.totalSamples ?? null, seconds, audioParams.segment_seconds, audioParams.sample_rate);
      const streamed = expected > WINDOW_SEGMENTS;
      const via = `${media.route.audio === 'ffmpeg' || media.route.video === 'ffmpeg' ? 'ffmpeg.wasm' : 'browser'} decoder`;
      report.stage('decode', {
        status: 'done',
        detail: `${seconds.toFixed(1)} s, ${expected} segment${expected === 1 ? '' : 's'}${streamed ? ` in windows of ${WINDOW_SEGMENTS}` : ''}, ${via}`,
      });

      const { faceAvailable, textAvailable } = await models;
      checkAbort(signal);

      // ---- text: the transcript's class token, when there is a transcript and an encoder (every window uses it)
      let textCls: Float32Array = new Float32Array(manifest.text.dim);
      const transcript = opts.transcript?.trim() ?? '';
      let textPresent = false;
      if (transcript && textAvailable) {
        report.stage('text', { status: 'running' });
        const done = await timed('text', () => workerClient('text').request({ worker: 'text', type: 'encode', text: transcript }, { signal }));
        if (done.status !== 'complete') throw new Error('The text worker returned no encoding.');
        textCls = done.result.cls;
        textPresent = true;
        report.stage('text', { status: 'done', detail: `${done.result.tokens} tokens` });
      } else {
        if (transcript) report.note('Text modality left out: no text encoder is installed.');
        else if (textAvailable) report.note('Text modality left out: no transcript was given.');
        report.stage('text', { status: 'skipped', detail: transcript ? 'no text encoder' : 'no transcript' });
      }

      // ---- windows of WINDOW_SEGMENTS segments: audio features, faces, fused graph; memory holds one window
      const patch = audioParams.patch_frames * audioParams.mel_bins;
      const faceSize = crop.channels * crop.size * crop.size;
      const video = faceAvailable && findFile(manifest, manifest.face.detector) ? media.video : null;
      // Small chunks, so that seeking the next frames overlaps detecting faces in these from the start.
      const chunkSize = video ? Math.min(FRAMES_IN_FLIGHT, frameChunkSize(video.width, video.height)) : 1;
      const aggregate = new WindowAggregate(labels.length);
      const audioMasks: Float32Array[] = [];
      const visualMasks: Float32Array[] = [];
      const faceBoxes: (FaceBox | null)[] = [];
      const cropsForDisplay: Uint8Array[] = [];
      const clock = new ProgressClock(WINDOW_SEGMENTS);
      /** The windows' progress line on the fusion stage: window k of n, segments, time left. */
      const reportProgress = (segmentsDone: number) => {
        const p = clock.snapshot(segmentsDone, expected);
        report.stage('fusion', { progress: p.done / p.total, detail: describeProgress(p) });
      };
      let backend: Backend | null = null;
      let unreadable = 0;
      let done = 0;
      report.stage('audio', audio ? { status: 'running', progress: 0 } : { status: 'skipped', detail: 'no audio track' });
      if (!audio) report.note('Audio modality left out: the file has no audio track that can be decoded.');
      report.stage('face', video ? { status: 'running', progress: 0, detail: `0/${expected} frames` }
        : { status: 'skipped', detail: !media.video ? 'no video track' : 'no face model' });
      report.stage('fusion', { status: 'running', progress: 0 });
      reportProgress(0);
      for (let first = 0; ; first += WINDOW_SEGMENTS) {
        checkAbort(signal);
        // Without audio the duration fixes the count; with it, reading goes on until the audio ends.
        const planned = audio?.totalSamples != null || !audio ? Math.min(WINDOW_SEGMENTS, expected - first) : WINDOW_SEGMENTS;
        if (planned <= 0) break;
        let count = planned;
        let ended = !audio && first + planned >= expected;
        const logMel = new Float32Array(planned * patch);
        let audioMask = new Float32Array(planned);
        if (audio) {
          const range = windowSampleRange({ first, count: planned }, segmentSamples);
          let pcm = await timed('decode', () => audio!.read(range.start, range.length));
          checkAbort(signal);
          if (first === 0 && pcm.length === 0 && audio.totalSamples === null) {
            // A stream ffmpeg lists but cannot decode: go on without audio, the duration fixes T.
            audio = null;
            report.note('Audio modality left out: the audio track could not be decoded.');
            report.stage('audio', { status: 'skipped', detail: 'undecodable audio' });
            first -= WINDOW_SEGMENTS;
            continue;
          }
          const streamedAudio = audio.totalSamples === null;
          ({ count, ended } = segmentsRead({ first, count: planned }, pcm.length, segmentSamples, streamedAudio ? expected : undefined));
          if (count === 0) break;
          if (!ended && pcm.length < range.length) {
            // A gap in the audio before the stated end: silence, so the window keeps its length.
            const padded = new Float32Array(range.length);
            padded.set(pcm);
            pcm = padded;
          }
          if (pcm.length) {
            const feats = await timed('audio', () => workerClient('audio').request(
              { worker: 'audio', type: 'logmel', pcm, params: audioParams },
              { signal, transfer: [pcm.buffer] },
            ));
            if (feats.status !== 'complete') throw new Error('The audio worker returned no features.');
            // The lookahead samples make one extra patch the next window computes again.
            logMel.set(feats.result.logMel.subarray(0, count * patch));
            audioMask = feats.result.audioMask.slice(0, count);
          }
        }
        if (ended && audio?.totalSamples === null) expected = first + count;
        const windowLogMel = count === planned ? logMel : logMel.slice(0, count * patch);
        audioMask = audioMask.length === count ? audioMask : audioMask.slice(0, count);

        // faces at the segment centres, a few frames at a time
        const faces = new Float32Array(count * faceSize);
        const visualMask = new Float32Array(count);
        const boxes: (FaceBox | null)[] = Array.from({ length: count }, () => null);
        if (video) {
          const chunks: [number, number][] = [];
          for (let k0 = 0; k0 < count; k0 += chunkSize) chunks.push([k0, Math.min(count, k0 + chunkSize)]);
          const readChunk = ([k0, k1]: [number, number]) => {
            const read = timed('frames', () => video.read(first + k0, k1 - k0, signal));
            read.catch(() => undefined); // awaited below; this only keeps an abandoned read (cancel) from going unhandled
            return read;
          };
          // The next chunk's seeks (main thread) overlap this chunk's face detection (face worker).
          let nextRead = chunks.length ? readChunk(chunks[0]!) : null;
          for (let c = 0; c < chunks.length; c++) {
            const [k0, k1] = chunks[c]!;
            const grabbed = await nextRead!;
            checkAbort(signal);
            nextRead = c + 1 < chunks.length ? readChunk(chunks[c + 1]!) : null;
            // A frame that could not be read (seek timed out) leaves that segment's face missing.
            const readable = grabbed.flatMap((f, k) => (f ? [k] : []));
            unreadable += k1 - k0 - readable.length;
            const frames = readable.map((k) => grabbed[k] as RgbaFrame);
            if (!frames.length) continue;
            const detected = await timed('face', () => workerClient('face').request(
              { worker: 'face', type: 'detect', frames, times: readable.map((k) => (first + k0 + k + 0.5) * audioParams.segment_seconds) },
              { signal, transfer: frames.map((f) => f.data.buffer) },
            ));
            if (detected.status !== 'complete') throw new Error('The face worker returned no crops.');
            readable.forEach((k, j) => {
              faces.set(detected.result.crops.subarray(j * faceSize, (j + 1) * faceSize), (k0 + k) * faceSize);
              visualMask[k0 + k] = detected.result.visualMask[j] ?? 0;
              boxes[k0 + k] = detected.result.boxes[j] ?? null;
            });
            const seen = first + k1;
            report.stage('face', { progress: Math.min(1, seen / expected), detail: `${seen}/${expected} frames` });
            if (expected > WINDOW_SEGMENTS) reportProgress(seen);
          }
        }
        if (report.faceCrops) cropsForDisplay.push(greyBytes(faces, count, crop.size, faceSize));

        // the fused graph on this window (it needs at least one modality present)
        if (audioMask.some((v) => v > 0) || visualMask.some((v) => v > 0) || textPresent) {
          const inputs: FusionInputs = {
            log_mel: tensor(windowLogMel, [1, count, audioParams.patch_frames, audioParams.mel_bins]),
            faces: tensor(faces, [1, count, crop.channels, crop.size, crop.size]),
            text_cls: tensor(textCls.slice(), [1, manifest.text.dim]),
            audio_mask: tensor(audioMask.slice(), [1, count]),
            visual_mask: tensor(visualMask.slice(), [1, count]),
            text_mask: tensor(new Float32Array([textPresent ? 1 : 0]), [1, 1]),
          };
          opts.onFeatures?.(inputs, first);
          const fused = await timed('fusion', () => workerClient('fusion').request(
            { worker: 'fusion', type: 'run', inputs },
            { signal, transfer: [inputs.log_mel.data.buffer, inputs.faces.data.buffer] },
          ));
          if (fused.status !== 'complete') throw new Error('The fusion worker returned no result.');
          backend = fused.result.backend;
          timings.fusion_graph = (timings.fusion_graph ?? 0) + fused.result.runMs; // session.run alone, for the benchmark
          aggregate.add(fused.result.outputs, audioMask, visualMask);
        } else {
          aggregate.skip(count);
        }
        audioMasks.push(audioMask);
        visualMasks.push(visualMask);
        faceBoxes.push(...boxes);
        done = first + count;
        const progress = Math.min(1, done / Math.max(expected, done));
        if (audio) report.stage('audio', { progress, detail: `${done}/${expected} segments` });
        reportProgress(done);
        if (ended) break;
      }

      const concat = <A extends Float32Array | Uint8Array>(parts: A[], make: (n: number) => A) => {
        const out = make(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) { out.set(p, at); at += p.length; }
        return out;
      };
      const floats = (n: number) => new Float32Array(n);
      const audioMask = concat(audioMasks, floats);
      const visualMask = concat(visualMasks, floats);
      const T = audioMask.length;
      if (audio) {
        const silent = audioMask.every((v) => v === 0);
        if (silent) report.note('Audio modality left out: the soundtrack is silent.');
        report.stage('audio', { status: 'done', progress: 1, detail: silent ? 'silent' : `${audioMask.filter((v) => v > 0).length}/${T} segments with sound` });
      }
      if (video) {
        if (unreadable) report.note(`${unreadable} of ${T} video frames could not be read (the file may be cut short); the face is marked missing there.`);
        const found = visualMask.filter((v) => v > 0).length;
        if (!found) report.note('Visual modality left out: no face was found.');
        report.stage('face', { status: 'done', progress: 1, detail: `face in ${found}/${T} segments` });
      }
      if (report.faceCrops && cropsForDisplay.length) {
        report.faceCrops({ pixels: concat(cropsForDisplay, (n) => new Uint8Array(n)), present: visualMask.slice(), size: crop.size, channels: 1 });
      }
      if (!aggregate.runs || !backend) {
        throw new UserFacingError('Nothing to analyse: no speech was heard, no face was found and there is no transcript.');
      }
      const windows = Math.ceil(T / WINDOW_SEGMENTS);
      report.stage('fusion', { status: 'done', progress: 1, detail: `${windows} window${windows === 1 ? '' : 's'} on ${backend}` });
      timings.total = performance.now() - started;
      return buildResult({
        file: file.name, labels, segmentSeconds: audioParams.segment_seconds, outputs: aggregate.outputs(),
        audioMask, visualMask, textPresent, faceBoxes, backend, timings,
      });
    } finally {
      await media.close().catch(() => undefined);
    }
  }
}

/** The app's one engine: models load once per page. */
export const engine = new Engine();
