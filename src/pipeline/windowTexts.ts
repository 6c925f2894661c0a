// The transcript of each window (issue 17): with timed captions (a .srt/.vtt dropped or picked,
// SRT/VTT pasted into the box, a subtitle track inside the file) every window of the file gets the
// words spoken in it — the paper encodes one utterance's words, not a whole clip's — while a plain
// typed transcript stays one text for every window, as before. A cue overlapping two windows goes to
// both; a window with no words gets the text masked, as with no transcript. Identical texts are
// encoded once. What each window used (its words, word pieces, pieces cut) is kept for the page and
// the exports.
import type { Cue } from '../features/text/subtitles';
import { transcriptFor } from '../features/text/subtitles';
import type { TextResult } from '../protocol';

/** The words one window of the file was given (its segments, seconds, text) and how they were read. */
export interface TextWindow {
  /** First segment of the window and how many it holds. */
  first: number;
  count: number;
  /** Seconds: `first × segment_seconds` to `(first + count) × segment_seconds`. */
  start: number;
  end: number;
  /** The cue text overlapping the window ('' when nobody speaks in it: text masked there). */
  text: string;
  /** Word pieces the encoder read (0 without text), and pieces beyond its max_length that were cut. */
  tokens: number;
  cut: number;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The seconds a window of `count` segments from segment `first` covers. */
export function windowSpan(first: number, count: number, segmentSeconds: number): { start: number; end: number } {
  return { start: round(first * segmentSeconds), end: round((first + count) * segmentSeconds) };
}

/** The words of a window: every cue overlapping `[start, end)` (a cue across a boundary counts in both windows). */
export function windowText(cues: readonly Cue[], first: number, count: number, segmentSeconds: number): string {
  const { start, end } = windowSpan(first, count, segmentSeconds);
  return transcriptFor(cues, start, end);
}

/** Which window a segment belongs to, or null (a segment the windows did not reach). */
export function windowOfSegment(windows: readonly TextWindow[], segment: number): TextWindow | null {
  return windows.find((w) => segment >= w.first && segment < w.first + w.count) ?? null;
}

/** A window's class token: encodes its words once per distinct text; records what each window used. */
export class WindowTexts {
  readonly windows: TextWindow[] = [];
  private readonly encoded = new Map<string, Promise<TextResult>>();

  constructor(
    private readonly cues: readonly Cue[],
    private readonly segmentSeconds: number,
    private readonly encode: (text: string, signal: AbortSignal) => Promise<TextResult>,
  ) {}

  /** Distinct texts encoded so far. */
  get distinct(): number {
    return this.encoded.size;
  }

  /** The class token of the window `[first, first + count)`, or null when nobody speaks in it (text masked). */
  async classToken(first: number, count: number, signal: AbortSignal): Promise<Float32Array | null> {
    const text = windowText(this.cues, first, count, this.segmentSeconds);
    const span = windowSpan(first, count, this.segmentSeconds);
    if (!text) {
      this.windows.push({ first, count, ...span, text, tokens: 0, cut: 0 });
      return null;
    }
    let pending = this.encoded.get(text);
    if (!pending) {
      pending = this.encode(text, signal);
      this.encoded.set(text, pending);
      pending.catch(() => this.encoded.delete(text));
    }
    const r = await pending;
    this.windows.push({ first, count, ...span, text, tokens: r.tokens, cut: r.cut ?? 0 });
    return r.cls;
  }
}
