// The shipped fused model (placeholder or trained) honours docs/CONTRACTS.md: names, shapes,
// dynamic T, probabilities in [0, 1], alpha summing to 1 with exactly 0 for a missing modality.
// Runs with onnxruntime-node on the very file the browser loads.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUSION_OUTPUTS } from '../protocol';
import { parseManifest, type Manifest } from './manifest';

let manifest: Manifest;
let session: ort.InferenceSession;

beforeAll(async () => {
  manifest = parseManifest(JSON.parse(readFileSync('public/models/manifest.json', 'utf8')));
  session = await ort.InferenceSession.create(`public/models/${manifest.fusion.path}`);
});

function feeds(t: number, masks: { audio: number[]; visual: number[]; text: number }) {
  const { audio, face, text } = manifest;
  const c = face.crop;
  const rand = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, (_, i) => offset + scale * Math.sin(i * 12.9898));
  const f = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
  return {
    log_mel: f(rand(t * audio.patch_frames * audio.mel_bins, 3, -5), [1, t, audio.patch_frames, audio.mel_bins]),
    faces: f(rand(t * c.channels * c.size * c.size, 0.5, 0.5), [1, t, c.channels, c.size, c.size]),
    text_cls: f(rand(text.dim, 0.5), [1, text.dim]),
    audio_mask: f(Float32Array.from(masks.audio), [1, t]),
    visual_mask: f(Float32Array.from(masks.visual), [1, t]),
    text_mask: f(Float32Array.from([masks.text]), [1, 1]),
  };
}

describe(`fused model I/O contract`, () => {
  it('has exactly the contract inputs and outputs', () => {
    expect([...session.inputNames].sort()).toEqual(['audio_mask', 'faces', 'log_mel', 'text_cls', 'text_mask', 'visual_mask']);
    expect([...session.outputNames].sort()).toEqual([...FUSION_OUTPUTS].sort());
  });

  it.each([1, 4, 9])('runs with T = %i and returns contract shapes', async (t) => {
    const out = await session.run(feeds(t, { audio: Array(t).fill(1), visual: Array(t).fill(1), text: 1 }));
    const m = manifest.labels.length;
    for (const k of ['fused', 'audio', 'visual', 'text']) expect(out[k]?.dims).toEqual([1, m]);
    expect(out.alpha?.dims).toEqual([1, 3]);
    expect(out.audio_segments?.dims).toEqual([1, t, m]);
    expect(out.visual_segments?.dims).toEqual([1, t, m]);
    for (const k of FUSION_OUTPUTS.filter((n) => n !== 'alpha')) {
      for (const v of out[k]?.data as Float32Array) expect(v >= 0 && v <= 1).toBe(true);
    }
    const alpha = Array.from(out.alpha?.data as Float32Array);
    expect(Math.abs(alpha.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  });

  it.each([
    ['audio only', { audio: [1, 1, 0], visual: [0, 0, 0], text: 0 }, [true, false, false]],
    ['visual only', { audio: [0, 0, 0], visual: [0, 1, 1], text: 0 }, [false, true, false]],
    ['audio and text', { audio: [1, 0, 1], visual: [0, 0, 0], text: 1 }, [true, false, true]],
  ] as const)('gives a missing modality alpha exactly 0 (%s)', async (_name, masks, present) => {
    const out = await session.run(feeds(3, { audio: [...masks.audio], visual: [...masks.visual], text: masks.text }));
    const alpha = Array.from(out.alpha?.data as Float32Array);
    present.forEach((p, i) => (p ? expect(alpha[i]).toBeGreaterThan(0) : expect(alpha[i]).toBe(0)));
    expect(Math.abs(alpha.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  });

  it('ignores the content of masked segments', async () => {
    const masks = { audio: [1, 1, 0], visual: [1, 0, 0], text: 0 };
    const a = feeds(3, masks);
    const b = feeds(3, masks);
    const per = manifest.audio.patch_frames * manifest.audio.mel_bins;
    (b.log_mel.data as Float32Array).fill(7, 2 * per);
    const ra = await session.run(a);
    const rb = await session.run(b);
    const fa = Array.from(ra.fused?.data as Float32Array);
    const fb = Array.from(rb.fused?.data as Float32Array);
    fa.forEach((v, i) => expect(Math.abs(v - (fb[i] ?? 0))).toBeLessThan(1e-5));
  });
});
