// The file's windows take their words window by window (issue 17): with timed captions each window
// is sent its own class token, and a window where nobody speaks has its text masked.
import { describe, expect, it } from 'vitest';
import manifestJson from '../../public/models/manifest.json';
import { parseManifest } from '../inference/manifest';
import type { FusionInputs, FusionResult, Tensor32 } from '../protocol';
import type { WorkerCalls } from '../workers/calls';
import { runWindow, type FusionGraph } from '../workers/fusionRun';
import { failedStage, humanizeError } from './errors';
import { FileWindows } from './fileWindows';
import type { PipelineReporter } from './reporter';
import { WindowStep } from './windowStep';
import { WindowTexts } from './windowTexts';

const manifest = parseManifest(manifestJson);
const M = manifest.labels.length;
const t = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });

describe('FileWindows with per-window words', () => {
  it('sends each window its own words; a window with none has text_mask 0 and is not run without voice or face', async () => {
    const sent: { T: number; textMask: number; cls0: number }[] = [];
    const graph: FusionGraph<Tensor32> = {
      tensor: (data, dims) => t(data, [...dims]),
      run: async (inputs) => {
        const T = inputs.audio_mask.dims[1]!;
        sent.push({ T, textMask: inputs.text_mask.data[0]!, cls0: inputs.text_cls.data[0]! });
        const z = (n: number) => new Float32Array(n);
        return {
          fused: t(z(M), [1, M]), audio: t(z(M), [1, M]), visual: t(z(M), [1, M]), text: t(Float32Array.from({ length: M }, () => 0.5), [1, M]),
          alpha: t(Float32Array.from([0, 0, 1]), [1, 3]), audio_segments: t(z(T * M), [1, T, M]), visual_segments: t(z(T * M), [1, T, M]),
        };
      },
    };
    const calls: WorkerCalls = {
      logMel: () => Promise.reject(new Error('not used')),
      detectFaces: () => Promise.reject(new Error('not used')),
      encodeText: async (text) => ({ cls: Float32Array.from({ length: manifest.text.dim }, () => text.length), tokens: 3 }),
      // One request per window; the fusion worker runs the graph inside it (fusionRun.ts), twice with words.
      runFusion: async (inputs: FusionInputs): Promise<FusionResult> => ({ ...(await runWindow(graph, inputs)), backend: 'wasm' }),
    };
    const step = new WindowStep(manifest, calls);
    const signal = new AbortController().signal;
    const cues = [{ start: 1, end: 2, text: 'happy' }, { start: 70, end: 72, text: 'so very angry' }];
    const texts = new WindowTexts(cues, step.time.segmentSeconds, (text, s) => step.text(text, s));
    const report: PipelineReporter = { stage: () => undefined, download: () => undefined, note: () => undefined, backend: () => undefined };
    const out = await new FileWindows({
      step, report, signal, timed: (_k, fn) => fn(), timings: {}, audio: null, video: null, expected: 80,
      textFor: (first, count) => texts.classToken(first, count, signal),
    }).run();
    // Windows 0-31 (happy), 32-63 (nobody speaks, nothing else present: not run), 64-79 (angry);
    // each window with words runs twice (the second with the text masked, for the voice and face decisions).
    expect(sent).toEqual([
      { T: 32, textMask: 1, cls0: 5 }, { T: 32, textMask: 0, cls0: 0 },
      { T: 16, textMask: 1, cls0: 13 }, { T: 16, textMask: 0, cls0: 0 },
    ]);
    expect(texts.windows.map((w) => w.text)).toEqual(['happy', '', 'so very angry']);
    expect(out.aggregate.runs).toBe(2);
    expect(out.audioMask.length).toBe(80);
  });
});

describe('FileWindows failures', () => {
  it('a failing worker call is marked as its own stage’s failure (issue 17: the page marks that step failed, not every running one)', async () => {
    const calls: WorkerCalls = {
      logMel: () => Promise.reject(new Error('not used')),
      detectFaces: () => Promise.reject(new Error('not used')),
      encodeText: () => Promise.reject(new Error('The text encoder is not loaded.')),
      runFusion: () => Promise.reject(new Error('not reached')),
    };
    const step = new WindowStep(manifest, calls);
    const signal = new AbortController().signal;
    const report: PipelineReporter = { stage: () => undefined, download: () => undefined, note: () => undefined, backend: () => undefined };
    const run = new FileWindows({
      step, report, signal, timed: (_k, fn) => fn(), timings: {}, audio: null, video: null, expected: 3,
      textFor: () => step.text('hello', signal).then((r) => r.cls),
    }).run();
    const error = await run.catch((e: unknown) => e);
    expect(humanizeError(error)).toBe('The text encoder is not loaded.');
    expect(failedStage(error)).toBe('text');
  });
});

describe('FileWindows face tracking (issue 16)', () => {
  /** Runs 40 segments (two windows) of 4 x 4 frames; returns the `track` each face request got. */
  async function tracksSent(trackFaces: boolean | undefined, faceAt: (segment: number) => boolean) {
    const sent: unknown[] = [];
    const calls: WorkerCalls = {
      logMel: () => Promise.reject(new Error('not used')),
      detectFaces: async (frames, times, opts = {}) => {
        sent.push('track' in opts ? opts.track : 'absent');
        const segments = times.map((s) => Math.round(s / step.time.segmentSeconds - 0.5));
        return {
          crops: new Float32Array(frames.length * step.faceSize), visualMask: new Float32Array(frames.length), boxes: frames.map(() => null),
          detections: segments.map((k) => (faceAt(k) ? [k, 0, 1, 1] as [number, number, number, number] : null)),
        };
      },
      encodeText: () => Promise.reject(new Error('not used')),
      runFusion: () => Promise.reject(new Error('not reached')),
    };
    const step = new WindowStep(manifest, calls);
    const frame = { data: new Uint8ClampedArray(64), width: 4, height: 4 };
    const video = { width: 4, height: 4, read: async (_first: number, count: number) => Array.from({ length: count }, () => frame) };
    const report: PipelineReporter = { stage: () => undefined, download: () => undefined, note: () => undefined, backend: () => undefined };
    await new FileWindows({
      step, report, signal: new AbortController().signal, timed: (_k, fn) => fn(), timings: {}, audio: null, video, expected: 40,
      textFor: async () => null, trackFaces,
    }).run();
    return sent;
  }

  it("each window's first chunk searches fully (null); later chunks track the face the chunk before ended on", async () => {
    const sent = await tracksSent(undefined, (k) => k !== 11);
    // Window 0: segments 0-31 in chunks of 4; chunk 8-11 ends without a face (segment 11), so 12-15 searches fully.
    expect(sent.slice(0, 8)).toEqual([null, [3, 0, 1, 1], [7, 0, 1, 1], null, [15, 0, 1, 1], [19, 0, 1, 1], [23, 0, 1, 1], [27, 0, 1, 1]]);
    // Window 1 (segments 32-39) starts again from a full search.
    expect(sent.slice(8)).toEqual([null, [35, 0, 1, 1]]);
  });

  it('?faces=full (trackFaces false) leaves the track out: every frame searches all views', async () => {
    expect(await tracksSent(false, () => true)).toEqual(Array(10).fill('absent'));
  });
});
