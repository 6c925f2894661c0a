// The one message protocol every web worker speaks (whisper-web style): the page sends typed
// requests; a worker answers with a flat status stream — `initiate` / `progress` / `done` while it
// works, `ready` when a model is loaded (or known to be unavailable), `complete` with the result,
// `error` with a human-readable message. Each message is a zod schema (discriminated unions on
// `type` and `status`); the TypeScript types are inferred from them and the boundary checks
// (`isWorkerEvent`, `isRequestFor`) are the same schemas, so types and checks cannot drift apart.
import { z } from './zod';
import type { AudioParams } from './features/audio/logmel';
import type { CropParams as FaceCropParams } from './features/face/align';
import type { Manifest } from './inference/manifest';

/** The manifest's `audio` and `face.crop` sections: zod schemas beside the DSP and the aligner that read them, types inferred. */
export type { AudioParams, FaceCropParams };
/** The manifest's `face` section as the face worker reads it (its crop typed by the aligner). */
export type FaceParams = Pick<Manifest['face'], 'detector' | 'min_score'> & { crop: FaceCropParams };
/** The manifest's `text` section; `dtype` picks the transformers.js variant: q8 -> onnx/model_quantized.onnx (shipped), fp32 -> onnx/model.onnx. */
export type TextParams = Pick<Manifest['text'], 'path' | 'dim' | 'max_length' | 'dtype'>;
export type TextDtype = TextParams['dtype'];
/** A manifest file entry: path relative to models/, size and SHA-256 the download must match. */
export type ModelFileEntry = Manifest['files'][number];

export const WORKER_NAMES = Object.freeze(['audio', 'face', 'text', 'fusion'] as const);
export type WorkerName = (typeof WORKER_NAMES)[number];

export const BACKENDS = Object.freeze(['wasm', 'webgpu', 'webgpu-software'] as const);
/** The execution backend that really ran (onnxruntime falls back silently; we never guess). */
export type Backend = (typeof BACKENDS)[number];
const backendPreference = z.enum(['auto', 'wasm', 'webgpu']);
export type BackendPreference = z.infer<typeof backendPreference>;

// ---------------------------------------------------------------- building blocks

const id = z.number().int().nonnegative();
/** Typed arrays by class (views of any buffer, as the DSP and onnxruntime make them). */
const f32 = z.custom<Float32Array>((v) => v instanceof Float32Array);
const bytes = z.instanceof(ArrayBuffer);
/** Manifest sections reach the workers as they are (loose objects, validated when the manifest loaded). */
const section = <T>() => z.custom<T>((v) => typeof v === 'object' && v !== null);

const tensor = z.object({ data: f32, dims: z.array(z.number().int().nonnegative()) })
  .refine((t) => t.dims.reduce((a, b) => a * b, 1) === t.data.length, 'dims do not match the data');
export type Tensor32 = z.infer<typeof tensor>;

/** One video frame as RGBA bytes (ImageData-compatible), read on the page and transferred. */
const rgbaFrame = z.object({ data: z.custom<Uint8ClampedArray>((v) => v instanceof Uint8ClampedArray), width: id, height: id })
  .refine((f) => f.data.length === f.width * f.height * 4, 'frame size does not match its bytes');
export type RgbaFrame = z.infer<typeof rgbaFrame>;

const FUSION_INPUTS = Object.freeze(['log_mel', 'faces', 'text_cls', 'audio_mask', 'visual_mask', 'text_mask'] as const);
/** Inputs of the fused SEM-MBT graph (docs/CONTRACTS.md), batch 1. */
const fusionInputs = z.object(Object.fromEntries(FUSION_INPUTS.map((k) => [k, tensor])) as Record<(typeof FUSION_INPUTS)[number], typeof tensor>);
export type FusionInputs = z.infer<typeof fusionInputs>;

export const FUSION_OUTPUTS = Object.freeze(
  ['fused', 'audio', 'visual', 'text', 'alpha', 'audio_segments', 'visual_segments'] as const,
);
export type FusionOutputName = (typeof FUSION_OUTPUTS)[number];
const fusionOutputs = z.object(Object.fromEntries(FUSION_OUTPUTS.map((k) => [k, tensor])) as Record<FusionOutputName, typeof tensor>);
export type FusionOutputs = z.infer<typeof fusionOutputs>;

// ---------------------------------------------------------------- requests (page -> worker)

const request = <W extends WorkerName, T extends string, S extends z.ZodRawShape>(worker: W, type: T, shape: S) =>
  z.object({ worker: z.literal(worker), type: z.literal(type), id, ...shape });

const faceBox = z.tuple([z.number(), z.number(), z.number(), z.number()]);
/** [x, y, w, h] in frame pixels. */
export type FaceBox = z.infer<typeof faceBox>;

const REQUESTS = {
  /** `load` hands the audio worker the voice-activity model (audio.vad.model); `logmel` is one window's samples. */
  audio: z.discriminatedUnion('type', [
    request('audio', 'load', { model: bytes, assetBase: z.string() }),
    request('audio', 'logmel', { pcm: f32, params: section<AudioParams>() }),
  ]),
  face: z.discriminatedUnion('type', [
    request('face', 'load', { model: bytes.nullable(), params: section<FaceParams>(), assetBase: z.string(), backend: backendPreference }),
    request('face', 'detect', {
      frames: z.array(rgbaFrame), times: z.array(z.number()),
      /**
       * Track, then re-detect (src/features/face/track.ts): the previous segment's detector box, or
       * null to search the first frame fully; each next frame tracks the face found in the one
       * before. Absent: every frame searches all views (`?faces=full`, the old behaviour).
       */
      track: faceBox.nullable().optional(),
    })
      .refine((r) => r.frames.length === r.times.length, 'one time per frame'),
  ]),
  text: z.discriminatedUnion('type', [
    request('text', 'load', {
      params: section<TextParams>(), assetBase: z.string(), modelsBase: z.string(),
      /** The text encoder's files (empty: no encoder shipped). */
      files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
      backend: backendPreference,
    }),
    request('text', 'encode', { text: z.string() }),
  ]),
  fusion: z.discriminatedUnion('type', [
    request('fusion', 'load', { model: bytes, modelName: z.string(), assetBase: z.string(), backend: backendPreference }),
    request('fusion', 'run', { inputs: fusionInputs }),
  ]),
} as const;

export type AudioRequest = z.infer<typeof REQUESTS.audio>;
export type FaceRequest = z.infer<typeof REQUESTS.face>;
export type TextRequest = z.infer<typeof REQUESTS.text>;
export type FusionRequest = z.infer<typeof REQUESTS.fusion>;
export type WorkerRequest = AudioRequest | FaceRequest | TextRequest | FusionRequest;
export type RequestFor<W extends WorkerName> = Extract<WorkerRequest, { worker: W }>;

// ---------------------------------------------------------------- payloads

const logMelResult = z.object({
  /** T*96*64, row-major [T][96][64]. */
  logMel: f32,
  segmentCount: id,
  /** T; 1 = the segment has a voice (Silero VAD) and is above the silence floor. */
  audioMask: f32,
});
export type LogMelResult = z.infer<typeof logMelResult>;

const faceResult = z.object({
  /** T*C*S*S, zeros where no face was found. */
  crops: f32,
  visualMask: f32,
  boxes: z.array(faceBox.nullable()),
  /** The detector's box of each frame's face (what the next segment tracks), null where none. */
  detections: z.array(faceBox.nullable()).optional(),
});
export type FaceResult = z.infer<typeof faceResult>;

/** `cut`: word pieces of the transcript beyond the encoder's max_length, dropped (0 or absent: none). */
const textResult = z.object({ cls: f32, tokens: id, cut: id.optional() });
export type TextResult = z.infer<typeof textResult>;

/**
 * One window through the graph (one `run` request): with a transcript the worker runs it twice on
 * the same features, `outputs` holding the voice and face decisions of the text-masked run (issue 13,
 * src/workers/fusionRun.ts); `runMs` / `textMaskedRunMs` are each run's session.run (null: one run).
 */
const fusionResult = z.object({ outputs: fusionOutputs, backend: z.enum(BACKENDS), runMs: z.number(), textMaskedRunMs: z.number().nullable() });
export type FusionResult = z.infer<typeof fusionResult>;

// ---------------------------------------------------------------- events (worker -> page)

export const STATUSES = Object.freeze(['initiate', 'progress', 'done', 'ready', 'complete', 'error'] as const);
export type Status = (typeof STATUSES)[number];

const workerName = z.enum(WORKER_NAMES);
const event = <S extends Status, T extends z.ZodRawShape>(status: S, shape: T) =>
  z.object({ worker: workerName, id, status: z.literal(status), ...shape });
const complete = <W extends WorkerName, R extends z.ZodType>(worker: W, result: R) =>
  z.object({ worker: z.literal(worker), id, status: z.literal('complete'), result });

const initiateEvent = event('initiate', { task: z.string() });
/** progress in [0, 1]. */
const progressEvent = event('progress', { task: z.string(), progress: z.number().min(0).max(1) });
const doneEvent = event('done', { task: z.string() });
/** A model is loaded (available) or known to be missing (available = false, detail says why). */
const readyEvent = event('ready', { available: z.boolean(), backend: z.enum(BACKENDS).nullable(), detail: z.string() });
const errorEvent = event('error', { message: z.string().min(1) });
const completeEvent = z.discriminatedUnion('worker', [
  complete('audio', logMelResult), complete('face', faceResult), complete('text', textResult), complete('fusion', fusionResult),
]);
const workerEvent = z.discriminatedUnion('status', [initiateEvent, progressEvent, doneEvent, readyEvent, errorEvent, completeEvent]);

export type InitiateEvent = z.infer<typeof initiateEvent>;
export type ProgressEvent = z.infer<typeof progressEvent>;
export type DoneEvent = z.infer<typeof doneEvent>;
export type ReadyEvent = z.infer<typeof readyEvent>;
export type ErrorEvent = z.infer<typeof errorEvent>;
export type CompleteEvent = z.infer<typeof completeEvent>;
export type WorkerEvent = z.infer<typeof workerEvent>;
export type CompleteFor<W extends WorkerName> = Extract<CompleteEvent, { worker: W }>;
/** What a request finally resolves to: `ready` for loads, `complete` for work. */
export type TerminalEvent<W extends WorkerName> = (ReadyEvent & { worker: W }) | CompleteFor<W>;

// ---------------------------------------------------------------- checks at the boundary

/** True when `v` is a well-formed worker event. Anything else is a bug and is reported, not used. */
export function isWorkerEvent(v: unknown): v is WorkerEvent {
  return workerEvent.safeParse(v).success;
}

/** True when `v` is a request `worker` understands (checked in the worker before any work). */
export function isRequestFor<W extends WorkerName>(worker: W, v: unknown): v is RequestFor<W> {
  return REQUESTS[worker].safeParse(v).success;
}
