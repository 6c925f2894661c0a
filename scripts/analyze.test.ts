// The analyze command's pure parts: argument parsing, folder listing and the JSON line's shape.
// The end-to-end run (headless Chromium, browser/CLI parity) is e2e/analyze-cli.spec.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLine, listInputs, parseArgs, summary } from './analyze.mjs';

describe('parseArgs', () => {
  it('reads a file, a transcript, --json and a backend', () => {
    const o = parseArgs(['clip.mp4', '--transcript', 'hello there', '--json', '--backend', 'webgpu']);
    expect(o).toMatchObject({ inputs: ['clip.mp4'], transcript: 'hello there', json: true, backend: 'webgpu' });
    expect(parseArgs(['clip.mp4']).backend).toBe('wasm');
  });
  it('refuses bad usage with a message', () => {
    expect(() => parseArgs([])).toThrow(/video file or a folder/);
    expect(() => parseArgs(['a.mp4', 'b.mp4'])).toThrow(/one video/);
    expect(() => parseArgs(['a.mp4', '--backend', 'cuda'])).toThrow(/wasm or webgpu/);
    expect(() => parseArgs(['a.mp4', '--faces', 'some'])).toThrow(/track or full/);
    expect(() => parseArgs(['a.mp4', '--transcript', 'x', '--subtitles', 's.srt'])).toThrow(/not both/);
    expect(() => parseArgs(['a.mp4', '--subtitles', 's.txt'])).toThrow(/\.srt or \.vtt/);
    expect(() => parseArgs(['a.mp4', '--transcript'])).toThrow(/needs a value/);
    expect(() => parseArgs(['a.mp4', '--fast'])).toThrow(/Unknown option/);
  });
  it('has the documented defaults, -h, --name=value and -- before a file that starts with a dash', () => {
    expect(parseArgs(['clip.mp4'])).toMatchObject({ inputs: ['clip.mp4'], transcript: undefined, subtitles: undefined, json: false, backend: 'wasm', faces: 'track', server: undefined, help: false });
    expect(parseArgs(['clip.mp4', '--faces', 'full']).faces).toBe('full');
    expect(parseArgs(['-h']).help).toBe(true);
    expect(parseArgs(['clip.mp4', '--backend=webgpu', '--transcript', '-- well, no']).transcript).toBe('-- well, no');
    expect(parseArgs(['--', '-clip.mp4']).inputs).toEqual(['-clip.mp4']);
    expect(parseArgs(['clip.mp4', '--chromium', '/opt/chromium']).chromium).toBe('/opt/chromium');
  });
  it('names the option that is wrong', () => {
    expect(() => parseArgs(['a.mp4', '--fast'])).toThrow('Unknown option --fast;');
    expect(() => parseArgs(['a.mp4', '--backend'])).toThrow('--backend needs a value.');
    expect(() => parseArgs(['a.mp4', '--json=yes'])).toThrow('--json takes no value.');
  });
});

describe('listInputs', () => {
  it('lists a folder\'s video files in name order and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mer-analyze-'));
    for (const f of ['b.mp4', 'a.WEBM', 'notes.txt', 'c.mkv']) writeFileSync(join(dir, f), 'x');
    mkdirSync(join(dir, 'sub.mp4'));
    expect(listInputs(dir).map((p: string) => p.slice(dir.length + 1))).toEqual(['a.WEBM', 'b.mp4', 'c.mkv']);
    expect(listInputs(join(dir, 'b.mp4'))).toEqual([join(dir, 'b.mp4')]);
    expect(() => listInputs(join(dir, 'missing.mp4'))).toThrow(/does not exist/);
  });
});

describe('jsonLine and summary', () => {
  const result = {
    file: 'x.mp4', labels: ['anger', 'neutral'], segment_seconds: 0.96, fused: [0.2, 0.7],
    modalities: { audio: [0.1, 0.9], visual: null, text: [0.3, 0.6] }, modality_basis: 'text_masked',
    attention: { audio: 0.5, visual: 0, text: 0.5 },
    segments: [{ start: 0, end: 0.96, audio: [0.1, 0.9], visual: null, face: false, face_box: null }],
    backend: 'wasm', timings_ms: { total: 10 },
  };
  it('keeps the contract\'s keys in order', () => {
    const line = jsonLine('dir/x.mp4', result);
    expect(Object.keys(line)).toEqual(['file', 'labels', 'segment_seconds', 'fused', 'modalities', 'modality_basis', 'attention', 'segments', 'backend', 'timings_ms']);
    expect(line.file).toBe('dir/x.mp4');
    expect(Object.keys(line.segments[0]!)).toEqual(['start', 'end', 'audio', 'visual', 'face', 'face_box']);
    expect(line.modalities.visual).toBeNull();
  });
  it('summarises the top emotion and missing modalities', () => {
    const text = summary('x.mp4', result, ['Visual modality left out: no face was found.']);
    expect(text).toContain('emotion: neutral (70.0 %)');
    expect(text).toMatch(/visual α = 0\.000 {2}missing/);
    expect(text).toMatch(/audio {2}α = 0\.500 {2}says neutral \(0\.900\) without the words/); // voice judged with the transcript masked
    expect(text).toMatch(/text {3}α = 0\.500 {2}says neutral \(0\.600\)$/m);
    expect(text).toContain('segments: 1 × 0.96 s');
    expect(text).toContain('note: Visual modality left out');
    expect(text).toMatch(/time: total: 10 ms/); // a timing's name and value are separated
  });
  it('prints the page\'s headline, uncertain when it is, that scores are independent, and the transcript used (issue 17 #3)', () => {
    const reading = {
      headline: 'Uncertain: neutral (70.0%) or anger (65.0%), within 10 points of each other', uncertain: true,
      scores: 'Each emotion is scored on its own, from 0 to 100%: several can be high at once, so the scores do not add up to 100%.',
      transcript: 'typed',
    };
    const text = summary('x.mp4', { ...result, fused: [0.65, 0.7] }, [], reading);
    expect(text.split('\n')[1]).toBe('  Uncertain: neutral (70.0%) or anger (65.0%), within 10 points of each other');
    expect(text).toContain('(Each emotion is scored on its own');
    expect(text).toContain('transcript used: typed');
    expect(text).not.toContain('emotion: neutral');
    expect(jsonLine('x.mp4', result, reading).reading).toEqual(reading);
    expect(summary('x.mp4', result, [], { ...reading, trust: 'How far to trust this: …' })).toContain('  (How far to trust this: …)');
  });
});
