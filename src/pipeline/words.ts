// The words of one run (issue 17): the transcript the user gave with its timed cues, or else a
// subtitle track of the file itself; and how the windows get them — one class token for every
// window (untimed text, or none), or each window's own words from timed captions (windowTexts.ts).
import type { OpenedMedia } from '../decode/media';
import { chooseTrack, describeTrack, type SubtitleTrack } from '../decode/subtitleTracks';
import { cutTranscriptNote, cutWindowNote, skippedCuesNote } from '../features/text/captions';
import { parseSubtitles, transcriptFor, type Cue } from '../features/text/subtitles';
import type { AnalyzeOptions } from './engine';
import { checkAbort, type Timed } from './fileWindows';
import type { PipelineReporter } from './reporter';
import type { WindowStep } from './windowStep';
import { WindowTexts, type TextWindow } from './windowTexts';

/** The words a run uses: the given transcript (and its cues), or a subtitle track of the file. */
export interface Words { transcript: string; cues: readonly Cue[] | null }

/**
 * The file's own subtitles (issue 17). Probed only when the container sniff saw a text subtitle
 * track. A transcript the user gave wins; the tracks are then only reported, so the page can offer
 * them. Without one, the chosen (or first) text track is read through ffmpeg as WebVTT and parsed
 * like a dropped .vtt; its cues give each window its words.
 */
export async function wordsFor(
  file: File, media: OpenedMedia, opts: AnalyzeOptions, report: PipelineReporter, signal: AbortSignal, timed: Timed,
): Promise<Words> {
  const given: Words = { transcript: opts.transcript?.trim() ?? '', cues: opts.cues ?? null };
  if (!media.subtitles) return given;
  report.stage('text', { status: 'running', detail: 'looking for subtitle tracks in the file' });
  let tracks: SubtitleTrack[] = [];
  try {
    tracks = await timed('subtitles', () => media.subtitles!.tracks());
  } catch (e) {
    checkAbort(signal);
    report.note(`The file seems to carry subtitles, but they could not be listed (${e instanceof Error ? e.message : String(e)}).`);
  }
  checkAbort(signal);
  const unused = (): Words => { report.embeddedSubtitles?.({ tracks, used: null, name: null, words: 0 }); return given; };
  if (!tracks.length) return unused();
  const list = tracks.map(describeTrack).join(', ');
  if (given.transcript) {
    report.note(`“${file.name}” carries its own subtitles: ${list}. The transcript you gave was used instead; to use the file’s subtitles, choose a track under the result.`);
    return unused();
  }
  const track = chooseTrack(tracks, opts.subtitleTrack);
  if (!track) {
    report.note(`“${file.name}” carries subtitles (${tracks.length}), but as pictures, which have no words to read; the text was left out.`);
    return unused();
  }
  report.stage('text', { detail: `reading subtitle ${describeTrack(track)}` });
  let vtt = '';
  try {
    vtt = await timed('subtitles', () => media.subtitles!.vtt(track.index));
  } catch {
    checkAbort(signal);
  }
  checkAbort(signal);
  const name = `the file’s subtitle ${describeTrack(track)}`;
  const parsed = parseSubtitles(vtt, name);
  if (!parsed.ok) {
    report.note(`The subtitle ${describeTrack(track)} of “${file.name}” could not be read; the text was left out. Drop a .srt or .vtt with the video, or type the transcript.`);
    return unused();
  }
  const transcript = transcriptFor(parsed.cues, 0, Infinity);
  const words = transcript.split(/\s+/).filter(Boolean).length;
  report.note(`Words from ${name} inside “${file.name}” (${parsed.cues.length} caption${parsed.cues.length === 1 ? '' : 's'})`
    + `${tracks.length > 1 ? `; it has ${tracks.length} subtitle tracks, choose another under the result` : ''}.`
    + `${parsed.skipped ? ` ${skippedCuesNote(parsed.skipped)}.` : ''}`);
  report.embeddedSubtitles?.({ tracks, used: track, name, words });
  return { transcript, cues: parsed.cues };
}

/** How the windows get their words: one class token for all (untimed, or none), or per window from cues. */
export interface TextPlan {
  textFor: (first: number, count: number) => Promise<Float32Array | null>;
  /** Per-window texts (timed captions), or null (one text for every window). */
  perWindow: WindowTexts | null;
  /** Whether any window had words: known at once without cues, after the windows with them. */
  present: () => boolean;
}

/** The transcript's class token, when there is a transcript and an encoder (every window uses it); else null (text masked). */
async function encodeTranscript(
  transcript: string, textAvailable: boolean, step: WindowStep, report: PipelineReporter, signal: AbortSignal, timed: Timed,
): Promise<Float32Array | null> {
  if (transcript && textAvailable) {
    report.stage('text', { status: 'running' });
    const encoded = await timed('text', () => step.text(transcript, signal));
    report.stage('text', { status: 'done', detail: `${encoded.tokens} tokens` });
    if (encoded.cut) report.note(cutTranscriptNote(encoded.tokens, encoded.cut));
    return encoded.cls;
  }
  if (transcript) report.note('Text modality left out: no text encoder is installed.');
  else if (textAvailable) report.note('Text modality left out: no transcript was given.');
  report.stage('text', { status: 'skipped', detail: transcript ? 'no text encoder' : 'no transcript' });
  return null;
}

/**
 * The words for the windows: with timed cues and an encoder, each window's own words, encoded as the
 * windows come (identical texts once); otherwise the one transcript for every window, as before.
 */
export async function planText(
  transcript: string, cues: readonly Cue[] | null, textAvailable: boolean, step: WindowStep, report: PipelineReporter, signal: AbortSignal, timed: Timed,
): Promise<TextPlan> {
  if (!transcript || !cues?.length || !textAvailable) {
    const cls = await encodeTranscript(transcript, textAvailable, step, report, signal, timed);
    return { textFor: () => Promise.resolve(cls), perWindow: null, present: () => cls !== null };
  }
  report.stage('text', { status: 'running', detail: `per window, from ${cues.length} timed caption${cues.length === 1 ? '' : 's'}` });
  const texts = new WindowTexts(cues, step.time.segmentSeconds, (text, s) => timed('text', () => step.text(text, s)));
  return {
    perWindow: texts,
    present: () => texts.windows.some((w) => w.text !== ''),
    textFor: async (first, count) => {
      const cls = await texts.classToken(first, count, signal);
      const w = texts.windows[texts.windows.length - 1]!;
      if (w.cut) report.note(cutWindowNote(w.start, w.end, w.tokens, w.cut));
      report.stage('text', { detail: `window ${texts.windows.length}: ${w.text ? `${w.tokens} tokens` : 'no words (text masked)'}` });
      return cls;
    },
  };
}

/** The text stage once the windows are done, for per-window words: how many windows had words. */
export function finishText(plan: TextPlan, report: PipelineReporter): TextWindow[] | null {
  const texts = plan.perWindow;
  if (!texts) return null;
  const spoken = texts.windows.filter((w) => w.text !== '').length;
  const n = texts.windows.length;
  report.stage('text', {
    status: 'done',
    detail: `per window: words in ${spoken}/${n} window${n === 1 ? '' : 's'}, ${texts.distinct} text${texts.distinct === 1 ? '' : 's'} encoded`,
  });
  if (n > 1 || spoken < n) {
    report.note(`Timed captions: each ${secondsPerWindow(texts.windows)} window got the words spoken in it (${spoken} of ${n} window${n === 1 ? '' : 's'} had words`
      + `${spoken < n ? '; where nobody speaks the text was left out' : ''}). Choose a segment on the timeline to see its window's words.`);
  }
  if (!spoken) report.note('Text modality left out: none of the captions fall within the video’s time.');
  report.textWindows?.(texts.windows.map((w) => ({ ...w })));
  return texts.windows;
}

const secondsPerWindow = (w: readonly TextWindow[]) => `${Math.round(((w[0]?.end ?? 0) - (w[0]?.start ?? 0)) * 100) / 100} s`;
