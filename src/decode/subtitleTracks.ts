// Subtitle tracks inside a video file (issue 17): mov_text in MP4/MOV, WebVTT in WebM, SubRip, ASS
// and WebVTT in Matroska. The container sniff (sniff.ts) says from bytes already read whether a file
// declares one, so files without subtitles never load ffmpeg.wasm for this; those that do are
// probed (`ffprobe -select_streams s`) and a chosen text track is converted to WebVTT by ffmpeg,
// then read by the same parser as a dropped .vtt. Picture subtitles (DVD, Blu-ray PGS, DVB) have
// no words to read and are listed as such.

/** One subtitle stream of the file, numbered among the subtitle streams (`-map 0:s:N`). */
export interface SubtitleTrack {
  /** N in `0:s:N`. */
  index: number;
  codec: string;
  language: string | null;
  title: string | null;
  /** Text ffmpeg can turn into WebVTT (false: pictures, or a codec this build does not read). */
  text: boolean;
}

/** Text subtitle codecs (ffmpeg names) whose events ffmpeg's WebVTT encoder can write. */
export const TEXT_SUBTITLE_CODECS: ReadonlySet<string> = Object.freeze(new Set([
  'mov_text', 'subrip', 'srt', 'webvtt', 'ass', 'ssa', 'text', 'microdvd', 'subviewer', 'subviewer1', 'sami', 'realtext', 'jacosub', 'mpl2', 'pjs', 'vplayer', 'stl',
]));

/** ISO 639-2 codes seen most in subtitle tracks, by name; others are shown as the code. */
const LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  eng: 'English', en: 'English', fre: 'French', fra: 'French', fr: 'French', ger: 'German', deu: 'German', de: 'German',
  spa: 'Spanish', es: 'Spanish', ita: 'Italian', it: 'Italian', por: 'Portuguese', pt: 'Portuguese', dut: 'Dutch', nld: 'Dutch',
  rus: 'Russian', ru: 'Russian', jpn: 'Japanese', ja: 'Japanese', chi: 'Chinese', zho: 'Chinese', zh: 'Chinese', kor: 'Korean', ko: 'Korean',
  ara: 'Arabic', ar: 'Arabic', hin: 'Hindi', hi: 'Hindi', swe: 'Swedish', sv: 'Swedish', pol: 'Polish', pl: 'Polish', tur: 'Turkish', tr: 'Turkish',
});

const tagText = (v: unknown): string | null => (typeof v === 'string' && v.trim() && v.trim().length <= 200 ? v.trim() : null);

/** Handler names muxers write by default: not a title a person gave the track. */
const DEFAULT_HANDLERS = /^(SubtitleHandler|TextHandler|Core Media Text|ISO Media file produced by .*)$/i;

/**
 * The subtitle streams of `ffprobe -select_streams s -show_entries stream=index,codec_name:stream_tags=language,title,handler_name -of json`,
 * numbered in order. An empty list for anything unreadable.
 */
export function parseSubtitleProbe(json: string): SubtitleTrack[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return [];
  }
  const streams = typeof data === 'object' && data !== null && Array.isArray((data as { streams?: unknown }).streams)
    ? ((data as { streams: unknown[] }).streams.filter((x) => typeof x === 'object' && x !== null) as Record<string, unknown>[]) : [];
  return streams.map((s, index) => {
    const tags = (typeof s.tags === 'object' && s.tags !== null ? s.tags : {}) as Record<string, unknown>;
    const codec = tagText(s.codec_name) ?? 'unknown';
    const language = tagText(tags.language);
    const handler = tagText(tags.handler_name);
    return {
      index, codec,
      language: language && language !== 'und' ? language : null,
      title: tagText(tags.title) ?? (handler && !DEFAULT_HANDLERS.test(handler) ? handler : null),
      text: TEXT_SUBTITLE_CODECS.has(codec),
    };
  });
}

/** How the page names a track: "track 1 (English, “Director's comments”)". */
export function describeTrack(t: SubtitleTrack): string {
  const language = t.language ? LANGUAGES[t.language.toLowerCase()] ?? t.language : null;
  const parts = [language, t.title ? `“${t.title}”` : null].filter(Boolean);
  return `track ${t.index + 1}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The track whose words are used when the user gave none: the chosen one if it is text, else the first text track. */
export function chooseTrack(tracks: readonly SubtitleTrack[], chosen?: number | null): SubtitleTrack | null {
  const pick = chosen != null ? tracks.find((t) => t.index === chosen && t.text) : undefined;
  return pick ?? tracks.find((t) => t.text) ?? null;
}
