import { describe, expect, it } from 'vitest';
import { sampleResult } from '../export/fixture.test-helpers';
import type { FaceCrops } from '../pipeline/engine';
import { segmentAt } from '../state/store';
import { cropRgba } from './cropImages';
import { modalityStatements } from './modalityStatus';
import { argmax, coverage, segmentDecision } from '../pipeline/decisions';
import { colourFor, describeSegment, EMOTION_COLOURS, nextCell } from './timelineCells';

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
    const ekman = Object.keys(EMOTION_COLOURS);
    expect(colourFor(['Anger', ...ekman.slice(1)], 0)).toBe(EMOTION_COLOURS.anger);
    expect(colourFor(['joy', 'frustration'], 1)).toMatch(/^#[0-9a-f]{6}$/);
  });
  it('gives every emotion of a label set its own colour, whatever the set', () => {
    const sets = [
      Object.keys(EMOTION_COLOURS),
      ['anger', 'disgust', 'fear', 'happy', 'sad', 'surprise'], // CMU-MOSEI's six: the emotion colours
      ['ang', 'exc', 'fru', 'hap', 'neu', 'sad'], // IEMOCAP's six: exc and fru have none, so the cycle for all
      ['anger', 'frustration', 'happiness', 'calm'],
      ['happy', 'happiness'], // two names for one emotion
    ];
    for (const labels of sets) expect(new Set(labels.map((_, i) => colourFor(labels, i))).size).toBe(labels.length);
    expect(colourFor(sets[1]!, 3)).toBe(EMOTION_COLOURS.happiness);
    expect(colourFor(sets[2]!, 0)).not.toBe(EMOTION_COLOURS.anger);
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
    const crops = { size, channels: 1, present: new Float32Array([1, 1]), pixels: new Float32Array([0, 0.5, 1, 2, 0.25, 0.25, 0.25, 0.25]) };
    expect(Array.from(cropRgba(crops, 0))).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect(Array.from(cropRgba(crops, 1)).slice(0, 4)).toEqual([64, 64, 64, 255]);
  });
  it('takes the engine\'s grey bytes as they are (an hour of crops is 8.6 MB of bytes, not 35 MB of floats)', () => {
    const crops: FaceCrops = { size: 2, channels: 1, present: new Float32Array([1]), pixels: new Uint8Array([0, 128, 255, 64]) };
    expect(Array.from(cropRgba(crops, 0))).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 64, 64, 64, 255]);
  });
});

describe('an hour of segments (3,750)', () => {
  it('shows one page of PAGE_CELLS cells at a time, the page holding the segment', async () => {
    const { pageOf, PAGE_CELLS } = await import('./timelineCells');
    expect(pageOf(0, 3750)).toEqual({ page: 0, first: 0, count: PAGE_CELLS, pages: 32 });
    expect(pageOf(3749, 3750)).toEqual({ page: 31, first: 3720, count: 30, pages: 32 });
    expect(pageOf(125, 3750)).toMatchObject({ page: 1, first: 120 });
    expect(pageOf(99999, 3750).page).toBe(31);
    expect(pageOf(2, 3)).toEqual({ page: 0, first: 0, count: 3, pages: 1 }); // short clips: one page, as before
  });
  it('overviews the whole clip in at most OVERVIEW_BINS bars that cover every segment once', async () => {
    const { overviewBins, OVERVIEW_BINS } = await import('../pipeline/decisions');
    const { longResult } = await import('../export/fixture.test-helpers');
    const hour = longResult(3750);
    const bins = overviewBins(hour);
    expect(bins.length).toBeLessThanOrEqual(OVERVIEW_BINS);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3750);
    expect(bins.every((b, i) => b.first === (bins[i - 1] ? bins[i - 1]!.first + bins[i - 1]!.count : 0))).toBe(true);
    expect(bins.at(-1)?.end).toBe(3600);
    // A bar's colour is its segments' mean decision.
    const b = bins[3]!;
    const mean = hour.labels.map((_, k) => hour.segments.slice(b.first, b.first + b.count)
      .map((s) => segmentDecision(hour, s)).filter((d) => d.top >= 0).reduce((a, d) => a + (d.probs[k] ?? 0), 0));
    expect(b.top).toBe(argmax(mean));
    expect(b.face).toBeCloseTo(hour.segments.slice(b.first, b.first + b.count).filter((s) => s.face).length / b.count, 9);
    // A bar with no decision anywhere says so.
    const silent = { ...hour, segments: hour.segments.map((s) => ({ ...s, audio: null, visual: null, face: false })) };
    expect(overviewBins(silent, 10).every((x) => x.top === -1)).toBe(true);
  });
  it('tells clock times and the span of a cell (shared links of long clips have coarse cells)', async () => {
    const { cellSpan } = await import('../pipeline/decisions');
    const { formatClock } = await import('./timelineCells');
    expect(formatClock(7.9)).toBe('0:07');
    expect(formatClock(725)).toBe('12:05');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(cellSpan(sampleResult())).toEqual({ seconds: 0.96, per: 1, segments: 3 });
    const coarse = { segments: [{ start: 0, end: 2.88 }, { start: 2.88, end: 3.84 }] as never, segment_seconds: 0.96, coarse: { per: 3, segments: 4 } };
    expect(cellSpan(coarse)).toEqual({ seconds: 2.88, per: 3, segments: 4 });
  });
  it('PNG export: time ticks at round steps, at most about 10, for a minute to three hours', async () => {
    const { axisTicks } = await import('../export/png');
    expect(axisTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(axisTicks(3600)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600]);
    expect(axisTicks(3 * 3600).length).toBeLessThanOrEqual(11);
  });
  it('describes and decides 3,750 segments quickly enough to draw a page (no per-cell whole-result work)', async () => {
    const { longResult } = await import('../export/fixture.test-helpers');
    const hour = longResult(3750);
    expect(describeSegment(hour, 3749)).toMatch(/^Segment 3750 of 3750, 3599\.04 s to 3600\.00 s: /);
    expect(coverage(hour.segments)).toEqual({ total: 3750, voice: 3750 - Math.ceil(3750 / 7), face: 3750 - 750 });
  });
});
