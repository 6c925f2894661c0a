import { describe, expect, it } from 'vitest';
// The CLI's writer: the page's JSON export must have the same shape and key order.
// @ts-expect-error -- a plain JavaScript module without type declarations
import { jsonLine } from '../../scripts/analyze.mjs';
import type { SharedResult } from '../share/shareLink';
import { exportFileName } from './download';
import { sampleResult } from './fixture.test-helpers';
import { resultForExport, resultJson } from './json';

describe('resultJson', () => {
  it('matches `npm run analyze -- --json` key for key, in order', () => {
    const result = sampleResult();
    const fromPage = JSON.parse(resultJson(result));
    const fromCli = jsonLine(result.file, result);
    expect(fromPage).toEqual(fromCli);
    expect(JSON.stringify(fromPage)).toBe(JSON.stringify(fromCli));
  });
  it('drops anything that is not part of the result (a shared link\'s transcript)', () => {
    const shared: SharedResult = { ...sampleResult(), transcript: 'private words' };
    const text = resultJson(shared);
    expect(text).not.toContain('private words');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'file', 'labels', 'segment_seconds', 'fused', 'modalities', 'modality_basis', 'attention', 'segments', 'backend', 'timings_ms',
    ]);
  });
  it('copies instead of sharing arrays with the result', () => {
    const result = sampleResult();
    const copy = resultForExport(result);
    copy.fused[0] = 0;
    expect(result.fused[0]).toBe(0.7);
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
    const back = JSON.parse(text) as typeof hour;
    expect(back.segments).toHaveLength(3750);
    expect(back).toEqual(hour);
  });
});
