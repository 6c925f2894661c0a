// Subtitle files (.srt, .vtt) as a transcript source: parsed into timed plain-text cues, and the
// text of the cues overlapping a time range joined into a transcript (the whole clip, or one
// segment). One line-by-line pass, no backtracking regexes: linear time on any input. Failures are
// returned as a value with a message for the user, never thrown.

export interface Cue { start: number; end: number; text: string }

export type SubtitleFormat = 'vtt' | 'srt';

export type ParseSubtitlesResult =
  | { ok: true; format: SubtitleFormat; cues: Cue[]; /** blocks that looked like cues but could not be read */ skipped: number }
  | { ok: false; error: string };

/** Larger files are refused: an hour of dense captions is well under 1 MB. */
export const MAX_SUBTITLE_BYTES = 5 * 1024 * 1024;

const quoted = (name: string) => (name ? `“${name}”` : 'The subtitle file');

export const SUBTITLE_ERRORS = Object.freeze({
  empty: (name: string) => `${quoted(name)} is empty. Choose a .srt or .vtt file with timed captions, or type the transcript instead.`,
  tooLarge: (name: string, mb: number) =>
    `${quoted(name)} is ${mb.toFixed(1)} MB; subtitle files are at most ${MAX_SUBTITLE_BYTES / 1024 / 1024} MB. Choose the subtitles of this clip only, or type the transcript instead.`,
  binary: (name: string) => `${quoted(name)} is not a text subtitle file. Choose a .srt or .vtt file, or type the transcript instead.`,
  noCues: (name: string) =>
    `No timed captions were found in ${quoted(name)}. A cue looks like “00:00:01,000 --> 00:00:04,000” followed by its text. Check the file, or type the transcript instead.`,
});

/** Seconds from `[hh:]mm:ss[.,fff]`; null when it is not a timestamp. */
export function parseTimestamp(raw: string): number | null {
  const s = raw.trim();
  if (s.length === 0 || s.length > 20) return null;
  const m = /^(?:(\d{1,4}):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/.exec(s);
  if (!m) return null;
  const hours = m[1] ? Number(m[1]) : 0;
  const minutes = Number(m[2]);
  const seconds = Number(m[3]);
  if (minutes > 59 || seconds > 59) return null;
  const fraction = m[4] ? Number(m[4]) / 10 ** m[4].length : 0;
  return Math.round((hours * 3600 + minutes * 60 + seconds + fraction) * 1000) / 1000;
}

/** `start --> end [cue settings / SRT coordinates]`; null when the line is not a timing line. */
function parseTiming(line: string): { start: number; end: number } | null {
  const arrow = line.indexOf('-->');
  if (arrow < 0) return null;
  const start = parseTimestamp(line.slice(0, arrow));
  const rest = line.slice(arrow + 3).trim();
  const space = rest.search(/[ \t]/);
  const end = parseTimestamp(space < 0 ? rest : rest.slice(0, space));
  if (start === null || end === null || end < start) return null;
  return { start, end };
}

const ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  amp: '&', lt: '', gt: '', quot: '"', apos: "'", nbsp: ' ', lrm: '', rlm: '',
});

/**
 * Cue markup to plain text: `<i>`, `<b>`, `<v Speaker>`, `<c.class>`, timestamps `<00:01.000>`,
 * SRT's `<font …>` and ASS-style `{\an8}` overrides are removed; entities decoded. Angle brackets
 * never survive (stray or escaped), so nothing in a cue can read as markup.
 */
export function stripCueMarkup(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '<') {
      const close = text.indexOf('>', i + 1);
      if (close < 0) { i++; continue; } // a stray '<' is dropped
      i = close + 1;
      continue;
    }
    if (c === '{' && text[i + 1] === '\\') {
      const close = text.indexOf('}', i + 2);
      if (close >= 0) { i = close + 1; continue; }
    }
    if (c === '&') {
      const semi = text.indexOf(';', i + 1);
      if (semi > i + 1 && semi - i <= 8) {
        const name = text.slice(i + 1, semi);
        const replacement = ENTITIES[name] ?? numericEntity(name);
        if (replacement !== null) { out += replacement; i = semi + 1; continue; }
      }
    }
    if (c !== '>') out += c;
    i++;
  }
  return out;
}

function numericEntity(name: string): string | null {
  const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
  if (!m) return null;
  const code = m[1] ? parseInt(m[1], 16) : Number(m[2]);
  if (code === 0x3c || code === 0x3e || code < 0x20 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
  return String.fromCodePoint(code);
}

const clean = (lines: string[]) => stripCueMarkup(lines.join(' ')).replace(/\s+/g, ' ').trim();
const isBlockKeyword = (line: string, word: string) =>
  line.startsWith(word) && (line.length === word.length || line[word.length] === ' ' || line[word.length] === '\t');
const isIndex = (line: string) => /^\d{1,9}$/.test(line.trim());

/**
 * Parses .srt or .vtt text (BOM, CRLF, missing final newline, cue settings, NOTE/STYLE/REGION
 * blocks, hour-less and comma/period timestamps are all fine). Cues come back sorted by start,
 * with start ≤ end and plain text; cues with no text are dropped.
 */
export function parseSubtitles(input: string, fileName = ''): ParseSubtitlesResult {
  if (typeof input !== 'string' || input.trim().length === 0) return { ok: false, error: SUBTITLE_ERRORS.empty(fileName) };
  if (input.length > MAX_SUBTITLE_BYTES) return { ok: false, error: SUBTITLE_ERRORS.tooLarge(fileName, input.length / 1024 / 1024) };
  if (input.includes('\u0000')) return { ok: false, error: SUBTITLE_ERRORS.binary(fileName) };
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = text.split(/\r\n|\r|\n/);
  const format: SubtitleFormat = isBlockKeyword(lines[0]!.replace(/^\s+/, ''), 'WEBVTT') ? 'vtt' : 'srt';

  const cues: Cue[] = [];
  let skipped = 0;
  // 'header' (WEBVTT block), 'skip' (NOTE/STYLE/REGION or an unreadable block), 'between', 'cue'.
  let state: 'header' | 'skip' | 'between' | 'cue' = format === 'vtt' ? 'header' : 'between';
  let current: { start: number; end: number; lines: string[] } | null = null;
  const finish = () => {
    if (current) {
      const body = clean(current.lines);
      if (body) cues.push({ start: current.start, end: current.end, text: body });
    }
    current = null;
  };

  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.trim() === '') {
      finish();
      state = 'between';
      continue;
    }
    const hasArrow = line.includes('-->');
    if (state === 'header' && hasArrow) {
      // A cue right under the WEBVTT line, without the blank line the spec asks for: keep it.
      const timing = parseTiming(line);
      if (timing) { current = { ...timing, lines: [] }; state = 'cue'; }
      continue;
    }
    if (state === 'header' || state === 'skip') continue;
    if (state === 'between') {
      if (hasArrow) {
        const timing = parseTiming(line);
        if (timing) { current = { ...timing, lines: [] }; state = 'cue'; } else { skipped++; state = 'skip'; }
      } else if (format === 'vtt' && (isBlockKeyword(line, 'NOTE') || isBlockKeyword(line, 'STYLE') || isBlockKeyword(line, 'REGION'))) {
        state = 'skip';
      }
      // Anything else is a cue identifier (or stray text) before the timing line: ignored.
      continue;
    }
    // state === 'cue'
    const timing = hasArrow ? parseTiming(line) : null;
    if (timing) {
      // A new cue without a blank line before it (common in hand-edited .srt): the index line
      // just before the timing belongs to the new cue, not to the previous text.
      if (current && current.lines.length > 0 && isIndex(current.lines[current.lines.length - 1]!)) current.lines.pop();
      finish();
      current = { ...timing, lines: [] };
    } else {
      current?.lines.push(line);
    }
  }
  finish();

  if (cues.length === 0) return { ok: false, error: SUBTITLE_ERRORS.noCues(fileName) };
  cues.sort((a, b) => a.start - b.start || a.end - b.end);
  return { ok: true, format, cues, skipped };
}

/**
 * The transcript of `[start, end)` seconds: the text of every cue overlapping it, in time order,
 * joined by spaces (a caption repeated by consecutive cues — roll-up captions — counts once).
 * `transcriptFor(cues, 0, Infinity)` is the whole clip's transcript.
 */
export function transcriptFor(cues: readonly Cue[], start: number, end: number): string {
  const parts: string[] = [];
  for (const cue of cues) {
    const overlaps = cue.start < end && (cue.end > start || (cue.end === cue.start && cue.start >= start));
    if (!overlaps) continue;
    if (parts[parts.length - 1] === cue.text) continue;
    parts.push(cue.text);
  }
  return parts.join(' ');
}
