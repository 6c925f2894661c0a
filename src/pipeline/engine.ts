// The orchestrator: file -> decode -> audio / face / text features in their workers -> the fused
// graph -> result object. Reports progress per stage, stops for real on cancel, and turns every
// failure into a message the user can act on. Models are loaded once and kept between files.
import type { AudioParams, Backend, BackendPreference, FaceBox, FusionInputs, RgbaFrame, Tensor32 } from '../protocol';
import { decodeAudio } from '../decode/audio';
import { sniffContainer, type ContainerInfo } from '../decode/sniff';
import { FrameReadError, grabFrames, probeVideo } from '../decode/video';
import { findFile, parseManifest, textFiles, type Manifest, type ManifestFile } from '../inference/manifest';
import { fetchManifestJson, fetchModelFile } from '../inference/modelFiles';
import { assetBase, modelsBase } from '../inference/paths';
import type { DownloadState, Stage, StageState } from '../state/store';
import { workerClient } from '../workers/client';
import { isAbort, UserFacingError } from './errors';
import { buildResult, segmentCount, type AnalysisResult } from './result';

export interface PipelineReporter {
  stage(stage: Stage, patch: Partial<StageState>): void;
  download(path: string, patch: Partial<DownloadState>): void;
  note(text: string): void;
  backend(backend: Backend, detail: string): void;
}

export interface AnalyzeOptions { backend: BackendPreference; transcript?: string }

/** Files larger than this are refused up front: decoding them whole would exhaust tab memory. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
/** Frames read and sent to the face worker at a time (about 1.2 MB each at 640 x 480). */
export const FRAME_CHUNK = 16;
/** Longest video analysed in one piece until windowed processing lands (issue 4). */
export const MAX_SECONDS = 20 * 60;
/**
 * Largest file whose audio is decoded in one piece: the browser's audio decoder needs the whole
 * file in memory (twice, briefly), so beyond this a tab runs out of memory or crashes.
 */
export const MAX_DECODE_BYTES = 1024 ** 3;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** Messages for files refused before or while decoding (also used by tests). */
export const INPUT_ERRORS = Object.freeze({
  empty: (name: string) => `“${name}” is empty (0 bytes). Choose another file.`,
  tooBig: (name: string, bytes: number) =>
    `“${name}” is larger than 2 GB (${gb(bytes)}); this version analyses files up to 2 GB. Trim it or re-encode it smaller (for example 720p H.264/AAC) and try again.`,
  tooBigForMemory: (name: string, bytes: number) =>
    `“${name}” is ${gb(bytes)}, too large for this browser tab to decode in memory (up to ${MAX_DECODE_BYTES / 1024 ** 3} GB). Trim it or re-encode it smaller (for example 720p H.264/AAC) and try again.`,
  tooLong: (name: string, seconds: number) =>
    `“${name}” is ${Math.round(seconds / 60)} minutes long; this version analyses up to ${MAX_SECONDS / 60} minutes. Cut it into parts of at most ${MAX_SECONDS / 60} minutes and analyse each.`,
  cannotDecode: (name: string) => `The browser cannot decode “${name}”. Try an MP4 (H.264/AAC) or WebM video.`,
  damaged: (name: string) =>
    `“${name}” looks damaged or incomplete (its index is missing) — was the download or copy finished? Try the complete file, or an MP4 (H.264/AAC) or WebM video.`,
  unsupportedCodec: (name: string, codec: string) =>
    `“${name}” uses a video format (${codec}) this browser cannot read. Convert it to MP4 (H.264/AAC) or WebM and try again.`,
  videoTrackUnplayable: (name: string, codec: string | null) =>
    `This browser cannot play the video track of “${name}”${codec ? ` (${codec})` : ''}; only its sound was analysed. Convert it to MP4 (H.264/AAC) for the face to count.`,
});

/** Why a file neither `<video>` nor the audio decoder could open cannot be analysed. */
function undecodableMessage(name: string, c: ContainerInfo): string {
  if (c.container === 'mp4' && c.missingIndex) return INPUT_ERRORS.damaged(name);
  if (c.hasVideoTrack && c.videoCodec) return INPUT_ERRORS.unsupportedCodec(name, c.videoCodec);
  return INPUT_ERRORS.cannotDecode(name);
}

const tensor = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });
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

    // ---- decode
    report.stage('decode', { status: 'running', detail: file.name });
    const { info, audio, container } = await timed('decode', async () => {
      // Probe (metadata only) and sniff the container before the audio decoder reads the whole file.
      const [info, container] = await Promise.all([probeVideo(file), sniffContainer(file)]);
      checkAbort(signal);
      if (info && info.seconds > MAX_SECONDS) throw new UserFacingError(INPUT_ERRORS.tooLong(file.name, info.seconds));
      if (file.size > MAX_DECODE_BYTES) throw new UserFacingError(INPUT_ERRORS.tooBigForMemory(file.name, file.size));
      const audio = await decodeAudio(await file.arrayBuffer(), audioParams.sample_rate);
      return { info, audio, container };
    });
    checkAbort(signal);
    if (!info && !audio) throw new UserFacingError(undecodableMessage(file.name, container));
    const seconds = audio?.seconds ?? info?.seconds ?? 0;
    if (seconds > MAX_SECONDS) throw new UserFacingError(INPUT_ERRORS.tooLong(file.name, seconds));
    // `<video>` opens some files but silently drops a video track it cannot decode (MPEG-2 in
    // Matroska): say so instead of presenting an audio-only result as if there were no picture.
    if (audio && !info?.hasVideo && container.hasVideoTrack) {
      report.note(INPUT_ERRORS.videoTrackUnplayable(file.name, container.videoCodec));
    }
    if (seconds <= 0) throw new UserFacingError(`“${file.name}” contains no playable audio or video.`);
    const T = segmentCount(audio ? audio.pcm.length : null, seconds, audioParams.segment_seconds, audioParams.sample_rate);
    report.stage('decode', { status: 'done', detail: `${seconds.toFixed(1)} s, ${T} segment${T === 1 ? '' : 's'}` });

    // ---- audio
    const patch = audioParams.patch_frames * audioParams.mel_bins;
    let logMel: Float32Array = new Float32Array(T * patch);
    let audioMask: Float32Array = new Float32Array(T);
    if (audio) {
      report.stage('audio', { status: 'running' });
      const done = await timed('audio', () => workerClient('audio').request(
        { worker: 'audio', type: 'logmel', pcm: audio.pcm, params: audioParams },
        { signal, transfer: [audio.pcm.buffer] },
      ));
      if (done.status !== 'complete') throw new Error('The audio worker returned no features.');
      if (done.result.segmentCount !== T || done.result.logMel.length !== T * patch) {
        throw new Error(`Audio features have ${done.result.segmentCount} segments, expected ${T}.`);
      }
      logMel = done.result.logMel;
      audioMask = done.result.audioMask;
      const silent = audioMask.every((v) => v === 0);
      if (silent) report.note('Audio modality left out: the soundtrack is silent.');
      report.stage('audio', { status: 'done', detail: silent ? 'silent' : `${audioMask.filter((v) => v > 0).length}/${T} segments with sound` });
    } else {
      report.note('Audio modality left out: the file has no audio track the browser can decode.');
      report.stage('audio', { status: 'skipped', detail: 'no audio track' });
    }
    checkAbort(signal);

    // Frames are read in chunks (bounded memory whatever the length); the first chunk is read
    // while the models finish loading, when a face detector is shipped at all.
    const times = Array.from({ length: T }, (_, t) => (t + 0.5) * audioParams.segment_seconds);
    const chunks = Array.from({ length: Math.ceil(T / FRAME_CHUNK) }, (_, i) => times.slice(i * FRAME_CHUNK, (i + 1) * FRAME_CHUNK));
    const framesWanted = Boolean(info?.hasVideo && findFile(manifest, manifest.face.detector));
    const firstFrames = framesWanted && chunks[0] ? timed('frames', () => grabFrames(file, chunks[0] ?? [], signal)) : null;
    firstFrames?.catch(() => undefined);
    const { faceAvailable } = await models;
    checkAbort(signal);

    // ---- faces
    const faceSize = crop.channels * crop.size * crop.size;
    const faces = new Float32Array(T * faceSize);
    const visualMask = new Float32Array(T);
    const faceBoxes: (FaceBox | null)[] = Array.from({ length: T }, () => null);
    if (faceAvailable && firstFrames) {
      report.stage('face', { status: 'running', detail: `0/${T} frames` });
      let unreadable = 0;
      try {
        let offset = 0;
        for (const [i, chunk] of chunks.entries()) {
          const grabbed = i === 0 ? await firstFrames : await timed(`frames`, () => grabFrames(file, chunk, signal));
          // A frame that could not be read (seek timed out) leaves that segment's face missing.
          const readable = grabbed.flatMap((f, k) => (f ? [k] : []));
          unreadable += chunk.length - readable.length;
          const frames = readable.map((k) => grabbed[k] as RgbaFrame);
          if (!frames.length) {
            offset += chunk.length;
            continue;
          }
          const done = await timed('face', () => workerClient('face').request(
            { worker: 'face', type: 'detect', frames, times: readable.map((k) => chunk[k] ?? 0) },
            {
              signal,
              transfer: frames.map((f) => f.data.buffer),
              onEvent: (e) => {
                if (e.status !== 'progress') return;
                const seen = offset + Math.round(e.progress * chunk.length);
                report.stage('face', { progress: seen / T, detail: `${seen}/${T} frames` });
              },
            },
          ));
          if (done.status !== 'complete') throw new Error('The face worker returned no crops.');
          readable.forEach((k, j) => {
            faces.set(done.result.crops.subarray(j * faceSize, (j + 1) * faceSize), (offset + k) * faceSize);
            visualMask[offset + k] = done.result.visualMask[j] ?? 0;
            faceBoxes[offset + k] = done.result.boxes[j] ?? null;
          });
          offset += chunk.length;
        }
        if (unreadable) report.note(`${unreadable} of ${T} video frames could not be read (the file may be cut short); the face is marked missing there.`);
        const found = visualMask.filter((v) => v > 0).length;
        if (!found) report.note('Visual modality left out: no face was found.');
        report.stage('face', { status: 'done', detail: `face in ${found}/${T} segments` });
      } catch (e) {
        if (isAbort(e) || !(e instanceof FrameReadError)) throw e;
        visualMask.fill(0);
        faces.fill(0);
        report.note(`Visual modality left out: the video frames could not be read (${e.message}).`);
        report.stage('face', { status: 'skipped', detail: 'frames unreadable' });
      }
    } else {
      report.stage('face', { status: 'skipped', detail: !info?.hasVideo ? 'no video track' : 'no face model' });
    }
    checkAbort(signal);

    // ---- text: the transcript's class token, when there is a transcript and an encoder
    let textCls: Float32Array = new Float32Array(manifest.text.dim);
    const transcript = opts.transcript?.trim() ?? '';
    const { textAvailable } = await models;
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

    if (!audioMask.some((v) => v > 0) && !visualMask.some((v) => v > 0) && !textPresent) {
      throw new UserFacingError('Nothing to analyse: no speech was heard, no face was found and there is no transcript.');
    }

    // ---- fusion
    report.stage('fusion', { status: 'running' });
    const inputs: FusionInputs = {
      log_mel: tensor(logMel, [1, T, audioParams.patch_frames, audioParams.mel_bins]),
      faces: tensor(faces, [1, T, crop.channels, crop.size, crop.size]),
      text_cls: tensor(textCls, [1, manifest.text.dim]),
      audio_mask: tensor(audioMask.slice(), [1, T]),
      visual_mask: tensor(visualMask.slice(), [1, T]),
      text_mask: tensor(new Float32Array([textPresent ? 1 : 0]), [1, 1]),
    };
    const fused = await timed('fusion', () => workerClient('fusion').request(
      { worker: 'fusion', type: 'run', inputs },
      { signal, transfer: [inputs.log_mel.data.buffer, inputs.faces.data.buffer] },
    ));
    if (fused.status !== 'complete') throw new Error('The fusion worker returned no result.');
    report.stage('fusion', { status: 'done', detail: `${fused.result.runMs.toFixed(0)} ms on ${fused.result.backend}` });
    timings.total = performance.now() - started;
    return buildResult({
      file: file.name, labels, segmentSeconds: audioParams.segment_seconds, outputs: fused.result.outputs,
      audioMask, visualMask, textPresent, faceBoxes, backend: fused.result.backend, timings,
    });
  }
}

/** The app's one engine: models load once per page. */
export const engine = new Engine();
