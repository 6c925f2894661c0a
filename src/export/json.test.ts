import { describe, expect, it } from 'vitest';
// The CLI's writer: the page's JSON export must have the same shape and key order.
// @ts-expect-error -- a plain JavaScript module without type declarations
import { jsonLine } from '../../scripts/analyze.mjs';
import type { SharedResult } from '../share/shareLink';
import { exportFileName } from './download';
import { sampleResult } from './fixture.test-helpers';
import { resultForExport, resultJson } from './json';
import { readingOf } from './reading';

describe('resultJson', () => {
  it('matches `npm run analyze -- --json` key for key, in order', () => {
    const result = sampleResult();
    const fromPage = JSON.parse(resultJson(result));
    const fromCli = jsonLine(result.file, result, readingOf(result));
    expect(fromPage).toEqual(fromCli);
    expect(JSON.stringify(fromPage)).toBe(JSON.stringify(fromCli));
  });
  it('drops anything that is not part of the result (a shared link\'s transcript)', () => {
    const shared: SharedResult = { ...sampleResult(), transcript: 'private words' };
    const text = resultJson(shared);
    expect(text).not.toContain('private words');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'file', 'labels', 'segment_seconds', 'fused', 'modalities', 'modality_basis', 'attention', 'segments', 'backend', 'timings_ms', 'reading',
    ]);
  });
  it('copies instead of sharing arrays with the result', () => {
    const result = sampleResult();
    const copy = resultForExport(result);
    copy.fused[0] = 0;
    expect(result.fused[0]).toBe(0.7);
  });
});

describe('the reading with timed captions (issue 17: words per window)', () => {
  it('names the words each window was given; without per-window words there is no such key', () => {
    const windows = [
      { first: 0, count: 32, start: 0, end: 30.72, text: 'so happy', tokens: 4, cut: 0 },
      { first: 32, count: 31, start: 30.72, end: 60.48, text: 'so angry', tokens: 4, cut: 1 },
    ];
    const back = JSON.parse(resultJson(sampleResult(), 'subtitles', windows)) as { reading: Record<string, unknown> };
    expect(back.reading.text_windows).toEqual([
      { start_s: 0, end_s: 30.72, text: 'so happy', tokens: 4, cut: 0 },
      { start_s: 30.72, end_s: 60.48, text: 'so angry', tokens: 4, cut: 1 },
    ]);
    expect('text_windows' in (JSON.parse(resultJson(sampleResult(), 'typed')) as { reading: object }).reading).toBe(false);
  });
});

describe('the reading (issue 17 #3): the headline in words, uncertain when it is', () => {
  it('close top two: uncertain, both named; the transcript the run used', () => {
    const back = JSON.parse(resultJson(sampleResult({ fused: [0.668, 0.615, 0.3] }), 'subtitles')) as { reading: Record<string, unknown> };
    expect(back.reading).toEqual({
      headline: 'Uncertain: anger (66.8%) or happiness (61.5%), within 10 points of each other',
      uncertain: true,
      scores: 'Each emotion is scored on its own, from 0 to 100%: several can be high at once, so the scores do not add up to 100%.',
      transcript: 'subtitles',
    });
  });
  it('a clear result: "Most likely"; unknown transcript (a shared link) is left out', () => {
    const back = JSON.parse(resultJson(sampleResult({ fused: [0.9, 0.2, 0.4] }))) as { reading: Record<string, unknown> };
    expect(back.reading).toMatchObject({ headline: 'Most likely: anger (90.0%)', uncertain: false });
    expect(back.reading).not.toHaveProperty('transcript');
    expect(back.reading).not.toHaveProperty('trust');
  });
  it('how far to trust it, when the model measured these inputs, comes after the rest', () => {
    const back = JSON.parse(resultJson(sampleResult(), 'typed', null, 'How far to trust this: …')) as { reading: Record<string, unknown> };
    expect(Object.keys(back.reading)).toEqual(['headline', 'uncertain', 'scores', 'transcript', 'trust']);
    expect(back.reading.trust).toBe('How far to trust this: …');
  });
});

describe('exportFileName', () => {
  it.each([
    ['talk.mp4', 'emotions.json', 'talk-emotions.json'],
    ['talk.final.webm', 'segments.csv', 'talk.final-segments.csv'],
    ['', 'chart.png', 'result-chart.png'],
    ['../../etc/passwd', 'summary.csv', 'etc_passwd-summary.csv'],
    ['a:b*c?.mov', 'chart.png', 'a_b_c_-chart.png'],
  ])('%j + %s -> %s', (name, suffix, expected) => expect(exportFileName(name, suffix)).toBe(expected));
});

describe('an hour of segments (3,750)', () => {
  it('exports every segment and reads back equal', async () => {
    const { longResult } = await import('./fixture.test-helpers');
    const hour = longResult(3750);
    const text = resultJson(hour);
    const { reading, ...back } = JSON.parse(text) as typeof hour & { reading: unknown };
    expect(back.segments).toHaveLength(3750);
    expect(back).toEqual(hour);
    expect(reading).toMatchObject({ uncertain: expect.any(Boolean) });
  });
});
