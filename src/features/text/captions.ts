// Subtitles everywhere in the page: a .srt/.vtt file dropped or picked (with the video, on the drop
// zone or on the transcript box) and SRT/VTT text pasted into the transcript box become the
// transcript as plain caption text — never with their timestamps and cue numbers, which the text
// model would read as words. What could not be read is said, never dropped silently.
import { MAX_SUBTITLE_BYTES, parseSubtitles, SUBTITLE_ERRORS, transcriptFor, type Cue } from './subtitles';

/** A subtitle file by its name or type. */
export function isSubtitleFile(file: { name: string; type?: string }): boolean {
  return /\.(srt|vtt)$/i.test(file.name) || file.type === 'text/vtt' || file.type === 'application/x-subrip';
}

/** A timing line somewhere in the text: `00:01.000 --> 00:04.000` or `00:00:01,000 --> 00:00:04,000`. */
const TIMING_LINE = /^[ \t]*(?:\d{1,4}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?[ \t]*-->[ \t]*(?:\d{1,4}:)?\d{1,2}:\d{1,2}/m;

/** True when pasted or typed text is SRT/VTT captions rather than a plain transcript. */
export function looksLikeSubtitles(text: string): boolean {
  return text.length <= MAX_SUBTITLE_BYTES && (TIMING_LINE.test(text) || /^\uFEFF?WEBVTT(?:[ \t]|$)/m.test(text.slice(0, 64)));
}

/** "2 cues could not be read and were left out": what a subtitle parse dropped, said (no final stop). */
export function skippedCuesNote(skipped: number): string {
  return `${skipped} cue${skipped === 1 ? '' : 's'} could not be read and ${skipped === 1 ? 'was' : 'were'} left out`;
}

export type CaptionsResult =
  | {
    ok: true; transcript: string; cues: number; skipped: number; /** What the user should know, or null. */ notice: string | null;
    /** The timed cues themselves: each window of the video gets the words spoken in it. */
    timed: Cue[];
  }
  | { ok: false; error: string };

/**
 * Captions as a transcript: the cues' plain text in time order. `name` is the file's name, or
 * null for text pasted into the box. Cues that could not be read are counted and reported.
 */
export function captionsToTranscript(text: string, name: string | null): CaptionsResult {
  const parsed = parseSubtitles(text, name ?? 'The pasted captions');
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const transcript = transcriptFor(parsed.cues, 0, Infinity);
  const source = name ? `“${name}”` : 'the pasted captions';
  const read = `Read ${parsed.cues.length} caption${parsed.cues.length === 1 ? '' : 's'} from ${source} as the transcript (timestamps and cue numbers removed).`;
  const notice = parsed.skipped > 0
    ? `${read} ${skippedCuesNote(parsed.skipped)}: a cue needs a timing line like “00:00:01,000 --> 00:00:04,000”. Check ${source} if words are missing.`
    : name ? null : read;
  return { ok: true, transcript, cues: parsed.cues.length, skipped: parsed.skipped, notice, timed: parsed.cues };
}

/** A subtitle file read as a transcript (too large or binary files are refused with a message). */
export async function readSubtitleFile(file: File): Promise<CaptionsResult> {
  if (file.size > MAX_SUBTITLE_BYTES) return { ok: false, error: SUBTITLE_ERRORS.tooLarge(file.name, file.size / 1024 / 1024) };
  let text: string;
  try {
    text = await file.text();
  } catch {
    return { ok: false, error: `“${file.name}” could not be read. Choose the file again, or type the transcript instead.` };
  }
  return captionsToTranscript(text, file.name);
}

/** Names that are plainly not a video (documents, pictures): refused before any decoding. */
const NOT_VIDEO = Object.freeze([
  { pattern: /\.(txt|md|rtf|pdf|docx?|odt|csv|tsv|json|xml|html?)$/i, kind: 'a text or document file' },
  { pattern: /\.(jpe?g|png|gif|webp|bmp|tiff?|heic|avif|svg)$/i, kind: 'a picture' },
]);

/** Why a file is plainly not a video (a sentence), or null when it may be one. */
export function notAVideo(file: { name: string; type?: string }): string | null {
  if (isSubtitleFile(file)) return null;
  const hit = NOT_VIDEO.find((k) => k.pattern.test(file.name))
    ?? (file.type?.startsWith('text/') ? NOT_VIDEO[0] : file.type?.startsWith('image/') ? NOT_VIDEO[1] : undefined);
  if (!hit) return null;
  const what = hit === NOT_VIDEO[0]
    ? ' To use its words as the transcript, paste them into the transcript box.'
    : '';
  return `“${file.name}” is not a video: it is ${hit.kind}. Drop a video file (MP4, WebM, MOV or MKV, with sound for the voice) to analyse.${what}`;
}

/** What a drop of several files means: at most one video and one subtitle file; the rest refused. */
export interface DropPlan { video: File | null; subtitles: File | null; refused: string[] }

export function planDrop(files: readonly File[]): DropPlan {
  const plan: DropPlan = { video: null, subtitles: null, refused: [] };
  for (const file of files) {
    if (isSubtitleFile(file)) {
      if (plan.subtitles) plan.refused.push(`Only one subtitle file is used at a time; “${file.name}” was left out.`);
      else plan.subtitles = file;
      continue;
    }
    const why = notAVideo(file);
    if (why) { plan.refused.push(why); continue; }
    if (plan.video) plan.refused.push(`One video is analysed at a time; “${file.name}” was left out. Drop it on its own afterwards.`);
    else plan.video = file;
  }
  return plan;
}

/**
 * The note when the text encoder read only the start of the transcript: it takes `kept` word
 * pieces (max_length, with [CLS] and [SEP]) and `cut` more were dropped, so the words at the end
 * did not count. Said, never silent.
 */
export function cutTranscriptNote(kept: number, cut: number): string {
  return `The transcript is longer than the text model reads: it used the first ${kept} word pieces and ${cut} more at the end were cut, `
    + 'so the last words did not count. For a long video, give the words of the part that matters, or subtitles.';
}

/** The note when one window's words (timed captions) were longer than the text model reads. */
export function cutWindowNote(start: number, end: number, kept: number, cut: number): string {
  const at = (x: number) => `${Math.round(x * 100) / 100} s`;
  return `The words spoken between ${at(start)} and ${at(end)} are longer than the text model reads: it used the first ${kept} word pieces `
    + `and ${cut} more were cut, so the last words of that stretch did not count.`;
}
