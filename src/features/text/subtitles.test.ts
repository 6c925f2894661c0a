// Subtitle parsing: the .srt/.vtt features people's files really have, transcripts per time range,
// errors as values, and a fast-check fuzz (random and mutated files: never throws, stays linear,
// cues sorted with start ≤ end and no markup in the text).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSubtitles, parseTimestamp, stripCueMarkup, SUBTITLE_ERRORS, transcriptFor, type Cue } from './subtitles';

const SRT = `1
00:00:01,000 --> 00:00:04,000
Hello there.

2
00:00:04,500 --> 00:00:06,250 X1:100 X2:200 Y1:10 Y2:20
<i>How are</i> you
<b>today?</b>

3
00:01:00,000 --> 01:00:00,000
{\\an8}Fine &amp; you?
`;

const VTT = `\uFEFFWEBVTT - with a title
Kind: captions
Language: en

STYLE
::cue { color: yellow; }

NOTE This is a comment
that spans lines

REGION
id:fred width:40%

intro
00:01.000 --> 00:04.000 align:start position:10%
<v Roger Bingham>We are in New York City

00:00:04.500 --> 00:00:06.000 line:0
<v.loud Neil>We’re actually at the <c.highlight>Lucern</c> Hotel,<00:00:05.500> just down the street

NOTE another comment

00:06.000 --> 00:07.000
&lt;laughs&gt; &#233;t&#xE9;`;

const ok = (text: string, name = 'x.srt') => {
  const r = parseSubtitles(text, name);
  if (!r.ok) throw new Error(r.error);
  return r;
};

describe('parseSubtitles', () => {
  it('reads SRT: indices, coordinates, tags, ASS overrides, entities', () => {
    const r = ok(SRT);
    expect(r.format).toBe('srt');
    expect(r.cues).toEqual([
      { start: 1, end: 4, text: 'Hello there.' },
      { start: 4.5, end: 6.25, text: 'How are you today?' },
      { start: 60, end: 3600, text: 'Fine & you?' },
    ]);
  });

  it('reads WebVTT: BOM, header, STYLE/NOTE/REGION, identifiers, settings, voice and class tags, hour-less times', () => {
    const r = ok(VTT, 'x.vtt');
    expect(r.format).toBe('vtt');
    expect(r.skipped).toBe(0);
    expect(r.cues).toEqual([
      { start: 1, end: 4, text: 'We are in New York City' },
      { start: 4.5, end: 6, text: 'We’re actually at the Lucern Hotel, just down the street' },
      { start: 6, end: 7, text: 'laughs été' },
    ]);
  });

  it('CRLF, CR-only and a missing final newline change nothing', () => {
    const base = ok(SRT).cues;
    expect(ok(SRT.replace(/\n/g, '\r\n')).cues).toEqual(base);
    expect(ok(SRT.replace(/\n/g, '\r')).cues).toEqual(base);
    expect(ok(SRT.trimEnd()).cues).toEqual(base);
    expect(ok(VTT.replace(/\n/g, '\r\n'), 'x.vtt').cues).toEqual(ok(VTT, 'x.vtt').cues);
  });

  it('period decimals in SRT and comma decimals in VTT, short fractions', () => {
    expect(ok('1\n00:00:01.5 --> 00:00:02,25\nhi').cues).toEqual([{ start: 1.5, end: 2.25, text: 'hi' }]);
    expect(ok('WEBVTT\n\n00:01,000 --> 00:02.000\nhi').cues).toEqual([{ start: 1, end: 2, text: 'hi' }]);
  });

  it('a VTT cue right under the header line (no blank line) is kept', () => {
    expect(ok('WEBVTT\n00:01.000 --> 00:02.000\nhi\n', 'x.vtt').cues).toEqual([{ start: 1, end: 2, text: 'hi' }]);
  });

  it('a cue without a blank line before it (hand-edited SRT) keeps its index out of the text', () => {
    const r = ok('1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:02,000 --> 00:00:03,000\nsecond\n');
    expect(r.cues.map((c) => c.text)).toEqual(['first', 'second']);
  });

  it('skips unreadable blocks, keeps the rest, and sorts by time', () => {
    const r = ok('1\n00:00:05,000 --> 00:00:06,000\nlater\n\n2\n00:00:99,000 --> 00:00:01,000\nbad\n\n3\n00:00:01,000 --> 00:00:02,000\nearlier\n\n4\n00:00:03,000 --> 00:00:02,000\nbackwards\n');
    expect(r.cues.map((c) => c.text)).toEqual(['earlier', 'later']);
    expect(r.skipped).toBe(2);
  });

  it('drops cues whose text is only markup', () => {
    expect(ok('1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n\n2\n00:00:02,000 --> 00:00:03,000\nword\n').cues).toHaveLength(1);
  });

  it.each([
    ['empty', '', SUBTITLE_ERRORS.empty('a.srt')],
    ['whitespace', ' \n\r\n\t', SUBTITLE_ERRORS.empty('a.srt')],
    ['binary', 'PK\u0003\u0004\u0000\u0000', SUBTITLE_ERRORS.binary('a.srt')],
    ['plain prose', 'Just some words\nwithout any times.', SUBTITLE_ERRORS.noCues('a.srt')],
    ['only a VTT header', 'WEBVTT\n\nNOTE nothing here', SUBTITLE_ERRORS.noCues('a.srt')],
  ])('%s → an error value with a message', (_name, text, error) => {
    expect(parseSubtitles(text, 'a.srt')).toEqual({ ok: false, error });
    expect(error).toMatch(/type the transcript instead\.$/);
  });

  it('refuses a file over the size limit', () => {
    const r = parseSubtitles('a'.repeat(5 * 1024 * 1024 + 1), 'big.srt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/“big.srt” is 5.0 MB; subtitle files are at most 5 MB/);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['00:00:01,000', 1], ['01:02:03.456', 3723.456], ['02:03.4', 123.4], ['1:02:03', 3723], ['100:00:00.000', 360000],
    ['00:60:00.000', null], ['00:00:60.000', null], ['', null], ['1.5', null], ['aa:bb:cc', null], ['00:00:01.0000', null],
  ])('%s → %s', (s, v) => expect(parseTimestamp(s)).toBe(v));
});

describe('stripCueMarkup', () => {
  it('never leaves angle brackets', () => {
    expect(stripCueMarkup('a < b and c > d &lt;script&gt;alert(1)&lt;/script&gt;')).toBe('a  d scriptalert(1)/script'); // '< b and c >' reads as a tag
    expect(stripCueMarkup('<script>alert(1)</script>')).toBe('alert(1)');
  });
});

describe('transcriptFor', () => {
  const cues: Cue[] = [
    { start: 0, end: 1, text: 'one' },
    { start: 0.5, end: 2, text: 'two' },
    { start: 2, end: 3, text: 'three' },
    { start: 2.5, end: 3, text: 'three' },
    { start: 5, end: 5, text: 'instant' },
  ];
  it('whole clip', () => expect(transcriptFor(cues, 0, Infinity)).toBe('one two three instant'));
  it('a 0.96 s segment takes the cues overlapping it', () => {
    expect(transcriptFor(cues, 0, 0.96)).toBe('one two');
    expect(transcriptFor(cues, 0.96, 1.92)).toBe('one two');
    expect(transcriptFor(cues, 1.92, 2.88)).toBe('two three');
    expect(transcriptFor(cues, 3, 4)).toBe('');
    expect(transcriptFor(cues, 4.8, 5.76)).toBe('instant');
  });
});

describe('fuzzing parseSubtitles (fast-check)', () => {
  const TAG_OR_BRACKET = /[<>]/;
  const checkInvariants = (text: string) => {
    let r: ReturnType<typeof parseSubtitles>;
    try {
      r = parseSubtitles(text, 'fuzz.srt');
    } catch (e) {
      throw new Error(`parseSubtitles threw: ${String(e)}`);
    }
    if (!r.ok) {
      expect(r.error.length).toBeGreaterThan(10);
      return;
    }
    expect(r.cues.length).toBeGreaterThan(0);
    for (let i = 0; i < r.cues.length; i++) {
      const c = r.cues[i]!;
      expect(Number.isFinite(c.start) && Number.isFinite(c.end) && c.start >= 0 && c.start <= c.end).toBe(true);
      if (i > 0) expect(c.start).toBeGreaterThanOrEqual(r.cues[i - 1]!.start);
      expect(c.text).not.toMatch(TAG_OR_BRACKET);
      expect(c.text).toBe(c.text.trim());
      expect(c.text.length).toBeGreaterThan(0);
    }
    expect(typeof transcriptFor(r.cues, 0, Infinity)).toBe('string');
  };

  const ts = fc.record({ h: fc.nat(99), m: fc.nat(59), s: fc.nat(59), ms: fc.nat(999), sep: fc.constantFrom(',', '.'), hourless: fc.boolean() })
    .map(({ h, m, s, ms, sep, hourless }) => `${hourless ? '' : `${String(h).padStart(2, '0')}:`}${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${sep}${String(ms).padStart(3, '0')}`);
  const cueText = fc.array(fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('<i>', '</i>', '<b>', '<v Speaker>', '<c.x>', '</c>', '<00:00:01.000>', '{\\an8}', '&amp;', '&lt;', '&#60;', '&#x3e;', '<', '>', '-->', 'NOTE', '&'),
  ), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
  const validFile = fc.record({
    vtt: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    cues: fc.array(fc.record({ a: ts, b: ts, settings: fc.constantFrom('', ' align:start', ' X1:1 X2:2'), text: cueText, id: fc.option(fc.nat(9999)) }), { maxLength: 12 }),
  }).map(({ vtt, eol, bom, cues }) => {
    // Valid files have start ≤ end: order each pair.
    const ordered = (c: { a: string; b: string }) => ((parseTimestamp(c.a) ?? 0) <= (parseTimestamp(c.b) ?? 0) ? [c.a, c.b] : [c.b, c.a]);
    const blocks = cues.map((c, i) => [c.id === null ? (vtt ? null : String(i + 1)) : String(c.id), `${ordered(c).join(' --> ')}${c.settings}`, c.text]
      .filter((x) => x !== null).join(eol));
    return (bom ? '\uFEFF' : '') + (vtt ? `WEBVTT${eol}${eol}` : '') + blocks.join(eol + eol);
  });
  const mutated = fc.record({
    file: validFile,
    ops: fc.array(fc.record({ at: fc.nat(), del: fc.nat(5), ins: fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('\n', '\n\n', '-->', '<', ':', ',', '\uFEFF', 'WEBVTT\n')) }), { maxLength: 4 }),
  }).map(({ file, ops }) => ops.reduce((s, op) => {
    const at = s.length ? op.at % (s.length + 1) : 0;
    return s.slice(0, at) + op.ins + s.slice(at + op.del);
  }, file));
  const random = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: fc.constantFrom('0', '1', ':', ',', '.', ' ', '-', '>', '<', '\n', '\r', 'a', 'W', '&', ';', '{', '\\', '}'), maxLength: 300 }),
  );

  it('10,000+ random and mutated files: never throws, cues sorted, start ≤ end, no markup', () => {
    const runs = { valid: 2000, mutated: 5000, random: 3000 };
    fc.assert(fc.property(validFile, checkInvariants), { numRuns: runs.valid });
    fc.assert(fc.property(mutated, checkInvariants), { numRuns: runs.mutated });
    fc.assert(fc.property(random, checkInvariants), { numRuns: runs.random });
    expect(runs.valid + runs.mutated + runs.random).toBeGreaterThanOrEqual(10_000);
  }, 60_000);

  it('valid generated files keep every cue whose text is not empty after markup removal', () => {
    fc.assert(fc.property(validFile, (file) => {
      const r = parseSubtitles(file);
      if (!r.ok) return; // every cue had empty text, or no cues at all
      expect(r.skipped).toBe(0);
    }), { numRuns: 500 });
  });

  it('stays linear on adversarial input (no catastrophic backtracking)', () => {
    const size = 2_000_000;
    const inputs = [
      '<'.repeat(size), '&'.repeat(size), `${'0:'.repeat(size / 2)}`, `${'-->'.repeat(size / 3)}`,
      `WEBVTT\n\n${'00:00.000 --> 00:01.000\n'.repeat(size / 24)}`, '{\\'.repeat(size / 2), ' \t'.repeat(size / 2) + 'x',
    ];
    for (const input of inputs) {
      const t0 = performance.now();
      parseSubtitles(input);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
  });
});
