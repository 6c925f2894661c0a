// The result as CSV, in two files because they have different shapes:
// - segments: one row per segment (result.segment_seconds) — start, end, whether voice and face were there, and the
//   voice (audio) and face (visual) probability of every emotion; empty cells where a modality is
//   missing in that segment (never a made-up 0);
// - summary: one row per emotion with the fused decision and each modality's own decision, then a
//   row with the fusion weights α (empty columns: modality missing).
// RFC 4180: comma separated, CRLF line ends, fields quoted when needed. Text cells that a
// spreadsheet would run as a formula (=, +, -, @ first) get a leading apostrophe.
import type { AnalysisResult } from '../pipeline/result';
import { MODALITIES } from '../pipeline/result';
import { readingOf, TEXT_PER_WINDOW, type TranscriptKind } from './reading';
import type { TextWindow } from '../pipeline/windowTexts';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: numbers as they are, text quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (fields: readonly (string | number | boolean | null | undefined)[]) => fields.map(csvField).join(',');
/** Six decimals: below the model's float32 noise, and short enough to read. */
const prob = (x: number | undefined) => (x === undefined ? null : Math.round(x * 1e6) / 1e6);
/** Column names from labels: lower case, anything but letters and digits becomes `_`. */
const column = (label: string) => label.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_');
/**
 * The voice and face columns' names say what they hold: `audio_without_text` / `visual_without_text`
 * when judged with the transcript masked (result.modality_basis), plain `audio` / `visual` for an
 * old shared link that does not say.
 */
const ownColumn = (m: 'audio' | 'visual', result: Pick<AnalysisResult, 'modality_basis'>) =>
  (result.modality_basis === 'text_masked' ? `${m}_without_text` : m);

export function segmentsCsv(result: AnalysisResult): string {
  const header = ['segment', 'start_s', 'end_s', 'voice', 'face',
    ...result.labels.map((l) => `${ownColumn('audio', result)}_${column(l)}`),
    ...result.labels.map((l) => `${ownColumn('visual', result)}_${column(l)}`)];
  const rows = result.segments.map((s, i) => line([
    i + 1, s.start, s.end, s.audio !== null, s.face,
    ...result.labels.map((_, k) => (s.audio ? prob(s.audio[k]) : null)),
    ...result.labels.map((_, k) => (s.visual ? prob(s.visual[k]) : null)),
  ]));
  return [line(header), ...rows].join('\r\n') + '\r\n';
}

/**
 * One row per emotion, the α row, then how to read them: `headline` (uncertain when the top two are
 * within 0.1 or none reaches 0.5), `note` (each emotion is scored on its own) and, when known,
 * `transcript used` (none / typed / subtitles); with timed captions a `text per window` row and one
 * `words` row per window (start, end, its words).
 */
export function summaryCsv(result: AnalysisResult, transcript: TranscriptKind | null = null, windows: readonly TextWindow[] | null = null,
  trust: string | null = null): string {
  const rows = result.labels.map((label, k) => line([
    label, prob(result.fused[k]), ...MODALITIES.map((m) => prob(result.modalities[m]?.[k])),
  ]));
  const alpha = line(['alpha (fusion weight)', null, ...MODALITIES.map((m) => prob(result.attention[m]))]);
  const reading = readingOf(result, transcript, windows, trust);
  const words = [line(['headline', reading.headline]), line(['note', reading.scores])];
  if (reading.trust) words.push(line(['trust', reading.trust]));
  if (reading.transcript) words.push(line(['transcript used', reading.transcript]));
  if (reading.text_windows) {
    words.push(line(['text per window', TEXT_PER_WINDOW]));
    for (const w of reading.text_windows) words.push(line(['words', w.start_s, w.end_s, w.text || '(none: text left out)']));
  }
  const header = ['emotion', 'fused', ownColumn('audio', result), ownColumn('visual', result), 'text'];
  return [line(header), ...rows, alpha, ...words].join('\r\n') + '\r\n';
}
