import { describe, expect, it } from 'vitest';
import { csvField, segmentsCsv, summaryCsv } from './csv';
import { sampleResult } from './fixture.test-helpers';

/** A strict RFC 4180 reader, enough to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  return rows;
}

describe('csvField', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });
  it('writes numbers, booleans and missing values', () => {
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(NaN)).toBe('');
    expect(csvField(true)).toBe('1');
    expect(csvField(null)).toBe('');
  });
  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

describe('segmentsCsv', () => {
  const result = sampleResult();
  const rows = parseCsv(segmentsCsv(result));
  it('has a header and one row per segment, all the same width', () => {
    expect(rows[0]).toEqual(['segment', 'start_s', 'end_s', 'voice', 'face',
      'audio_without_text_anger', 'audio_without_text_happiness', 'audio_without_text_neutral',
      'visual_without_text_anger', 'visual_without_text_happiness', 'visual_without_text_neutral']);
    expect(rows).toHaveLength(1 + result.segments.length);
    for (const r of rows) expect(r).toHaveLength(rows[0]?.length ?? 0);
  });
  it('writes the probabilities and leaves a missing modality empty, never 0', () => {
    expect(rows[1]).toEqual(['1', '0', '0.96', '1', '1', '0.6', '0.1', '0.5', '0.2', '0.9', '0.1']);
    expect(rows[2]).toEqual(['2', '0.96', '1.92', '0', '1', '', '', '', '0.7', '0.1', '0.2']);
    expect(rows[3]).toEqual(['3', '1.92', '2.88', '1', '0', '0.1', '0.2', '0.9', '', '', '']);
  });
  it('rounds to six decimals and makes safe column names from labels', () => {
    const r = sampleResult({ labels: ['Very Happy!', 'b', 'c'] });
    r.segments[0] = { ...r.segments[0]!, audio: [1 / 3, 0, 0] };
    const [header, first] = parseCsv(segmentsCsv(r));
    expect(header?.[5]).toBe('audio_without_text_very_happy_');
    expect(first?.[5]).toBe('0.333333');
  });
});

describe('summaryCsv', () => {
  it('has one row per emotion with fused and per-modality decisions, then α', () => {
    const rows = parseCsv(summaryCsv(sampleResult()));
    expect(rows[0]).toEqual(['emotion', 'fused', 'audio_without_text', 'visual_without_text', 'text']);
    expect(rows[1]).toEqual(['anger', '0.7', '0.6', '0.8', '']);
    expect(rows[3]).toEqual(['neutral', '0.4', '0.5', '0.2', '']);
    expect(rows[4]).toEqual(['alpha (fusion weight)', '', '0.25', '0.75', '0']);
    expect(rows[5]).toEqual(['headline', 'Most likely: anger (70.0%)']);
    expect(rows[6]?.[0]).toBe('note');
    expect(rows[6]?.[1]).toMatch(/^Each emotion is scored on its own/);
    expect(rows).toHaveLength(7);
  });
  it('says when the headline is uncertain, and which transcript the run used (issue 17 #3)', () => {
    const rows = parseCsv(summaryCsv(sampleResult({ fused: [0.45, 0.2, 0.4] }), 'none'));
    expect(rows[5]).toEqual(['headline', 'Uncertain: no emotion reaches 50%; highest anger (45.0%) and neutral (40.0%)']);
    expect(rows[7]).toEqual(['transcript used', 'none']);
    const trusted = parseCsv(summaryCsv(sampleResult(), 'none', null, 'How far to trust this: …'));
    expect(trusted[7]).toEqual(['trust', 'How far to trust this: …']);
    expect(trusted[8]).toEqual(['transcript used', 'none']);
  });
  it('with timed captions, says the words were given per window and names each window\'s words', () => {
    const windows = [
      { first: 0, count: 32, start: 0, end: 30.72, text: 'I am so happy, "really"', tokens: 9, cut: 0 },
      { first: 32, count: 31, start: 30.72, end: 60.48, text: '', tokens: 0, cut: 0 },
    ];
    const rows = parseCsv(summaryCsv(sampleResult(), 'subtitles', windows));
    expect(rows[7]).toEqual(['transcript used', 'subtitles']);
    expect(rows[8]).toEqual(['text per window', 'timed captions: each window got the words spoken in it']);
    expect(rows[9]).toEqual(['words', '0', '30.72', 'I am so happy, "really"']);
    expect(rows[10]).toEqual(['words', '30.72', '60.48', '(none: text left out)']);
  });
});

describe('what the voice and face columns hold (issue 13 #5)', () => {
  it('are named as judged without the words, except for an old shared link that does not say', () => {
    const old = sampleResult({ modality_basis: 'unknown' });
    expect(parseCsv(summaryCsv(old))[0]).toEqual(['emotion', 'fused', 'audio', 'visual', 'text']);
    expect(parseCsv(segmentsCsv(old))[0]?.slice(5, 6)).toEqual(['audio_anger']);
  });
});

describe('an hour of segments (3,750)', () => {
  it('gives one row per segment, in order, with empty cells where a modality is missing', async () => {
    const { longResult } = await import('./fixture.test-helpers');
    const hour = longResult(3750);
    const rows = parseCsv(segmentsCsv(hour));
    expect(rows).toHaveLength(3751);
    expect(rows[3750]?.slice(0, 3)).toEqual(['3750', '3599.04', '3600']);
    expect(rows[1]?.[3]).toBe('0'); // segment 1 (index 0) is silent
    expect(rows[1]?.[5]).toBe('');
    expect(rows.every((r) => r.length === 5 + 2 * 7)).toBe(true);
  });
});
