// The TypeScript log-mel front end against the Python golden vectors (docs/CONTRACTS.md: max abs
// diff <= 1e-4), plus the streaming variant, segment counting and the mel matrix's shape.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import features from '../../../training/configs/features.json';
import { type AudioParams, LogMelStream, logMelPatches, melWeightMatrix, segmentCount } from './logmel';

interface GoldenCase {
  name: string;
  samples: number;
  pcm_offset: number;
  segment_count: number;
  logmel_offset: number;
  audio_mask: number[];
}

const dir = fileURLToPath(new URL('./__golden__/', import.meta.url));
const header = JSON.parse(readFileSync(`${dir}cases.json`, 'utf8')) as {
  params: AudioParams;
  tolerance: number;
  cases: GoldenCase[];
};
const readF32 = (file: string) => {
  const b = readFileSync(`${dir}${file}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const pcmAll = readF32('pcm.f32');
const melAll = readF32('logmel.f32');
const params = header.params;
const patchSize = params.patch_frames * params.mel_bins;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('logMelPatches golden vectors (Python twin)', () => {
  it('uses the parameters of training/configs/features.json', () => {
    const { vad: _voiceActivity, ...frontEnd } = features.audio as AudioParams; // the detector is not part of the DSP (./vad.ts)
    expect(params).toEqual(frontEnd);
  });

  for (const c of header.cases) {
    it(`${c.name}: within ${header.tolerance} of Python`, () => {
      const pcm = pcmAll.subarray(c.pcm_offset, c.pcm_offset + c.samples);
      const expected = melAll.subarray(c.logmel_offset, c.logmel_offset + c.segment_count * patchSize);
      const out = logMelPatches(pcm, params);
      expect(out.segmentCount).toBe(c.segment_count);
      expect(Array.from(out.audioMask)).toEqual(c.audio_mask);
      expect(maxAbsDiff(out.logMel, expected)).toBeLessThanOrEqual(header.tolerance);
    });

    it(`${c.name}: streaming in uneven chunks equals the whole-signal result`, () => {
      const pcm = pcmAll.subarray(c.pcm_offset, c.pcm_offset + c.samples);
      const whole = logMelPatches(pcm, params);
      const stream = new LogMelStream(params);
      const parts: Float32Array[] = [];
      const masks: number[] = [];
      const chunks = [1, 777, 4096, 15599, 160];
      for (let at = 0, i = 0; at < pcm.length; i++) {
        const n = chunks[i % chunks.length];
        const out = stream.push(pcm.subarray(at, at + n));
        parts.push(out.logMel);
        masks.push(...out.audioMask);
        at += n;
      }
      const tail = stream.flush();
      parts.push(tail.logMel);
      masks.push(...tail.audioMask);
      const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      parts.reduce((off, p) => (joined.set(p, off), off + p.length), 0);
      expect(stream.segmentsEmitted).toBe(whole.segmentCount);
      expect(masks).toEqual(Array.from(whole.audioMask));
      expect(maxAbsDiff(joined, whole.logMel)).toBe(0);
    });
  }
});

describe('front-end geometry', () => {
  it('counts segments as max(1, ceil(N / 15360))', () => {
    expect([0, 1, 15360, 15361, 16000 * 60].map((n) => segmentCount(n, params))).toEqual([1, 1, 1, 2, 63]);
  });

  it('builds a [257, 64] mel matrix with a zero DC row and bands inside 125-7500 Hz', () => {
    const w = melWeightMatrix(64, 257, 16000, 125, 7500);
    expect(w.length).toBe(257 * 64);
    for (let m = 0; m < 64; m++) expect(w[m]).toBe(0);
    for (let k = 0; k < 257; k++) {
      const hz = (8000 * k) / 256;
      let rowSum = 0;
      for (let m = 0; m < 64; m++) rowSum += w[k * 64 + m];
      if (hz <= 125 || hz >= 7500) expect(rowSum).toBe(0);
      else expect(rowSum).toBeGreaterThan(0);
    }
  });

  it('processes a minute of audio in one call with a finite result', () => {
    const pcm = new Float32Array(16000 * 60);
    for (let i = 0; i < pcm.length; i++) pcm[i] = 0.1 * Math.sin(i * 0.05) + 0.01 * Math.sin(i * 1.3);
    const out = logMelPatches(pcm, params);
    expect(out.segmentCount).toBe(63);
    expect(out.logMel.every(Number.isFinite)).toBe(true);
  });
});
