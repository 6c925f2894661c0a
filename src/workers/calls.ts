// The workers' typed calls: one function per kind of work, resolving to its typed result or
// throwing (a worker `error`, a malformed reply, AbortError on cancel). Which buffers each call
// transfers is decided once, in client.ts `transferList`; callers never repeat it.
import type { AudioParams, FaceBox, FaceResult, FusionInputs, FusionResult, LogMelResult, RgbaFrame, TextResult } from '../protocol';
import { workerClient } from './client';

export interface CallOptions { signal?: AbortSignal }

/** The work the model workers do, as typed calls (the pipeline's window step takes fakes of these in tests). */
export interface WorkerCalls {
  logMel(pcm: Float32Array, params: AudioParams, opts?: CallOptions): Promise<LogMelResult>;
  /** `track`: see the face `detect` request (protocol.ts); undefined = all views for every frame. */
  detectFaces(frames: RgbaFrame[], times: number[], opts?: CallOptions & { track?: FaceBox | null }): Promise<FaceResult>;
  encodeText(text: string, opts?: CallOptions): Promise<TextResult>;
  runFusion(inputs: FusionInputs, opts?: CallOptions): Promise<FusionResult>;
}

const calls: WorkerCalls = {
  logMel: (pcm, params, opts = {}) => workerClient('audio').compute({ worker: 'audio', type: 'logmel', pcm, params }, opts),
  detectFaces: (frames, times, opts = {}) =>
    workerClient('face').compute({ worker: 'face', type: 'detect', frames, times, ...(opts.track !== undefined ? { track: opts.track } : {}) }, opts),
  encodeText: (text, opts = {}) => workerClient('text').compute({ worker: 'text', type: 'encode', text }, opts),
  runFusion: (inputs, opts = {}) => workerClient('fusion').compute({ worker: 'fusion', type: 'run', inputs }, opts),
};
export const workerCalls: Readonly<WorkerCalls> = Object.freeze(calls);
