// The orchestrator: file -> decode -> audio / face / text features in their workers -> the fused
// graph -> result object. Reports progress per stage, stops for real on cancel, and turns every
// failure into a message the user can act on. Models are loaded once and kept between files.
import type { Backend, BackendPreference, FusionInputs } from '../protocol';
import { openMedia, type OpenedMedia, type OpenFailure } from '../decode/media';
import { pageSwitch } from '../decode/route';
import type { ContainerInfo } from '../decode/sniff';
import type { Cue } from '../features/text/subtitles';
import { WINDOW_SEGMENTS } from '../decode/windows';
import { findFile, parseManifest, textFiles, type Manifest, type ManifestFile } from '../inference/manifest';
import { checkFusionGraph } from '../inference/fusionGraphCheck';
import { fetchManifestJson } from '../inference/modelFiles';
import { assetBase, modelsBase } from '../inference/paths';
import { clipSegmentCount, timeBase } from '../timebase';
import { workerCalls } from '../workers/calls';
import { workerClient } from '../workers/client';
import { failedStage, failureOf as failureIn, humanizeError, inStage, isAbort, UserFacingError } from './errors';
import { allOrNone } from './together';
import { textEncoderFile } from '../features/text/encoderFile';
import { ensureVoiceActivity } from './voiceActivity';
import { primeRuntime } from '../inference/preload';
import { SharedLoad, type Reports } from '../inference/sharedLoad';
import { checkAbort, FileWindows, type FileWindowsOutput, type Timed } from './fileWindows';
import { downloadModel } from './modelDownload';
import { formatDuration } from './progress';
import type { PipelineReporter } from './reporter';
import { buildResult, type AnalysisResult } from './result';
import { WindowStep } from './windowStep';
import { finishText, planText, wordsFor } from './words';

export type { EmbeddedWords, FaceCrops, PipelineReporter } from './reporter';

export interface AnalyzeOptions {
  backend: BackendPreference;
  transcript?: string;
  /**
   * The transcript's timed cues, when it came from captions (a subtitle file, SRT/VTT pasted): each
   * window then gets the words spoken in it (windowTexts.ts). Without them the transcript is one
   * text for every window.
   */
  cues?: readonly Cue[] | null;
  /**
   * Which of the file's own subtitle tracks to use when no transcript is given (`0:s:N`); default:
   * the first text track. A transcript given (typed, pasted, dropped) always wins over them.
   */
  subtitleTrack?: number | null;
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
/**
 * Longest video analysed: 3 hours (11,250 segments). Memory does not grow with length beyond the
 * result itself (windows of WINDOW_SEGMENTS, audio streamed through ffmpeg.wasm), but time does:
 * every segment costs a seek, a face detection and its share of a fused-graph run, about
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


interface Loaded {
  manifest: Manifest;
  fusionGeneration: number;
  faceGeneration: number;
  faceAvailable: boolean;
  textGeneration: number;
  textAvailable: boolean;
  backend: Backend;
}

/** One analysis's clock: per-stage times (chunked stages add up) and the total. */
function stopwatch(): { timings: Record<string, number>; timed: Timed; started: number } {
  const timings: Record<string, number> = {};
  const timed: Timed = async (key, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[key] = (timings[key] ?? 0) + performance.now() - t0;
    }
  };
  return { timings, timed, started: performance.now() };
}

/** The fused graph into its worker; resolves to the backend that really runs it. */
async function loadFusion(manifest: Manifest, report: PipelineReporter, signal: AbortSignal, backend: BackendPreference): Promise<Backend> {
  const file = findFile(manifest, manifest.fusion.path);
  if (!file) throw new UserFacingError(`The manifest does not list ${manifest.fusion.path}.`);
  const model = await downloadModel(file, report, signal);
  // A graph made for other labels (or another time base) than the manifest's is refused before it runs, never shown relabelled.
  const mismatch = checkFusionGraph(new Uint8Array(model), manifest, file.path);
  if (mismatch) throw new UserFacingError(mismatch);
  report.stage('models', { progress: 0.5, detail: 'starting the inference runtime' });
  const ready = await workerClient('fusion').load(
    { worker: 'fusion', type: 'load', model, modelName: file.path, assetBase: assetBase(), backend }, { signal },
  );
  if (!ready.backend) throw new Error('The fusion worker did not report a backend.');
  report.backend(ready.backend, ready.detail);
  return ready.backend;
}

/** The face detector into its worker (when shipped); false, with a note, when faces cannot be read. */
async function loadFace(manifest: Manifest, report: PipelineReporter, signal: AbortSignal, backend: BackendPreference): Promise<boolean> {
  const file = findFile(manifest, manifest.face.detector);
  const model = file ? await downloadModel(file, report, signal) : null;
  const ready = await workerClient('face').load(
    { worker: 'face', type: 'load', model, params: manifest.face, assetBase: assetBase(), backend }, { signal },
  );
  if (!ready.available) report.note(`Visual modality left out: ${ready.detail}`);
  return ready.available;
}

/** The text encoder into its worker (transformers.js fetches its files through the verified store). */
async function loadText(manifest: Manifest, report: PipelineReporter, signal: AbortSignal, backend: BackendPreference): Promise<boolean> {
  const files = textFiles(manifest);
  const encoderModel = `${manifest.text.path}/${textEncoderFile(manifest.text.dtype)}`;
  const asked = files.filter((f) => f.path.endsWith('.json') || f.path === encoderModel);
  for (const f of asked) report.download(f.path, { total: f.bytes, loaded: 0, status: 'pending' });
  // The worker fetches these itself: any it had not finished when the load ended (stopped, failed, or
  // not needed) are said to be not fetched, never left "waiting" or "downloading".
  const unsettled = new Set(asked.map((f) => f.path));
  const settle = () => { for (const path of unsettled) report.download(path, { status: 'stopped' }); };
  const ready = await workerClient('text').load(
    { worker: 'text', type: 'load', params: manifest.text, assetBase: assetBase(), modelsBase: modelsBase(), files, backend },
    {
      signal,
      onEvent: (e) => {
        if (e.status !== 'progress' || !e.task.startsWith('download ')) return;
        const path = e.task.slice('download '.length);
        const bytes = files.find((f) => f.path === path)?.bytes ?? 0;
        if (e.progress >= 1) unsettled.delete(path);
        report.download(path, { total: bytes, loaded: Math.round(e.progress * bytes), status: e.progress >= 1 ? 'verified' : 'downloading' });
      },
    },
  ).finally(settle);
  if (!ready.available) report.note(`Text modality left out: ${ready.detail}`);
  return ready.available;
}

/** Probes and opens the file (browser decoders or ffmpeg.wasm); refuses what cannot be analysed. */
async function openFile(file: File, manifest: Manifest, report: PipelineReporter, signal: AbortSignal, timed: Timed): Promise<OpenedMedia> {
  report.stage('decode', { status: 'running', detail: file.name });
  const opened = await timed('decode', () => openMedia(file, {
    sampleRate: manifest.audio.sample_rate, segmentSeconds: manifest.audio.segment_seconds, signal,
    forceFfmpeg: pageSwitch(globalThis.location?.search ?? '', 'ffmpeg'), seekFrames: pageSwitch(globalThis.location?.search ?? '', 'seeking'), maxSeconds: MAX_SECONDS,
    onStep: (detail) => report.stage('decode', { detail }),
  }));
  checkAbort(signal);
  if (!('ok' in opened)) throw new UserFacingError(openFailureMessage(file.name, opened));
  return opened;
}

/** Checks what was opened and says how many segments to expect: exact when the audio was decoded whole, from the duration otherwise. */
function plannedSegments(file: File, media: OpenedMedia, manifest: Manifest, report: PipelineReporter): number {
  const { seconds, audio } = media;
  if (seconds > MAX_SECONDS) throw new UserFacingError(INPUT_ERRORS.tooLong(file.name, seconds));
  if (media.videoDropped && audio) report.note(INPUT_ERRORS.videoTrackUnplayable(file.name, media.videoDropped.codec));
  if (!audio && !media.video && seconds <= 0) throw new UserFacingError(`“${file.name}” contains no playable audio or video.`);
  const expected = clipSegmentCount(audio?.totalSamples ?? null, seconds, timeBase(manifest.audio));
  const streamed = expected > WINDOW_SEGMENTS;
  const via = `${media.route.audio === 'ffmpeg' || media.route.video === 'ffmpeg' ? 'ffmpeg.wasm' : 'browser'} decoder`;
  report.stage('decode', {
    status: 'done',
    detail: `${seconds.toFixed(1)} s, ${expected} segment${expected === 1 ? '' : 's'}${streamed ? ` in windows of ${WINDOW_SEGMENTS}` : ''}, ${via}`,
  });
  return expected;
}

/** The audio, face and fusion stages as the windows start. */
function startStages(media: OpenedMedia, video: OpenedMedia['video'], expected: number, report: PipelineReporter): void {
  report.stage('audio', media.audio ? { status: 'running', progress: 0 } : { status: 'skipped', detail: 'no audio track' });
  if (!media.audio) report.note('Audio modality left out: the file has no audio track that can be decoded.');
  report.stage('face', video ? { status: 'running', progress: 0, detail: `0/${expected} frames` }
    : { status: 'skipped', detail: !media.video ? 'no video track' : 'no face model' });
  report.stage('fusion', { status: 'running', progress: 0 });
}

/** What the windows found, said once they are all done; throws when nothing could be analysed. */
function finishStages(w: FileWindowsOutput, hadVideo: boolean, report: PipelineReporter): Backend {
  const T = w.audioMask.length;
  if (w.audio) {
    const silent = w.audioMask.every((v) => v === 0);
    // The mask is voice activity (Silero VAD above the -50 dBFS floor): music, a tone or noise is not a voice.
    if (silent) report.note('Audio modality left out: no voice was heard (the sound is silent, or only music, tones or noise).');
    report.stage('audio', { status: 'done', progress: 1, detail: silent ? 'no voice' : `${w.audioMask.filter((v) => v > 0).length}/${T} segments with a voice` });
  }
  if (hadVideo) {
    if (w.unreadable) report.note(`${w.unreadable} of ${T} video frames could not be read (the file may be cut short); the face is marked missing there.`);
    const found = w.visualMask.filter((v) => v > 0).length;
    if (!found) report.note('Visual modality left out: no face was found.');
    report.stage('face', { status: 'done', progress: 1, detail: `face in ${found}/${T} segments` });
  }
  if (w.crops) report.faceCrops?.(w.crops);
  if (!w.aggregate.runs || !w.backend) {
    throw new UserFacingError('Nothing to analyse: no speech was heard, no face was found and there is no transcript.');
  }
  const windows = Math.ceil(T / WINDOW_SEGMENTS);
  report.stage('fusion', { status: 'done', progress: 1, detail: `${windows} window${windows === 1 ? '' : 's'} on ${w.backend}` });
  return w.backend;
}

export class Engine {
  private loaded: Loaded | null = null;
  private manifest: Manifest | null = null;

  /** The validated manifest, fetched once per page. */
  async loadManifest(): Promise<Manifest> {
    this.manifest ??= parseManifest(await fetchManifestJson(new URL('manifest.json', modelsBase()).href));
    return this.manifest;
  }

  /** The window step (features and fused graph through the workers) for this page's manifest. */
  windowStep(manifest: Manifest): WindowStep {
    return new WindowStep(manifest, workerCalls);
  }

  /**
   * Downloads (or reads from cache) and verifies model files, then loads every worker at once
   * (each creates its session in its own thread). A load under way (the page's idle-time preload,
   * live mode, another file) is joined, not repeated (inference/sharedLoad.ts).
   */
  ensureModels(report: PipelineReporter, signal: AbortSignal, preference: BackendPreference): Promise<Loaded> {
    if (this.modelLoad.busy) report.stage('models', { status: 'running', detail: 'in their workers' });
    return this.modelLoad.run(report, signal, (r, s) => this.loadModels(r, s, preference));
  }

  private readonly modelLoad = new SharedLoad<Loaded>();

  private async loadModels(report: Reports, signal: AbortSignal, preference: BackendPreference): Promise<Loaded> {
    const manifest = await this.loadManifest();
    const generations = () => [workerClient('fusion').generation, workerClient('face').generation, workerClient('text').generation];
    const l = this.loaded;
    if (l && [l.fusionGeneration, l.faceGeneration, l.textGeneration].every((g, i) => g === generations()[i])) {
      // The audio worker's voice-activity detector: its own generation check (a cancel can end that worker alone).
      await ensureVoiceActivity(manifest, report, signal);
      report.stage('models', { status: 'done', detail: 'already loaded' });
      return l;
    }
    report.stage('models', { status: 'running', progress: 0, detail: 'manifest' });
    let loaded: [Backend, boolean, boolean, void];
    try {
      await primeRuntime(); // one download of the runtime's wasm for the workers starting together
      // One model failing stops the others, and each file then says how it ended (together.ts).
      loaded = await allOrNone<[Backend, boolean, boolean, void]>(signal, [
        (s) => loadFusion(manifest, report, s, preference), (s) => loadFace(manifest, report, s, preference), (s) => loadText(manifest, report, s, preference),
        (s) => ensureVoiceActivity(manifest, report, s),
      ]);
    } catch (e) {
      // Said here, at once, to every caller of the shared load (a file's analysis may still be decoding).
      if (!isAbort(e)) report.stage('models', { status: 'error', reason: humanizeError(e) });
      throw isAbort(e) ? e : failureIn(e, 'models');
    }
    const [backend, faceAvailable, textAvailable] = loaded;
    report.stage('models', { status: 'done', detail: manifest.model_id });
    const [fusionGeneration, faceGeneration, textGeneration] = generations() as [number, number, number];
    this.loaded = { manifest, backend, fusionGeneration, faceGeneration, faceAvailable, textGeneration, textAvailable };
    return this.loaded;
  }

  /**
   * One file: refuse what cannot be analysed, decode, transcript, windows, result. A failure is
   * reported on the stage it came from (`status: 'error'` with the reason); the page marks the
   * stages still running as stopped and those not started as not run.
   */
  async analyze(file: File, report: PipelineReporter, signal: AbortSignal, opts: AnalyzeOptions): Promise<AnalysisResult> {
    try {
      return await this.analyzeStages(file, report, signal, opts);
    } catch (e) {
      const stage = failedStage(e);
      if (stage && !isAbort(e)) report.stage(stage, { status: 'error', reason: humanizeError(e) });
      throw e;
    }
  }

  private async analyzeStages(file: File, report: PipelineReporter, signal: AbortSignal, opts: AnalyzeOptions): Promise<AnalysisResult> {
    const { timings, timed, started } = stopwatch();
    // Checks that need no decoding come first: nothing is read from a file that will be refused.
    if (file.size === 0) throw failureIn(new UserFacingError(INPUT_ERRORS.empty(file.name)), 'decode');
    if (file.size > MAX_FILE_BYTES) throw failureIn(new UserFacingError(INPUT_ERRORS.tooBig(file.name, file.size)), 'decode');
    const manifest = await inStage('models', () => this.loadManifest());
    // Models load while the file decodes; a bad file is reported without waiting for them.
    const models = inStage('models', timed('models', () => this.ensureModels(report, signal, opts.backend)));
    models.catch(() => undefined);
    const media = await inStage('decode', openFile(file, manifest, report, signal, timed));
    try {
      const expected = await inStage('decode', async () => plannedSegments(file, media, manifest, report));
      const { faceAvailable, textAvailable } = await models;
      checkAbort(signal);
      const step = this.windowStep(manifest);
      const words = await inStage('text', wordsFor(file, media, opts, report, signal, timed));
      const text = await inStage('text', planText(words.transcript, words.cues, textAvailable, step, report, signal, timed));
      const video = faceAvailable && findFile(manifest, manifest.face.detector) ? media.video : null;
      startStages(media, video, expected, report);
      // Each worker call inside marks its own stage (fileWindows.ts); anything else there is the windows' (fusion).
      const windows = await inStage('fusion', new FileWindows({
        step, report, signal, timed, timings, audio: media.audio, video, expected, textFor: text.textFor, onFeatures: opts.onFeatures,
        trackFaces: !pageSwitch(globalThis.location?.search ?? '', 'fullFaceSearch'),
      }).run());
      const backend = await inStage('fusion', async () => finishStages(windows, video !== null, report));
      finishText(text, report);
      timings.total = performance.now() - started;
      return buildResult({
        file: file.name, labels: manifest.labels, segmentSeconds: step.time.segmentSeconds, outputs: windows.aggregate.outputs(),
        audioMask: windows.audioMask, visualMask: windows.visualMask, textPresent: text.present(), faceBoxes: windows.faceBoxes, backend, timings,
      });
    } finally {
      await media.close().catch(() => undefined);
    }
  }
}

/** The app's one engine: models load once per page. */
export const engine = new Engine();
