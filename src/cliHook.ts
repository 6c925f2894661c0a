// A small, additive hook for `npm run analyze` (scripts/analyze.mjs): the command line drives this
// same page in headless Chromium and calls `window.__merAnalyze` with a file's bytes, so the CLI
// runs exactly the app's pipeline (decoders, workers, models, fused graph). `window.__merResult`
// exposes the result of the last analysis made through the UI, for the browser/CLI parity test.
// With `features`, the outcome also carries the fused graph's inputs exactly as the pipeline fed
// them (log-mel patches, face crops, masks, I_t): `npm run prepare-dataset` turns them into the
// feature files training reads, so the model learns from what the browser computes.
// `window.__merFrames` reads frames through either frame reader, for their parity test and timings.
// Nothing here fetches anything or changes what the page does for a user.
import { decodeAudio } from './decode/audio';
import { openFrameReader, probeVideo } from './decode/video';
import { openWebCodecsFrames } from './decode/webcodecs';
import type { BackendPreference, FusionInputs, RgbaFrame, Tensor32 } from './protocol';
import { parseSubtitles, transcriptFor, type Cue } from './features/text/subtitles';
import type { TextWindow } from './pipeline/windowTexts';
import { engine, type PipelineReporter } from './pipeline/engine';
import { humanizeError } from './pipeline/errors';
import type { AnalysisResult } from './pipeline/result';
import { useAppStore } from './state/store';
import { resultForExport } from './export/json';
import { readingOf, type Reading } from './export/reading';
import { trustSentence } from './pipeline/reliability';
import { cliStageLines } from './cliProgress';

export interface CliAnalyzeOptions {
  backend?: BackendPreference;
  transcript?: string;
  /** The text of a .srt/.vtt file: its timed cues give each window the words spoken in it, as in the page. */
  subtitles?: string;
  subtitlesName?: string;
  /** Also return the fused graph's inputs (`CliFeatures`). */
  features?: boolean;
  /** Also return the decoded 16 kHz mono waveform (`features.pcm`), for the front-end parity tests. */
  pcm?: boolean;
}

/** A float32 tensor as little-endian bytes in base64 (page -> command line without a JSON number per value). */
export interface CliTensor { dims: number[]; base64: string }

/** The fused graph's inputs, batch dimension dropped, plus what produced them. */
export interface CliFeatures {
  tensors: Partial<Record<keyof FusionInputs | 'pcm', CliTensor>>;
  /** The model manifest's id and front-end parameters the tensors were computed with. */
  manifest: { model_id: string; audio: unknown; face: unknown; text: unknown };
}

export type CliAnalyzeOutcome =
  | { ok: true; result: AnalysisResult; notes: string[]; features?: CliFeatures; reading: Reading }
  | { ok: false; error: string; notes: string[] };

function base64(data: Float32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

const PER_SEGMENT = Object.freeze(['log_mel', 'faces', 'audio_mask', 'visual_mask'] as const);

/**
 * The whole clip's inputs from the engine's windows (`first` segment, inputs), batch dimension
 * dropped. A window the engine did not run (no modality present in it) stays zero with masks 0.
 */
export function assembleWindows(windows: { first: number; inputs: FusionInputs }[], segments: number): Partial<Record<keyof FusionInputs, Tensor32>> {
  const [w0] = windows;
  if (!w0) return {};
  const out: Partial<Record<keyof FusionInputs, Tensor32>> = {};
  for (const key of PER_SEGMENT) {
    const perSegmentDims = w0.inputs[key].dims.slice(2);
    const size = perSegmentDims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(segments * size);
    for (const { first, inputs } of windows) data.set(inputs[key].data.subarray(0, Math.max(0, Math.min(inputs[key].data.length, (segments - first) * size))), first * size);
    out[key] = { data, dims: [segments, ...perSegmentDims] };
  }
  // I_t of the first window (with timed captions each window has its own; training reads one per clip).
  out.text_cls = { data: w0.inputs.text_cls.data.slice(), dims: w0.inputs.text_cls.dims.slice(1) };
  out.text_mask = { data: w0.inputs.text_mask.data.slice(), dims: w0.inputs.text_mask.dims.slice(1) };
  return out;
}

const cliTensor = (t: Tensor32): CliTensor => ({ dims: t.dims, base64: base64(t.data) });

/** A copy of a window's inputs: the engine transfers the originals to the fusion worker. */
const copyInputs = (inputs: FusionInputs): FusionInputs =>
  Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { data: t.data.slice(), dims: t.dims.slice() }])) as unknown as FusionInputs;

declare global {
  interface Window {
    __merAnalyze?: (bytes: Uint8Array<ArrayBuffer> | ArrayBuffer | Blob, name: string, opts?: CliAnalyzeOptions) => Promise<CliAnalyzeOutcome>;
    __merResult?: () => AnalysisResult | null;
    /** Downloads (or reads from cache) and loads every model; `npm run bench` times cold and warm starts with it. */
    __merLoadModels?: (opts?: { backend?: BackendPreference }) => Promise<{ ok: true; ms: number; backend: string } | { ok: false; error: string }>;
    /** The frames at `times` through one frame reader (`reader: null` when it declines the file), read `chunk` at a time, timed from opening it: parity tests and timings of the two readers. */
    __merFrames?: (file: Blob, times: number[], reader: 'webcodecs' | 'seek', chunk?: number) => Promise<FramesOutcome>;
  }
}

export interface FramesOutcome { reader: 'webcodecs' | 'seek' | null; ms: number; width: number; height: number; frames: (RgbaFrame | null)[] }

/** Opens `file` with one frame reader and reads `times` (src/decode/webcodecs.ts, src/decode/video.ts). */
async function readFramesWith(file: Blob, times: number[], which: 'webcodecs' | 'seek', chunk = times.length): Promise<FramesOutcome> {
  const shown = await probeVideo(file);
  const started = performance.now();
  const reader = !shown?.hasVideo ? null : which === 'webcodecs' ? await openWebCodecsFrames(file, shown) : await openFrameReader(file);
  if (!reader) return { reader: null, ms: 0, width: 0, height: 0, frames: [] };
  try {
    // In chunks, each offered the times after it, as the pipeline reads (src/pipeline/fileWindows.ts).
    const frames: (RgbaFrame | null)[] = [];
    for (let k = 0; k < times.length; k += chunk) frames.push(...await reader.read(times.slice(k, k + chunk), undefined, times.slice(k + chunk)));
    return { reader: which, ms: performance.now() - started, width: reader.width, height: reader.height, frames };
  } finally {
    reader.close();
  }
}

export function installCliHook(): void {
  window.__merResult = () => useAppStore.getState().result;
  window.__merFrames = readFramesWith;
  window.__merLoadModels = async (opts = {}) => {
    const quiet: PipelineReporter = { stage: () => undefined, download: () => undefined, note: () => undefined, backend: () => undefined };
    const started = performance.now();
    try {
      const loaded = await engine.ensureModels(quiet, new AbortController().signal, opts.backend ?? 'auto');
      return { ok: true, ms: performance.now() - started, backend: loaded.backend };
    } catch (e) {
      return { ok: false, error: humanizeError(e) };
    }
  };
  window.__merAnalyze = async (bytes, name, opts = {}) => {
    const notes: string[] = [];
    const stageLine = cliStageLines();
    // Stage changes go to the console, where the command line shows them as progress.
    const reporter: PipelineReporter = {
      stage: (stage, patch) => { const line = stageLine(stage, patch); if (line) console.info(`[mer-cli] ${line}`); },
      download: () => undefined,
      note: (t) => notes.push(t),
      backend: (b, detail) => console.info(`[mer-cli] backend: ${b}${detail ? ` (${detail})` : ''}`),
    };
    try {
      let transcript = opts.transcript;
      let cues: Cue[] | null = null;
      if (opts.subtitles !== undefined) {
        const parsed = parseSubtitles(opts.subtitles, opts.subtitlesName ?? '');
        if (!parsed.ok) return { ok: false, error: parsed.error, notes };
        transcript = transcriptFor(parsed.cues, 0, Infinity);
        cues = parsed.cues;
      }
      let textWindows: TextWindow[] | null = null;
      reporter.textWindows = (w) => { textWindows = w; };
      const file = new File([bytes], name);
      const windows: { first: number; inputs: FusionInputs }[] = [];
      const onFeatures = opts.features ? (inputs: FusionInputs, first: number) => { windows.push({ first, inputs: copyInputs(inputs) }); } : undefined;
      const result = await engine.analyze(file, reporter, new AbortController().signal, { backend: opts.backend ?? 'auto', transcript, cues, onFeatures });
      // How far to trust it: the numbers measured for the model that just ran (its manifest).
      const trust = trustSentence((await engine.loadManifest()).metrics, result);
      const reading = readingOf(result, opts.subtitles !== undefined ? 'subtitles' : transcript?.trim() ? 'typed' : 'none', textWindows, trust);
      // The contract's keys in the contract's order, as the page's JSON export has them (scripts/analyze.mjs prints it as it is).
      if (!opts.features) return { ok: true, result: resultForExport(result), notes, reading };
      if (!windows.length) return { ok: false, error: 'the pipeline finished without handing over its features', notes };
      const tensors: CliFeatures['tensors'] = Object.fromEntries(
        Object.entries(assembleWindows(windows, result.segments.length)).map(([k, t]) => [k, cliTensor(t)]),
      );
      const manifest = await engine.loadManifest();
      const features: CliFeatures = {
        tensors, manifest: { model_id: manifest.model_id, audio: manifest.audio, face: manifest.face, text: manifest.text },
      };
      if (opts.pcm) {
        // The same decoder the pipeline used, run again: the waveform the log-mel was computed from.
        const audio = await decodeAudio(await file.arrayBuffer(), manifest.audio.sample_rate);
        if (audio) features.tensors.pcm = { dims: [audio.pcm.length], base64: base64(audio.pcm) };
      }
      return { ok: true, result: resultForExport(result), notes, features, reading };
    } catch (e) {
      return { ok: false, error: humanizeError(e), notes };
    }
  };
}
