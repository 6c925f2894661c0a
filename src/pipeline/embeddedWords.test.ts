// The file's own subtitles as the run's words (issue 17): read only when the sniff saw a track,
// a transcript the user gave wins (the tracks are then only offered), picture tracks and
// unreadable tracks are said, never silent.
import { describe, expect, it } from 'vitest';
import type { OpenedMedia } from '../decode/media';
import type { SubtitleTrack } from '../decode/subtitleTracks';
import type { EmbeddedWords, PipelineReporter } from './reporter';
import { wordsFor } from './words';

const VTT = 'WEBVTT\n\n00:00.500 --> 00:02.000\nI am so happy today!\n\n00:02.500 --> 00:04.000\nThis is <i>wonderful</i>.\n';
const track = (index: number, codec = 'mov_text', language: string | null = 'eng'): SubtitleTrack => ({ index, codec, language, title: null, text: codec !== 'dvd_subtitle' });
const file = new File(['x'], 'film.mkv');
const signal = new AbortController().signal;

function setup(tracks: SubtitleTrack[] | null, vtt = VTT) {
  const notes: string[] = [];
  const found: EmbeddedWords[] = [];
  const read: number[] = [];
  const report: PipelineReporter = {
    stage: () => undefined, download: () => undefined, note: (n) => notes.push(n), backend: () => undefined,
    embeddedSubtitles: (f) => found.push(f),
  };
  const media = {
    subtitles: tracks && { tracks: async () => tracks, vtt: async (i: number) => { read.push(i); return vtt; } },
  } as unknown as OpenedMedia;
  return { notes, found, read, report, media };
}
const run = (x: ReturnType<typeof setup>, opts: { transcript?: string; subtitleTrack?: number | null } = {}) =>
  wordsFor(file, x.media, { backend: 'wasm', ...opts }, x.report, signal, (_k, fn) => fn());

describe('wordsFor: the file’s own subtitles', () => {
  it('a file the sniff found no track in is not asked (the given words, nothing reported)', async () => {
    const x = setup(null);
    expect(await run(x, { transcript: 'typed words' })).toEqual({ transcript: 'typed words', cues: null });
    expect(x.found).toEqual([]);
  });
  it('with an empty box, the first text track gives the words and its cues, and is named', async () => {
    const x = setup([track(0, 'dvd_subtitle', null), track(1, 'subrip', 'fre')]);
    const words = await run(x);
    expect(words.transcript).toBe('I am so happy today! This is wonderful.');
    expect(words.cues?.map((c) => c.start)).toEqual([0.5, 2.5]);
    expect(x.read).toEqual([1]);
    expect(x.found[0]).toMatchObject({ used: { index: 1 }, name: 'the file’s subtitle track 2 (French)', words: 8 });
    expect(x.notes[0]).toBe('Words from the file’s subtitle track 2 (French) inside “film.mkv” (2 captions); it has 2 subtitle tracks, choose another under the result.');
  });
  it('the chosen track is read', async () => {
    const x = setup([track(0), track(1, 'ass', 'ger')]);
    await run(x, { subtitleTrack: 1 });
    expect(x.read).toEqual([1]);
  });
  it('a transcript the user gave wins: the tracks are offered, not read', async () => {
    const x = setup([track(0)]);
    expect(await run(x, { transcript: ' my words ' })).toEqual({ transcript: 'my words', cues: null });
    expect(x.read).toEqual([]);
    expect(x.found).toEqual([{ tracks: [track(0)], used: null, name: null, words: 0 }]);
    expect(x.notes[0]).toMatch(/^“film\.mkv” carries its own subtitles: track 1 \(English\)\. The transcript you gave was used instead/);
  });
  it('picture-only tracks and a track that yields nothing are said, and the text is left out', async () => {
    const pictures = setup([track(0, 'dvd_subtitle', null)]);
    expect(await run(pictures)).toEqual({ transcript: '', cues: null });
    expect(pictures.notes[0]).toMatch(/as pictures, which have no words to read/);
    const empty = setup([track(0)], '');
    expect(await run(empty)).toEqual({ transcript: '', cues: null });
    expect(empty.notes[0]).toMatch(/^The subtitle track 1 \(English\) of “film\.mkv” could not be read/);
    expect(empty.found[0]?.used).toBe(null);
  });
});
