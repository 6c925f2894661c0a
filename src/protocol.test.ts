import { describe, expect, it } from 'vitest';
import { FUSION_OUTPUTS, isRequestFor, isWorkerEvent, type WorkerEvent } from './protocol';

const t = (dims: number[]) => ({ data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims });

describe('isWorkerEvent', () => {
  const valid: WorkerEvent[] = [
    { worker: 'audio', id: 1, status: 'initiate', task: 'log-mel' },
    { worker: 'fusion', id: 2, status: 'progress', task: 'download', progress: 0.5 },
    { worker: 'text', id: 3, status: 'done', task: 'tokenize' },
    { worker: 'face', id: 4, status: 'ready', available: false, backend: null, detail: 'no model' },
    { worker: 'fusion', id: 5, status: 'ready', available: true, backend: 'webgpu-software', detail: '' },
    { worker: 'audio', id: 6, status: 'error', message: 'boom' },
    { worker: 'audio', id: 7, status: 'complete', result: { logMel: new Float32Array(6144), segmentCount: 1, audioMask: new Float32Array(1) } },
    { worker: 'text', id: 8, status: 'complete', result: { cls: new Float32Array(256), tokens: 12 } },
    { worker: 'face', id: 9, status: 'complete', result: { crops: new Float32Array(2304), visualMask: new Float32Array(1), boxes: [null] } },
    {
      worker: 'fusion', id: 10, status: 'complete',
      result: { outputs: Object.fromEntries(FUSION_OUTPUTS.map((n) => [n, t([1, 7])])) as never, backend: 'wasm', runMs: 3, textMaskedRunMs: null },
    },
    {
      worker: 'fusion', id: 11, status: 'complete',
      result: { outputs: Object.fromEntries(FUSION_OUTPUTS.map((n) => [n, t([1, 7])])) as never, backend: 'wasm', runMs: 3, textMaskedRunMs: 2 },
    },
  ];
  it.each(valid.map((e) => [e.worker, e.status, e] as const))('accepts %s %s', (_w, _s, e) => {
    expect(isWorkerEvent(e)).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'ready'],
    ['an unknown worker', { worker: 'video', id: 1, status: 'done', task: 'x' }],
    ['an unknown status', { worker: 'audio', id: 1, status: 'finished' }],
    ['a negative id', { worker: 'audio', id: -1, status: 'done', task: 'x' }],
    ['progress above 1', { worker: 'audio', id: 1, status: 'progress', task: 'x', progress: 1.5 }],
    ['an empty error', { worker: 'audio', id: 1, status: 'error', message: '' }],
    ['an unknown backend', { worker: 'fusion', id: 1, status: 'ready', available: true, backend: 'cuda', detail: '' }],
    ['a complete without result', { worker: 'audio', id: 1, status: 'complete' }],
    ['audio features as plain arrays', { worker: 'audio', id: 1, status: 'complete', result: { logMel: [0], segmentCount: 1, audioMask: [1] } }],
    ['fusion outputs missing alpha', {
      worker: 'fusion', id: 1, status: 'complete',
      result: { outputs: Object.fromEntries(FUSION_OUTPUTS.filter((n) => n !== 'alpha').map((n) => [n, t([1, 7])])), backend: 'wasm', runMs: 1, textMaskedRunMs: null },
    }],
    ['a fusion result that does not say whether the text-masked run ran', {
      worker: 'fusion', id: 1, status: 'complete',
      result: { outputs: Object.fromEntries(FUSION_OUTPUTS.map((n) => [n, t([1, 7])])), backend: 'wasm', runMs: 1 },
    }],
    ['a tensor whose dims do not match its data', {
      worker: 'fusion', id: 1, status: 'complete',
      result: { outputs: Object.fromEntries(FUSION_OUTPUTS.map((n) => [n, { data: new Float32Array(3), dims: [1, 7] }])), backend: 'wasm', runMs: 1, textMaskedRunMs: null },
    }],
  ])('rejects %s', (_name, value) => {
    expect(isWorkerEvent(value)).toBe(false);
  });
});

describe('isRequestFor', () => {
  const params = { sample_rate: 16000 };
  it('accepts a log-mel request for the audio worker only', () => {
    const req = { worker: 'audio', type: 'logmel', id: 1, pcm: new Float32Array(10), params };
    expect(isRequestFor('audio', req)).toBe(true);
    expect(isRequestFor('fusion', req)).toBe(false);
  });
  it('accepts the audio worker\'s voice-activity model load, and only with its bytes', () => {
    expect(isRequestFor('audio', { worker: 'audio', type: 'load', id: 2, model: new ArrayBuffer(8), assetBase: 'http://x/' })).toBe(true);
    expect(isRequestFor('audio', { worker: 'audio', type: 'load', id: 2, model: null, assetBase: 'http://x/' })).toBe(false);
  });
  it('rejects unknown request types and malformed payloads', () => {
    expect(isRequestFor('audio', { worker: 'audio', type: 'run', id: 1, pcm: new Float32Array(1), params })).toBe(false);
    expect(isRequestFor('audio', { worker: 'audio', type: 'logmel', id: 1, pcm: [0, 1], params })).toBe(false);
    expect(isRequestFor('text', { worker: 'text', type: 'encode', id: 1, text: 42 })).toBe(false);
    expect(isRequestFor('face', { worker: 'face', type: 'detect', id: 1, frames: [], times: [0.48] })).toBe(false);
  });
  it('checks every fused-graph input tensor', () => {
    const inputs = {
      log_mel: t([1, 2, 96, 64]), faces: t([1, 2, 1, 48, 48]), text_cls: t([1, 256]),
      audio_mask: t([1, 2]), visual_mask: t([1, 2]), text_mask: t([1, 1]),
    };
    expect(isRequestFor('fusion', { worker: 'fusion', type: 'run', id: 3, inputs })).toBe(true);
    const { text_mask: _dropped, ...missing } = inputs;
    expect(isRequestFor('fusion', { worker: 'fusion', type: 'run', id: 3, inputs: missing })).toBe(false);
  });
});
