// The one message protocol every web worker speaks (whisper-web style): the page sends typed
// requests; a worker answers with a flat status stream — `initiate` / `progress` / `done` while it
// works, `ready` when a model is loaded (or known to be unavailable), `complete` with the result,
// `error` with a human-readable message. Discriminated unions, checked at the boundary by guards.

/** The `audio` object of the manifest (training/configs/features.json); defined with the DSP that reads it. */
import type { AudioParams } from './features/audio/logmel';
export type { AudioParams };

/** One video frame as RGBA bytes (ImageData-compatible), read on the page and transferred. */
export interface RgbaFrame { data: Uint8ClampedArray; width: number; height: number }

import type { CropParams as FaceCropParams } from './features/face/align';
export type { FaceCropParams };
export interface FaceParams { detector: string; min_score: number; crop: FaceCropParams }
/** `dtype` picks the transformers.js variant: q8 -> onnx/model_quantized.onnx (shipped), fp32 -> onnx/model.onnx. */
export type TextDtype = 'fp32' | 'q8';
export interface TextParams { path: string; dim: number; max_length: number; dtype: TextDtype }

export const WORKER_NAMES = Object.freeze(['audio', 'face', 'text', 'fusion'] as const);
export type WorkerName = (typeof WORKER_NAMES)[number];

export const BACKENDS = Object.freeze(['wasm', 'webgpu', 'webgpu-software'] as const);
/** The execution backend that really ran (onnxruntime falls back silently; we never guess). */
export type Backend = (typeof BACKENDS)[number];
export type BackendPreference = 'auto' | 'wasm' | 'webgpu';

// ---------------------------------------------------------------- requests (page -> worker)

/** `load` hands the audio worker the voice-activity model (audio.vad.model); `logmel` is one window's samples. */
export type AudioRequest =
  | { worker: 'audio'; type: 'load'; id: number; model: ArrayBuffer; assetBase: string }
  | { worker: 'audio'; type: 'logmel'; id: number; pcm: Float32Array; params: AudioParams };

export type FaceRequest =
  | { worker: 'face'; type: 'load'; id: number; model: ArrayBuffer | null; params: FaceParams; assetBase: string; backend: BackendPreference }
  | { worker: 'face'; type: 'detect'; id: number; frames: RgbaFrame[]; times: number[] };

/** A manifest file entry: path relative to models/, size and SHA-256 the download must match. */
export interface ModelFileEntry { path: string; bytes: number; sha256: string }

export type TextRequest =
  | {
    worker: 'text'; type: 'load'; id: number; params: TextParams; assetBase: string; modelsBase: string;
    /** The text encoder's files (empty: no encoder shipped). */
    files: ModelFileEntry[];
    backend: BackendPreference;
  }
  | { worker: 'text'; type: 'encode'; id: number; text: string };

export type FusionRequest =
  | { worker: 'fusion'; type: 'load'; id: number; model: ArrayBuffer; modelName: string; assetBase: string; backend: BackendPreference }
  | { worker: 'fusion'; type: 'run'; id: number; inputs: FusionInputs };

export type WorkerRequest = AudioRequest | FaceRequest | TextRequest | FusionRequest;
export type RequestFor<W extends WorkerName> = Extract<WorkerRequest, { worker: W }>;

// ---------------------------------------------------------------- payloads

export interface LogMelResult {
  /** T*96*64, row-major [T][96][64]. */
  logMel: Float32Array;
  segmentCount: number;
  /** T; 1 = the segment has a voice (Silero VAD) and is above the silence floor. */
  audioMask: Float32Array;
}

export type FaceBox = [x: number, y: number, w: number, h: number];
export interface FaceResult {
  /** T*C*S*S, zeros where no face was found. */
  crops: Float32Array;
  visualMask: Float32Array;
  boxes: (FaceBox | null)[];
}

export interface TextResult { cls: Float32Array; tokens: number }

export interface Tensor32 { data: Float32Array; dims: number[] }

/** Inputs of the fused SEM-MBT graph (docs/CONTRACTS.md), batch 1. */
export interface FusionInputs {
  log_mel: Tensor32;
  faces: Tensor32;
  text_cls: Tensor32;
  audio_mask: Tensor32;
  visual_mask: Tensor32;
  text_mask: Tensor32;
}
export const FUSION_OUTPUTS = Object.freeze(
  ['fused', 'audio', 'visual', 'text', 'alpha', 'audio_segments', 'visual_segments'] as const,
);
export type FusionOutputName = (typeof FUSION_OUTPUTS)[number];
export type FusionOutputs = Record<FusionOutputName, Tensor32>;
export interface FusionResult { outputs: FusionOutputs; backend: Backend; runMs: number }

// ---------------------------------------------------------------- events (worker -> page)

export const STATUSES = Object.freeze(['initiate', 'progress', 'done', 'ready', 'complete', 'error'] as const);
export type Status = (typeof STATUSES)[number];

interface Base<W extends WorkerName = WorkerName> { worker: W; id: number }
export type InitiateEvent = Base & { status: 'initiate'; task: string };
/** progress in [0, 1]. */
export type ProgressEvent = Base & { status: 'progress'; task: string; progress: number };
export type DoneEvent = Base & { status: 'done'; task: string };
/** A model is loaded (available) or known to be missing (available = false, detail says why). */
export type ReadyEvent = Base & { status: 'ready'; available: boolean; backend: Backend | null; detail: string };
export type ErrorEvent = Base & { status: 'error'; message: string };

export type CompleteEvent =
  | (Base<'audio'> & { status: 'complete'; result: LogMelResult })
  | (Base<'face'> & { status: 'complete'; result: FaceResult })
  | (Base<'text'> & { status: 'complete'; result: TextResult })
  | (Base<'fusion'> & { status: 'complete'; result: FusionResult });

export type WorkerEvent = InitiateEvent | ProgressEvent | DoneEvent | ReadyEvent | ErrorEvent | CompleteEvent;
export type CompleteFor<W extends WorkerName> = Extract<CompleteEvent, { worker: W }>;
/** What a request finally resolves to: `ready` for loads, `complete` for work. */
export type TerminalEvent<W extends WorkerName> = (ReadyEvent & { worker: W }) | CompleteFor<W>;

// ---------------------------------------------------------------- guards

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isWorkerName = (v: unknown): v is WorkerName => (WORKER_NAMES as readonly unknown[]).includes(v);
const isTensor = (v: unknown): v is Tensor32 =>
  isObject(v) && v.data instanceof Float32Array && Array.isArray(v.dims) && v.dims.every((d) => Number.isInteger(d) && d >= 0)
  && v.dims.reduce((a: number, b: number) => a * b, 1) === v.data.length;

const RESULT_CHECKS: Readonly<Record<WorkerName, (r: Record<string, unknown>) => boolean>> = Object.freeze({
  audio: (r) => r.logMel instanceof Float32Array && r.audioMask instanceof Float32Array && isId(r.segmentCount),
  face: (r) => r.crops instanceof Float32Array && r.visualMask instanceof Float32Array && Array.isArray(r.boxes),
  text: (r) => r.cls instanceof Float32Array && isId(r.tokens),
  fusion: (r) => isObject(r.outputs) && FUSION_OUTPUTS.every((k) => isTensor((r.outputs as Record<string, unknown>)[k]))
    && (BACKENDS as readonly unknown[]).includes(r.backend) && typeof r.runMs === 'number',
});

/** True when `v` is a well-formed worker event. Anything else is a bug and is reported, not used. */
export function isWorkerEvent(v: unknown): v is WorkerEvent {
  if (!isObject(v) || !isWorkerName(v.worker) || !isId(v.id)) return false;
  switch (v.status) {
    case 'initiate':
    case 'done':
      return isStr(v.task);
    case 'progress':
      return isStr(v.task) && typeof v.progress === 'number' && v.progress >= 0 && v.progress <= 1;
    case 'ready':
      return typeof v.available === 'boolean' && isStr(v.detail)
        && (v.backend === null || (BACKENDS as readonly unknown[]).includes(v.backend));
    case 'error':
      return isStr(v.message) && v.message.length > 0;
    case 'complete':
      return isObject(v.result) && RESULT_CHECKS[v.worker](v.result);
    default:
      return false;
  }
}

const REQUEST_TYPES: Readonly<Record<WorkerName, readonly string[]>> = Object.freeze({
  audio: ['load', 'logmel'],
  face: ['load', 'detect'],
  text: ['load', 'encode'],
  fusion: ['load', 'run'],
});

/** True when `v` is a request `worker` understands (checked in the worker before any work). */
export function isRequestFor<W extends WorkerName>(worker: W, v: unknown): v is RequestFor<W> {
  if (!isObject(v) || v.worker !== worker || !isId(v.id) || !isStr(v.type)) return false;
  if (!REQUEST_TYPES[worker].includes(v.type)) return false;
  if (worker === 'audio') return v.type === 'load' ? v.model instanceof ArrayBuffer && isStr(v.assetBase) : v.pcm instanceof Float32Array && isObject(v.params);
  if (worker === 'fusion' && v.type === 'run') {
    const inputs = v.inputs;
    return isObject(inputs) && ['log_mel', 'faces', 'text_cls', 'audio_mask', 'visual_mask', 'text_mask']
      .every((k) => isTensor(inputs[k]));
  }
  if (worker === 'fusion' && v.type === 'load') return v.model instanceof ArrayBuffer && isStr(v.assetBase);
  if (worker === 'text' && v.type === 'load') return Array.isArray(v.files) && isObject(v.params);
  if (worker === 'face' && v.type === 'load') return (v.model === null || v.model instanceof ArrayBuffer) && isObject(v.params);
  if (v.type === 'encode') return isStr(v.text);
  if (v.type === 'detect') {
    return Array.isArray(v.frames) && Array.isArray(v.times) && v.frames.length === v.times.length
      && v.frames.every((f: unknown) => isObject(f) && f.data instanceof Uint8ClampedArray && isId(f.width) && isId(f.height)
        && f.data.length === f.width * f.height * 4);
  }
  return true;
}
