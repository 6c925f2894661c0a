import { describe, expect, it } from 'vitest';
import { sampleResult } from '../export/fixture.test-helpers';
import type { FaceCrops } from '../pipeline/engine';
import { segmentAt } from '../state/store';
import { cropRgba } from './cropImages';
import { modalityStatements } from './modalityStatus';
import { argmax, colourFor, coverage, describeSegment, EMOTION_COLOURS, nextCell, segmentDecision } from './timeline';

describe('segmentDecision', () => {
  const result = sampleResult(); // α audio 0.25, visual 0.75
  it('weights voice and face by the clip\'s α', () => {
    const d = segmentDecision(result, result.segments[0]!);
    expect(d.source).toBe('voice and face');
    expect(d.probs[0]).toBeCloseTo(0.25 * 0.6 + 0.75 * 0.2);
    expect(d.probs[1]).toBeCloseTo(0.25 * 0.1 + 0.75 * 0.9);
    expect(d.top).toBe(1);
  });
  it('uses the one modality a segment has', () => {
    expect(segmentDecision(result, result.segments[1]!)).toEqual({ probs: [0.7, 0.1, 0.2], source: 'face', top: 0 });
    expect(segmentDecision(result, result.segments[2]!)).toMatchObject({ source: 'voice', top: 2 });
  });
  it('has no decision without voice and face, and equal weights when both α are 0', () => {
    const none = { ...result.segments[0]!, audio: null, visual: null, face: false };
    expect(segmentDecision(result, none)).toEqual({ probs: [], source: 'none', top: -1 });
    const textOnly = sampleResult({ attention: { audio: 0, visual: 0, text: 1 } });
    expect(segmentDecision(textOnly, textOnly.segments[0]!).probs[0]).toBeCloseTo(0.4);
  });
});

describe('describeSegment and coverage', () => {
  const result = sampleResult();
  it('says the time, the top emotion, its source and what is missing', () => {
    expect(describeSegment(result, 1)).toBe('Segment 2 of 3, 0.96 s to 1.92 s: anger 70.0% (from face); no voice');
    expect(describeSegment(result, 2)).toBe('Segment 3 of 3, 1.92 s to 2.88 s: neutral 90.0% (from voice); no face');
    expect(describeSegment(result, 9)).toBe('');
  });
  it('counts segments with voice and face', () => {
    expect(coverage(result.segments)).toEqual({ total: 3, voice: 2, face: 2 });
  });
});

describe('timeline keys and time', () => {
  it('moves between cells and stays inside', () => {
    expect(nextCell('ArrowRight', 0, 3)).toBe(1);
    expect(nextCell('ArrowRight', 2, 3)).toBe(2);
    expect(nextCell('ArrowLeft', 0, 3)).toBe(0);
    expect(nextCell('End', 0, 3)).toBe(2);
    expect(nextCell('Home', 2, 3)).toBe(0);
    expect(nextCell('PageDown', 0, 3)).toBe(2);
    expect(nextCell('a', 0, 3)).toBeNull();
    expect(nextCell('ArrowRight', 0, 0)).toBeNull();
  });
  it('finds the segment playing at a time, a seek to a start landing in that segment', () => {
    const segments = Array.from({ length: 5 }, (_, t) => ({ start: Math.round(t * 0.96 * 1e6) / 1e6, end: Math.round((t + 1) * 0.96 * 1e6) / 1e6 }));
    expect(segmentAt(segments, 0)).toBe(0);
    expect(segmentAt(segments, 0.959)).toBe(0);
    expect(segmentAt(segments, 3 * 0.96)).toBe(3);
    expect(segmentAt(segments, 2.8799999)).toBe(3);
    expect(segmentAt(segments, 99)).toBe(4);
    expect(segmentAt([], 1)).toBeNull();
    expect(segmentAt(segments, NaN)).toBeNull();
  });
});

describe('colours', () => {
  it('has a colour per Ekman-7 emotion and a fallback for other label sets', () => {
    expect(Object.keys(EMOTION_COLOURS)).toHaveLength(7);
    expect(new Set(Object.values(EMOTION_COLOURS)).size).toBe(7);
    expect(colourFor('Anger', 0)).toBe(EMOTION_COLOURS.anger);
    expect(colourFor('frustration', 11)).toMatch(/^#[0-9a-f]{6}$/);
  });
  it('argmax takes the first maximum, -1 for none', () => {
    expect(argmax([0.1, 0.5, 0.5])).toBe(1);
    expect(argmax([])).toBe(-1);
  });
});

describe('modalityStatements', () => {
  it('says plainly which modality is missing, whole or in part', () => {
    const s = modalityStatements(sampleResult());
    expect(s.map((x) => [x.modality, x.missing])).toEqual([['audio', 'some'], ['visual', 'some'], ['text', 'all']]);
    expect(s[0]?.text).toContain('2 of 3');
    expect(s[2]?.text).toMatch(/no transcript/);
  });
  it('says nothing when all three are there everywhere', () => {
    const r = sampleResult({ modalities: { audio: [0], visual: [0], text: [0] } });
    r.segments = r.segments.map((s) => ({ ...s, audio: [0.1, 0.1, 0.1], visual: [0.1, 0.1, 0.1], face: true }));
    expect(modalityStatements(r)).toEqual([]);
  });
  it('names a modality missing entirely', () => {
    const r = sampleResult({ modalities: { audio: null, visual: null, text: [0.1, 0.2, 0.3] } });
    expect(modalityStatements(r).map((x) => x.text.split(':')[0])).toEqual(['No voice', 'No face']);
  });
});

describe('cropRgba', () => {
  it('turns a grey [0, 1] crop into opaque RGBA bytes, segment by segment', () => {
    const size = 2;
    const crops: FaceCrops = { size, channels: 1, present: new Float32Array([1, 1]), pixels: new Float32Array([0, 0.5, 1, 2, 0.25, 0.25, 0.25, 0.25]) };
    expect(Array.from(cropRgba(crops, 0))).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect(Array.from(cropRgba(crops, 1)).slice(0, 4)).toEqual([64, 64, 64, 255]);
  });
});
