// The command line's own logic (the browser run itself is e2e/prepare-dataset.spec.ts): options,
// the manifest checks shared with training/mer/data/manifest.py, the rows it writes, and how the
// page's tensors become feature-file arrays.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureArrays, featureFileName, incomplete, mediaOf, outputRow, parseArgs, readManifest } from './prepare-dataset.mjs';

const b64 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString('base64');

describe('parseArgs', () => {
  it('reads the manifest, --out and the options', () => {
    const o = parseArgs(['m.jsonl', '--out', 'dir', '--no-text', '--limit', '3', '--backend', 'webgpu']);
    expect(o).toMatchObject({ manifest: 'm.jsonl', out: 'dir', text: false, limit: 3, backend: 'webgpu', force: false, pcm: false });
  });

  it('explains what is wrong', () => {
    expect(() => parseArgs(['m.jsonl'])).toThrow(/--out/);
    expect(() => parseArgs(['--out', 'd'])).toThrow(/Give a manifest/);
    expect(() => parseArgs(['a', 'b', '--out', 'd'])).toThrow(/one manifest/);
    expect(() => parseArgs(['m', '--out', 'd', '--backend', 'gpu'])).toThrow(/wasm or webgpu/);
    expect(() => parseArgs(['m', '--out', 'd', '--limit', '0'])).toThrow(/positive whole number/);
    expect(() => parseArgs(['m', '--out', 'd', '--frames'])).toThrow(/Unknown option --frames/);
    expect(() => parseArgs(['m', '--out'])).toThrow('--out needs a value.');
    expect(() => parseArgs(['m', '--out', 'd', '--limit', '2.5'])).toThrow(/positive whole number/);
    expect(() => parseArgs(['m', '--out', 'd', '--limit', 'Infinity'])).toThrow(/positive whole number/);
  });

  it('has the documented defaults and --help needs nothing else', () => {
    expect(parseArgs(['m.jsonl', '--out', 'dir'])).toMatchObject({ text: true, pcm: false, force: false, limit: Infinity, backend: 'wasm', server: undefined, help: false });
    expect(parseArgs(['m.jsonl', '--out=dir', '--with-pcm', '--force'])).toMatchObject({ out: 'dir', pcm: true, force: true });
    expect(parseArgs(['--help']).help).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });
});

describe('readManifest', () => {
  const write = (lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    writeFileSync(join(dir, 'm.jsonl'), lines.join('\n'));
    return { dir, path: join(dir, 'm.jsonl') };
  };

  it('makes paths absolute relative to the manifest and skips blank lines', () => {
    const { dir, path } = write([
      JSON.stringify({ id: 'a', split: 'train', labels: ['hap'], transcript: 'hi', video: 'clips/a.mp4' }),
      '',
      JSON.stringify({ id: 'b', split: 'test', labels: [], video: '/abs/b.mp4' }),
    ]);
    const rows = readManifest(path);
    expect(rows.map((r: { video: string }) => r.video)).toEqual([join(dir, 'clips', 'a.mp4'), '/abs/b.mp4']);
  });

  it('refuses what the Python reader refuses, naming the line', () => {
    expect(() => readManifest(write([JSON.stringify({ id: 'a', split: 's' })]).path)).toThrow(/m\.jsonl:1: missing "labels"/);
    expect(() => readManifest(write([JSON.stringify({ id: 'a', split: 's', labels: [], mood: 1 })]).path)).toThrow(/unknown fields mood; valid are/);
    const dup = JSON.stringify({ id: 'a', split: 's', labels: [] });
    expect(() => readManifest(write([dup, dup]).path)).toThrow(/m\.jsonl:2: duplicate id "a"/);
    expect(() => readManifest(write(['{not json']).path)).toThrow(/m\.jsonl:1: not JSON/);
  });
});

describe('rows and files', () => {
  it('only media rows without features go through the browser', () => {
    expect(mediaOf({ id: 'a', video: '/v.mp4' })).toBe('/v.mp4');
    expect(mediaOf({ id: 'a', audio: '/a.wav' })).toBe('/a.wav');
    expect(mediaOf({ id: 'a', video: '/v.mp4', features: '/f.npz' })).toBeNull();
    expect(mediaOf({ id: 'a', image: '/face.png' })).toBeNull();
  });

  it('feature file names depend on the id and the tag only', () => {
    expect(featureFileName('Ses01F_x', 'abcd1234')).toBe(featureFileName('Ses01F_x', 'abcd1234'));
    expect(featureFileName('Ses01F_x', 'abcd1234')).toMatch(/^[0-9a-f]{16}-abcd1234\.npz$/);
    expect(featureFileName('Ses01F_y', 'abcd1234')).not.toBe(featureFileName('Ses01F_x', 'abcd1234'));
  });

  it('writes the row with its media replaced by the feature file, relative to the output folder', () => {
    const row = { id: 'a', split: 'dev', labels: ['ang'], transcript: 't', video: '/data/a.mp4', speaker: 'S1', image: '/data/f.png' };
    const out = outputRow(row, '/out/features/x.npz', '/out');
    expect(out).toEqual({ id: 'a', split: 'dev', labels: ['ang'], transcript: 't', speaker: 'S1', image: '/data/f.png', features: 'features/x.npz' });
    expect(outputRow({ id: 'b', split: 'dev', labels: [], text_cls: '/out/t.npy' }, undefined, '/out')).toEqual({ id: 'b', split: 'dev', labels: [], text_cls: 't.npy' });
  });

  it('turns the page tensors into the arrays training reads; text only when the transcript was encoded', () => {
    const tensors = {
      log_mel: { dims: [1, 2, 3], base64: b64([1, 2, 3, 4, 5, 6]) },
      audio_mask: { dims: [1], base64: b64([1]) },
      faces: { dims: [1, 1, 1, 2], base64: b64([0.25, 0.5]) },
      visual_mask: { dims: [1], base64: b64([0]) },
      text_cls: { dims: [2], base64: b64([0.5, -1]) },
      text_mask: { dims: [1], base64: b64([1]) },
      pcm: { dims: [3], base64: b64([0, 0.5, -0.5]) },
    };
    const arrays = featureArrays({ tensors }, { text: true, pcm: false });
    expect(Object.keys(arrays).sort()).toEqual(['audio_mask', 'faces', 'log_mel', 'text_cls', 'visual_mask']);
    expect(arrays.log_mel.shape).toEqual([1, 2, 3]);
    expect([...arrays.log_mel.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...arrays.text_cls.data]).toEqual([0.5, -1]);
    expect(Object.keys(featureArrays({ tensors }, { text: false, pcm: true })).sort()).toEqual(['audio_mask', 'faces', 'log_mel', 'pcm', 'visual_mask']);
    const noText = { ...tensors, text_mask: { dims: [1], base64: b64([0]) } };
    expect(featureArrays({ tensors: noText }, { text: true, pcm: false }).text_cls).toBeUndefined();
    expect(() => featureArrays({ tensors: { ...tensors, faces: undefined } }, { text: true, pcm: false })).toThrow(/no faces/);
  });
});

describe('incomplete', () => {
  it('turns a run that lost video frames into a failure, and leaves others alone', () => {
    const lost = { ok: true, notes: ['2 of 8 video frames could not be read (the file may be cut short); the face is marked missing there.'] };
    expect(incomplete(lost)).toEqual({ ok: false, error: lost.notes[0], notes: lost.notes });
    const fine = { ok: true, notes: ['Visual modality left out: no face was found.'] };
    expect(incomplete(fine)).toBe(fine);
    const failed = { ok: false, error: 'x', notes: [] };
    expect(incomplete(failed)).toBe(failed);
  });
});
