// Share links: round trips, size caps, tampering, and a fast-check fuzz of the decoder over
// random strings and mutations of valid links (no exception escapes; ok results are valid).
import fc from 'fast-check';
import { deflateSync, inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../pipeline/result';
import { BACKENDS } from '../protocol';
import { base64urlDecode, base64urlEncode } from './base64url';
import { LIMITS, PROBABILITY_SCALE, wireSchema } from './schema';
import { coarsenSegments, decodeShareLink, describeShareLink, encodeShareLink, MIN_COARSE_ENTRIES, SHARE_ERRORS, type SharedResult } from './shareLink';

const LABELS = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];

const q = (x: number) => Math.round(x * PROBABILITY_SCALE) / PROBABILITY_SCALE;
const logit = (p: number) => Math.log(p / (1 - p));

/** `result` with its fused scores as the graph makes them: sigmoid(Σ α_m logit p_m), on the link's grid. */
function withFused<R extends AnalysisResult>(result: R): R {
  const fused = result.labels.map((_, k) => {
    const z = (['audio', 'visual', 'text'] as const).reduce((acc, m) => {
      const p = result.modalities[m]?.[k];
      return p === undefined ? acc : acc + result.attention[m] * logit(p);
    }, 0);
    return q(1 / (1 + Math.exp(-z)));
  });
  return { ...result, fused };
}

function sampleResult(segments = 5): AnalysisResult {
  const p = (i: number, j: number) => ((i * 7 + j * 13) % 100) / 100;
  return withFused({
    file: 'Ses01F_impro01_F000.mp4',
    labels: [...LABELS],
    segment_seconds: 0.96,
    fused: [],
    modalities: { audio: LABELS.map((_, j) => p(2, j)), visual: LABELS.map((_, j) => p(4, j)), text: LABELS.map((_, j) => p(3, j)) },
    modality_basis: 'unknown',
    attention: { audio: 0.5, visual: 0.2, text: 0.3 },
    segments: Array.from({ length: segments }, (_, i) => ({
      start: Math.round(i * 960) / 1000,
      end: Math.round((i + 1) * 960) / 1000,
      audio: i % 3 === 2 ? null : LABELS.map((_, j) => p(i, j)),
      visual: i % 2 === 0 ? LABELS.map((_, j) => p(i + 1, j)) : null,
      face: i % 2 === 0,
      face_box: i % 2 === 0 ? [120.5, 80.25, 200, 210.75] : null,
    })),
    backend: 'wasm',
    timings_ms: { decode: 120, audio: 30, faces: 800, text: 55, fusion: 40, total: 1100 },
  });
}

/** A result with words only (no voice, no face): α_text = 1 and the fused scores are the text's. */
function textOnly(segments = 3): AnalysisResult {
  const r = sampleResult(segments);
  return withFused({
    ...r, modalities: { audio: null, visual: null, text: r.modalities.text }, attention: { audio: 0, visual: 0, text: 1 },
    segments: r.segments.map((s) => ({ ...s, audio: null, visual: null, face: false, face_box: null })),
  });
}

/** Builds a fragment from an arbitrary JSON value, bypassing the encoder's checks. */
const rawLink = (value: unknown, version = 'v1') =>
  `#r=${version}.${base64urlEncode(deflateSync(new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))))}`;
const wireOf = (fragment: string) => {
  const bytes = base64urlDecode(fragment.slice('#r=v1.'.length));
  if (!bytes) throw new Error('bad test link');
  return JSON.parse(new TextDecoder().decode(inflateSync(bytes))) as Record<string, unknown>;
};

const expectError = (fragment: string, pattern: RegExp) => {
  const r = decodeShareLink(fragment);
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.error).toMatch(pattern);
};

/** Every value is plain data: primitives, arrays and objects whose prototype is Object.prototype. */
function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return Object.getPrototypeOf(v) === Array.prototype && v.every(isPlainData);
  if (typeof v === 'object') {
    return Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).every((k) => !['__proto__', 'constructor', 'prototype'].includes(k))
      && Object.values(v).every(isPlainData);
  }
  return false;
}

// A shared result renders wherever an analysis result does (compile-time check).
const _sharedIsAnalysis = (r: SharedResult): AnalysisResult => r;
void _sharedIsAnalysis;

/** The invariants the UI relies on for any result a link yields. */
function assertValidShared(r: SharedResult) {
  const m = r.labels.length;
  expect(m).toBeGreaterThan(0);
  expect(isPlainData(r)).toBe(true);
  const probs = (v: number[] | null) => {
    if (v === null) return;
    expect(v.length).toBe(m);
    for (const x of v) expect(Number.isFinite(x) && x >= 0 && x <= 1).toBe(true);
  };
  probs(r.fused);
  probs(r.modalities.audio); probs(r.modalities.visual); probs(r.modalities.text);
  for (const a of Object.values(r.attention)) expect(a >= 0 && a <= 1).toBe(true);
  expect(r.segments.length).toBeLessThanOrEqual(LIMITS.segments);
  for (const s of r.segments) {
    expect(s.end).toBeGreaterThan(s.start);
    probs(s.audio); probs(s.visual);
  }
  expect(BACKENDS).toContain(r.backend);
}

describe('encodeShareLink / decodeShareLink round trip', () => {
  it('gives back the same result (values on the link grid are exact)', () => {
    const result = sampleResult();
    const link = encodeShareLink(result, { includeTranscript: false, transcript: 'secret words' });
    expect(link).toMatch(/^#r=v1\.[A-Za-z0-9_-]+$/);
    const back = decodeShareLink(link);
    expect(back).toEqual({ ok: true, result: { ...result, transcript: null } });
  });

  it('includes the transcript only when the box is ticked', () => {
    const result = sampleResult(3);
    const without = encodeShareLink(result, { includeTranscript: false, transcript: 'I am so happy today' });
    const withIt = encodeShareLink(result, { includeTranscript: true, transcript: 'I am so happy today' });
    expect(JSON.stringify(wireOf(without))).not.toContain('happy today');
    const back = decodeShareLink(withIt);
    expect(back.ok && back.result.transcript).toBe('I am so happy today');
  });

  it('accepts a whole URL, a bare fragment and the payload alone', () => {
    const link = encodeShareLink(sampleResult(2), { includeTranscript: false });
    for (const input of [link, link.slice(1), `https://example.org/app/${link}`, link.slice('#r='.length), `#x=1&${link.slice(1)}`]) {
      expect(decodeShareLink(input).ok).toBe(true);
    }
  });

  it('quantizes to 1e-4 and milliseconds, and is stable after one round', () => {
    const result = sampleResult(4);
    result.fused = result.fused.map((p) => p + 1.23456e-5);
    result.segments[1]!.start = 0.96049;
    const once = decodeShareLink(encodeShareLink(result, { includeTranscript: false }));
    if (!once.ok) throw new Error(once.error);
    once.result.fused.forEach((p, j) => expect(Math.abs(p - result.fused[j]!)).toBeLessThanOrEqual(0.5 / PROBABILITY_SCALE));
    expect(once.result.segments[1]!.start).toBe(0.96);
    const twice = decodeShareLink(encodeShareLink(once.result, { includeTranscript: false }));
    expect(twice).toEqual(once);
  });

  it('round-trips random valid results (property)', () => {
    const prob = fc.integer({ min: 0, max: PROBABILITY_SCALE }).map((i) => i / PROBABILITY_SCALE);
    // Clip-level scores stay off 0 and 1 (a sigmoid never reaches them; logit would be infinite).
    const inner = fc.integer({ min: 1, max: PROBABILITY_SCALE - 1 }).map((i) => i / PROBABILITY_SCALE);
    const arb = fc.integer({ min: 1, max: 9 }).chain((m) => {
      const probs = fc.array(prob, { minLength: m, maxLength: m });
      const clip = fc.array(inner, { minLength: m, maxLength: m });
      return fc.record({
        file: fc.string({ maxLength: 80 }).filter((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s)),
        labels: fc.shuffledSubarray(['anger', 'joy', 'fear', 'calm', 'sad', 'surprise', 'neutral', 'disgust', 'love'], { minLength: m, maxLength: m }),
        clip: fc.record({ audio: clip, visual: clip, text: fc.option(clip, { nil: null }) }),
        weights: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 })),
        segments: fc.array(fc.record({
          audio: fc.option(probs, { nil: null }), visual: fc.option(probs, { nil: null }),
        }), { minLength: 1, maxLength: 20 }).map((segs) => segs.map((s, i) => ({
          start: (i * 960) / 1000, end: ((i + 1) * 960) / 1000, ...s, face: s.visual !== null,
          face_box: s.visual !== null ? [1, 2, 30, 40] as [number, number, number, number] : null,
        }))),
        backend: fc.constantFrom(...BACKENDS),
        timings_ms: fc.dictionary(fc.constantFrom('decode', 'audio', 'faces', 'text', 'fusion', 'total_ms'), fc.nat(100_000), { maxKeys: 6 }),
      }).filter((r) => r.clip.text !== null || r.segments.some((s) => s.audio || s.visual)).map(({ clip, weights, ...r }): AnalysisResult => {
        const modalities = {
          audio: r.segments.some((s) => s.audio) ? clip.audio : null,
          visual: r.segments.some((s) => s.visual) ? clip.visual : null,
          text: clip.text,
        };
        // α over the present modalities, in whole 1e-4 units that sum to exactly 1.
        const w = (['audio', 'visual', 'text'] as const).map((mod, i) => (modalities[mod] ? weights[i]! : 0));
        const units = w.map((x) => Math.floor((x / w.reduce((a, b) => a + b, 0)) * PROBABILITY_SCALE));
        units[w.findIndex((x) => x > 0)]! += PROBABILITY_SCALE - units.reduce((a, b) => a + b, 0);
        const [audio, visual, text] = units.map((u) => u / PROBABILITY_SCALE) as [number, number, number];
        return withFused({ ...r, segment_seconds: 0.96, fused: [], modalities, modality_basis: 'unknown', attention: { audio, visual, text } });
      });
    });
    fc.assert(fc.property(arb, (result) => {
      const back = decodeShareLink(encodeShareLink(result, { includeTranscript: false }));
      expect(back).toEqual({ ok: true, result: { ...result, transcript: null } });
    }), { numRuns: 200 });
  });
});

describe('size caps', () => {
  it('a 20-minute result (1,250 segments) fits in a link', () => {
    const link = encodeShareLink(sampleResult(1250), { includeTranscript: false });
    expect(link.length).toBeLessThan(LIMITS.linkChars);
    expect(decodeShareLink(link).ok).toBe(true);
  });

  it('shortens the timeline of a result too large for a link, keeping the clip-level result and the transcript', () => {
    // Incompressible content: pseudo-random probabilities over the most segments a link may hold,
    // and a transcript of random CJK characters at its length limit.
    let seed = 1;
    // LCG (the high bits; the low bits of an LCG repeat quickly and would compress well).
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * 1e6); };
    const result = sampleResult(LIMITS.segments);
    for (const s of result.segments) {
      s.audio = LABELS.map(() => (rand() % PROBABILITY_SCALE) / PROBABILITY_SCALE);
      s.visual = LABELS.map(() => (rand() % PROBABILITY_SCALE) / PROBABILITY_SCALE);
      s.face = true;
      s.face_box = [(rand() % 100000) / 100, (rand() % 100000) / 100, (rand() % 100000) / 100, (rand() % 100000) / 100];
    }
    expect(() => encodeShareLink(result, { includeTranscript: false })).not.toThrow();
    const transcript = Array.from({ length: LIMITS.transcriptChars }, () => String.fromCharCode(0x4e00 + (rand() % 20000))).join('');
    const link = encodeShareLink(result, { includeTranscript: true, transcript });
    expect(link.length).toBeLessThanOrEqual(LIMITS.linkChars + 3);
    const back = decodeShareLink(link);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.result.transcript).toBe(transcript);
    expect(back.result.fused).toEqual(result.fused.map((p) => Math.round(p * PROBABILITY_SCALE) / PROBABILITY_SCALE));
    expect(back.result.coarse?.segments).toBe(LIMITS.segments);
    expect(back.result.segments.length).toBe(Math.ceil(LIMITS.segments / (back.result.coarse?.per ?? 1)));
    expect(describeShareLink(link)).toMatch(/too long for a link to hold all 1,500 segments.*average of \d+ segments/);
  });

  it('an hour (3,750 segments of random numbers) shares as a link with a shortened timeline, and says so', () => {
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const hour = sampleResult(3750);
    for (const s of hour.segments) {
      s.audio = LABELS.map(() => Math.round(rand() * 1e4) / 1e4);
      s.visual = rand() < 0.9 ? LABELS.map(() => Math.round(rand() * 1e4) / 1e4) : null;
      s.face = s.visual !== null;
      s.face_box = s.face ? [rand() * 600, rand() * 400, 60, 60] : null;
    }
    const link = encodeShareLink(hour, { includeTranscript: false });
    expect(link.length).toBeLessThanOrEqual(LIMITS.linkChars + 3);
    const back = decodeShareLink(link);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const { per, segments } = back.result.coarse ?? { per: 1, segments: 0 };
    expect(segments).toBe(3750);
    expect(per).toBeGreaterThanOrEqual(3);
    expect(back.result.segments.length).toBe(Math.ceil(3750 / per));
    expect(back.result.segments.length).toBeGreaterThanOrEqual(MIN_COARSE_ENTRIES);
    // Entries span their groups end to end, and average the segments they stand for.
    expect(back.result.segments[1]?.start).toBeCloseTo(per * 0.96, 3);
    expect(back.result.segments.at(-1)?.end).toBeCloseTo(3750 * 0.96, 3);
    const group = hour.segments.slice(0, per).map((s) => s.audio?.[0] ?? 0);
    expect(back.result.segments[0]?.audio?.[0]).toBeCloseTo(group.reduce((a, b) => a + b, 0) / per, 3);
    expect(back.result.modalities).toEqual(hour.modalities); // the clip-level result is whole
    expect(back.result.attention).toEqual(hour.attention);
    expect(describeShareLink(link)).toMatch(/all 3,750 segments/);
    // A result that fits whole says nothing and has no `coarse`.
    const small = encodeShareLink(sampleResult(100), { includeTranscript: false });
    expect(describeShareLink(small)).toBeNull();
    expect(decodeShareLink(small)).not.toHaveProperty('result.coarse');
  });

  it('averages a coarse entry over the segments that had each modality', () => {
    const segs = sampleResult(5).segments;
    const [a, b] = coarsenSegments(segs, 3);
    expect(a).toMatchObject({ start: 0, end: 2.88, face: true, face_box: null });
    // segment 0 has no audio; 1 and 2 do
    expect(a?.audio?.[0]).toBeCloseTo(((segs[1]?.audio?.[0] ?? 0) + (segs[2]?.audio?.[0] ?? 0)) / 2, 9);
    expect(a?.visual?.[0]).toBeCloseTo(((segs[0]?.visual?.[0] ?? 0) + (segs[2]?.visual?.[0] ?? 0)) / 2, 9);
    expect(b).toMatchObject({ start: 2.88, end: 4.8 });
  });

  it('refuses a coarse link whose entry count does not match what it claims', () => {
    const wire = wireOf(encodeShareLink(sampleResult(4), { includeTranscript: false }));
    wire.coarse = [2, 100];
    expectError(rawLink(wire), /does not hold a valid result: its shortened timeline should have 50 cells but has 4\./);
    wire.coarse = [1, 4];
    expectError(rawLink(wire), /does not hold a valid result/);
  });

  it('refuses an oversized link before decoding it', () => {
    expectError(`#r=v1.${'A'.repeat(LIMITS.linkChars + 1)}`, /too long to open/);
    expectError(`#r=v1.${'A'.repeat(10 * LIMITS.linkChars)}`, /too long to open/);
  });

  it('refuses a decompression bomb (small link, huge output) mid-stream', () => {
    const bomb = new Uint8Array(8 * 1024 * 1024); // 8 MB of zeros deflate to ~8 KB
    const link = `#r=v1.${base64urlEncode(deflateSync(bomb, { level: 9 }))}`;
    expect(link.length).toBeLessThan(LIMITS.linkChars);
    const t0 = performance.now();
    expectError(link, /unpacks to more than 1 MB/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses too many segments', () => {
    const wire = wireOf(encodeShareLink(sampleResult(1), { includeTranscript: false }));
    const seg = (wire.segments as unknown[])[0];
    wire.segments = Array.from({ length: LIMITS.segments + 1 }, (_, i) => { const s = [...(seg as unknown[])]; s[0] = i * 960; s[1] = (i + 1) * 960; return s; });
    expectError(rawLink(wire), /does not hold a valid result: the timeline is too large or too long\./);
  });
});

/** Field paths and wire names ("segments.1.2", "fused", "timings_ms") that a person cannot read. */
const SCHEMA_LANGUAGE = /\b[a-z_]+\.\d|\b(fused|modalities|attention|timings_ms|coarse|wire|schema)\b/;

describe('links whose numbers contradict each other are refused, in plain sentences', () => {
  const wire = (r: AnalysisResult = sampleResult(7)) => wireOf(encodeShareLink(r, { includeTranscript: false }));
  const refused = (w: Record<string, unknown>, pattern: RegExp) => {
    const r = decodeShareLink(rawLink(w));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(/^This link’s numbers contradict each other: /);
    expect(r.error).toMatch(pattern);
    expect(r.error).not.toMatch(SCHEMA_LANGUAGE);
    expect(r.error).toMatch(/Ask the sender for a new link\.$/);
  };

  it('α of 100% for all three modalities', () => {
    refused({ ...wire(), attention: [10_000, 10_000, 10_000] }, /weights add up to 300%, but they always add up to 100%/);
  });
  it('α for a modality marked not available', () => {
    const w = wire(textOnly(3));
    refused({ ...w, attention: [5_000, 0, 5_000] }, /gives the voice a weight of 50% although it says there was no voice/);
  });
  it('α summing to 1 within rounding is accepted', () => {
    const w = wire();
    const [a, v, t] = w.attention as number[];
    expect(decodeShareLink(rawLink({ ...w, attention: [a! + 1, v!, t!] })).ok).toBe(true);
  });
  it('no modality at all', () => {
    const w = wire(textOnly(3));
    refused({ ...w, modalities: { audio: null, visual: null, text: null }, attention: [0, 0, 0] }, /no modality \(voice, face or words\) was available/);
  });
  it('all overall scores 0 (the page would have said "Most likely: anger")', () => {
    const w = wire();
    refused({ ...w, fused: (w.fused as number[]).map(() => 0) }, /every overall score is 0%/);
    // Also with a transcript decided in a second, text-masked run, where the weaker check applies.
    refused({ ...w, basis: 'text_masked', fused: (w.fused as number[]).map(() => 0) }, /every overall score is 0%/);
  });
  it('an overall score that the voice, face and words scores and α cannot give', () => {
    const w = wire();
    const fused = [...(w.fused as number[])];
    fused[3] = 9_900; // happiness 99% where the modalities say otherwise
    refused({ ...w, fused }, /overall score for happiness \(99%\) is not what its voice, face and words scores and weights give/);
  });
  it('the fused identity is not applied to a text-masked basis with a transcript, but is without one', () => {
    const w = wire();
    const fused = [...(w.fused as number[])];
    fused[3] = 9_900;
    expect(decodeShareLink(rawLink({ ...w, basis: 'text_masked', fused })).ok).toBe(true);
    const base = sampleResult(2);
    const noWords = withFused({ ...base, modalities: { ...base.modalities, text: null }, attention: { audio: 0.6, visual: 0.4, text: 0 } });
    const t = wire(noWords);
    refused({ ...t, basis: 'text_masked', fused: (t.fused as number[]).map((x) => Math.min(10_000, x + 2_000)) }, /is not what/);
  });
  it('zero segments', () => {
    refused({ ...wire(), segments: [] }, /it has no timeline/);
  });
  it('"90,000 segments" claimed for a 6.7 s timeline', () => {
    const w = wire(sampleResult(7));
    const segs = w.segments as unknown[][];
    // Seven cells of 0.96 s (6.72 s) claiming to average 90,000 segments in groups of 12,858.
    refused({ ...w, coarse: [12_858, 90_000], segments: segs }, /stands for 90,000 segments, which does not match the times of its cells/);
  });
  it('a gap in the timeline', () => {
    const w = wire(sampleResult(4));
    const segs = structuredClone(w.segments as number[][]);
    segs[2]![0] = 2_000; segs[2]![1] = 2_880;
    refused({ ...w, segments: segs }, /gap or a segment of the wrong length at segment 3/);
  });
  it('a segment with face scores but no face, and a clip with voice scores no segment has', () => {
    const w = wire(sampleResult(4));
    const segs = structuredClone(w.segments as unknown[][]);
    segs[0]![4] = 0; segs[0]![5] = null;
    refused({ ...w, segments: segs }, /segment 1 of its timeline has face scores but says no face was seen/);
    const silent = structuredClone(w.segments as unknown[][]).map((x) => { x[2] = null; return x; });
    refused({ ...w, segments: silent }, /voice scores for the clip but no segment of its timeline has any/);
  });
  it('a valid link made with another segment length opens, its times in that step', () => {
    const r = { ...sampleResult(3), segment_seconds: 0.5 };
    r.segments = r.segments.map((x, i) => ({ ...x, start: i * 0.5, end: (i + 1) * 0.5 }));
    const back = decodeShareLink(encodeShareLink(r, { includeTranscript: false }));
    expect(back.ok && back.result.segment_seconds).toBe(0.5);
  });
  it('the encoder refuses to make a link from a contradictory result', () => {
    expect(() => encodeShareLink({ ...sampleResult(2), attention: { audio: 1, visual: 1, text: 1 } }, { includeTranscript: false }))
      .toThrow(/cannot be shared as a link: its modality weights add up to 300%/);
  });
});

describe('tampered links give a clear error', () => {
  const link = encodeShareLink(sampleResult(), { includeTranscript: true, transcript: 'hello' });
  const good = wireOf(link);
  const edited = (edit: (w: Record<string, unknown>) => void) => {
    const w = structuredClone(good);
    edit(w);
    return rawLink(w);
  };

  it.each([
    ['empty', '', /does not contain a shared result/],
    ['only a hash', '#', /does not contain a shared result/],
    ['another fragment', '#section-2', /does not contain a shared result/],
    ['wrong version', link.replace('v1.', 'v2.'), /different version of the app \(v2\)/],
    ['no version', link.replace('v1.', 'x1.'), /not a result link/],
    ['non-base64 characters', `${link.slice(0, 40)}$%<>${link.slice(40)}`, /characters a result link never has/],
    ['truncated', link.slice(0, Math.floor(link.length / 2)), /damaged or cut short|not readable/],
    ['truncated to one char', '#r=v1.A', /characters a result link never has|damaged or cut short/],
    ['not JSON inside', rawLink('<script>alert(1)</script>'), /contents are not readable/],
    ['JSON but not an object', rawLink([1, 2, 3]), /does not hold a valid result/],
    ['unknown field', edited((w) => { w.html = '<b>x</b>'; }), /has fields a result does not have/],
    ['missing field', edited((w) => { delete w.labels; }), /the list of emotions is missing or has the wrong kind of value/],
    ['probability above 1', edited((w) => { (w.fused as number[])[0] = PROBABILITY_SCALE + 1; }), /overall score 1 is too large/],
    ['negative probability', edited((w) => { (w.fused as number[])[0] = -1; }), /overall score 1 is too small/],
    ['Infinity (1e999)', rawLink(JSON.stringify(good).replace('"fused":[', '"fused":[1e999,')), /overall score 1 /],
    ['NaN literal', rawLink(JSON.stringify(good).replace('"fused":[', '"fused":[NaN,')), /contents are not readable/],
    ['fraction where an integer belongs', edited((w) => { (w.fused as number[])[0] = 0.5; }), /overall score 1 /],
    ['wrong number of values', edited((w) => { (w.fused as number[]).pop(); }), /there are 6 overall scores for 7 emotions/],
    ['segment ends before it starts', edited((w) => { ((w.segments as unknown[][])[1]!)[1] = 0; }), /segment 2 of the timeline ends before it starts/],
    ['HTML as a label', edited((w) => { (w.labels as string[])[0] = '<img src=x onerror=alert(1)>'; }), /emotion name 1 must be a plain word/],
    ['control characters in the file name', edited((w) => { w.file = 'a\u202egnp.mp4'; }), /the file name contains control characters/],
    ['unknown backend', edited((w) => { w.backend = 'cuda'; }), /the backend name has a value that is not allowed/],
    ['__proto__ key', rawLink(JSON.stringify(good).replace('{"file"', '{"__proto__":{"polluted":1},"file"')), /tampered with/],
    ['nested constructor key', rawLink(JSON.stringify(good).replace('"timings_ms":{', '"timings_ms":{"constructor":1,')), /tampered with/],
    ['prototype timing key', rawLink(JSON.stringify(good).replace('"timings_ms":{', '"timings_ms":{"prototype":1,')), /tampered with/],
  ])('%s', (_name, fragment, pattern) => {
    expectError(fragment, pattern);
    const r = decodeShareLink(fragment);
    if (!r.ok) {
      expect(r.error).not.toMatch(/[<>]/); // never echoes markup back
      expect(r.error).toMatch(/\.$/);
      expect(r.error).not.toMatch(SCHEMA_LANGUAGE);
    }
  });

  it('does not pollute Object.prototype', () => {
    decodeShareLink(rawLink(JSON.stringify(good).replace('{"file"', '{"__proto__":{"polluted":1},"file"')));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('every error constant says what to do', () => {
    for (const e of Object.values(SHARE_ERRORS)) {
      const text = typeof e === 'function' ? e('x' as never) : e;
      expect(text).toMatch(/Ask the sender|Open the app|Export|drop a video/);
    }
  });

  it('deeply nested JSON (1 MB of brackets) is refused without a stack overflow escaping', () => {
    expectError(rawLink('['.repeat(1_000_000)), /not readable|does not hold a valid result/);
    expectError(rawLink(`${'['.repeat(500_000)}${']'.repeat(500_000)}`), /not readable|does not hold a valid result/);
  });

  it('non-string input does not throw', () => {
    expect(decodeShareLink(undefined as unknown as string).ok).toBe(false);
    expect(decodeShareLink(null as unknown as string).ok).toBe(false);
    expect(decodeShareLink(42 as unknown as string).ok).toBe(false);
  });
});

describe('fuzzing the decoder (fast-check)', () => {
  const valid = [
    encodeShareLink(sampleResult(1), { includeTranscript: false }),
    encodeShareLink(sampleResult(6), { includeTranscript: true, transcript: 'well, I guess so' }),
    encodeShareLink(textOnly(3), { includeTranscript: false }),
  ];
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Decompressed once: the mutators below start from these (cloned) rather than re-inflating.
  const validJson = new Map(valid.map((v) => [v, JSON.stringify(wireOf(v))]));

  /** Decodes without throwing, and returns either a valid result or a plain-text error. */
  const check = (fragment: string) => {
    let r: ReturnType<typeof decodeShareLink>;
    try {
      r = decodeShareLink(fragment);
    } catch (e) {
      throw new Error(`decodeShareLink threw: ${String(e)}`);
    }
    if (r.ok) {
      assertValidShared(r.result);
      expect(wireSchema.safeParse(wireOf(encodeShareLink(r.result, { includeTranscript: r.result.transcript !== null, transcript: r.result.transcript ?? '' }))).success).toBe(true);
    } else {
      expect(typeof r.error).toBe('string');
      expect(r.error.length).toBeGreaterThan(10);
      expect(r.error).not.toMatch(/[<>]/);
    }
    return r.ok;
  };

  // Mutations of a valid link at the character level (what a chat app or a careless copy does).
  const charMutation = fc.record({
    base: fc.constantFrom(...valid),
    ops: fc.array(fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom(...B64) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ maxLength: 4 }) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
    ), { minLength: 1, maxLength: 4 }),
  }).map(({ base, ops }) => ops.reduce((s, op) => {
    const at = s.length ? op.at % s.length : 0;
    switch (op.kind) {
      case 'flip': return s.slice(0, at) + op.ch + s.slice(at + 1);
      case 'cut': return s.slice(0, at);
      case 'insert': return s.slice(0, at) + op.s + s.slice(at);
      default: return s.slice(0, at) + s.slice(at + op.n);
    }
  }, base));

  // Mutations of the decompressed JSON (what a deliberate tamperer does), re-compressed so they
  // reach the schema instead of failing at inflate.
  const jsonMutation = fc.record({
    base: fc.constantFrom(...valid),
    at: fc.nat(),
    n: fc.integer({ min: 0, max: 6 }),
    s: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('null', '1e999', '-1', '0.5', '"x"', '[]', '{}', '"__proto__":1,', '10001', 'true', ',')),
  }).map(({ base, at, n, s }) => {
    const json = validJson.get(base)!;
    const i = at % json.length;
    return rawLink(json.slice(0, i) + s + json.slice(i + n));
  });

  // Valid-shaped JSON with random values at random leaves.
  const structural = fc.record({
    base: fc.constantFrom(...valid),
    path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }).map(({ base, path, value }) => {
    const w = JSON.parse(validJson.get(base)!) as unknown;
    let node = w as Record<string, unknown> | unknown[];
    for (let d = 0; d < path.length; d++) {
      const keys = Object.keys(node);
      if (!keys.length) break;
      const key = keys[path[d]! % keys.length]!;
      const child = (node as Record<string, unknown>)[key];
      if (d === path.length - 1 || child === null || typeof child !== 'object') {
        (node as Record<string, unknown>)[key] = value;
        break;
      }
      node = child as Record<string, unknown>;
    }
    return rawLink(w);
  });

  const random = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...B64), maxLength: 400 }).map((s) => `#r=v1.${s}`),
    fc.uint8Array({ maxLength: 300 }).map((b) => `#r=v1.${base64urlEncode(b)}`),
    fc.uint8Array({ maxLength: 300 }).map((b) => `#r=v1.${base64urlEncode(deflateSync(b))}`),
    fc.jsonValue({ maxDepth: 3 }).map((v) => rawLink(JSON.stringify(v) ?? 'null')),
  );

  it('10,000+ random and mutated payloads: no exception escapes, ok results are valid', () => {
    const runs = { random: 2500, charMutation: 3500, jsonMutation: 2500, structural: 2000 };
    let okCount = 0;
    const counting = (f: string) => { if (check(f)) okCount++; };
    fc.assert(fc.property(random, counting), { numRuns: runs.random });
    fc.assert(fc.property(charMutation, counting), { numRuns: runs.charMutation });
    fc.assert(fc.property(jsonMutation, counting), { numRuns: runs.jsonMutation });
    fc.assert(fc.property(structural, counting), { numRuns: runs.structural });
    expect(Object.values(runs).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(10_000);
    // Some mutations (e.g. a changed probability or file name) are still valid results.
    expect(okCount).toBeGreaterThan(0);
  }, 60_000);
});
