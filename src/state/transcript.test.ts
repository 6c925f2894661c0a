// The transcript belongs to one video (issue 17 #1): a transcript used by one run is not carried
// into the next video unless the user keeps it on purpose, and each run names which transcript it
// used (none, typed, subtitles). Pure reducers, as the store applies them.
import { describe, expect, it } from 'vitest';
import { initialState, reducers, TRANSCRIPT_CLEARED_NOTE, transcriptForRun } from './store';

const SAMPLE_SENTENCE = 'I am so happy you came today';

describe('the transcript belongs to one video', () => {
  it('a transcript typed before the first video is used by it, and named as typed', () => {
    let s = reducers.transcript(initialState(), SAMPLE_SENTENCE);
    s = reducers.start(s, 'first.mp4');
    expect(s.transcript).toBe(SAMPLE_SENTENCE);
    expect(s.usedTranscript).toEqual({ kind: 'typed', name: null, words: 7 });
    expect(s.notes).toEqual([]);
  });

  it('the next video starts with an empty transcript (the sample sentence does not leak into a test pattern)', () => {
    // "Try the sample clip" fills the box, runs; then a colour-bar test pattern is dropped.
    let s = reducers.transcript(initialState(), SAMPLE_SENTENCE);
    s = reducers.start(s, 'sample.mp4');
    s = reducers.reset(s);
    s = reducers.start(s, 'colour-bars.mp4');
    expect(s.transcript).toBe('');
    expect(s.usedTranscript).toEqual({ kind: 'none', name: null, words: 0 });
    expect(s.notes).toContain(TRANSCRIPT_CLEARED_NOTE);
  });

  it('"keep this transcript for the next video" keeps it on purpose', () => {
    let s = reducers.transcript(initialState(), SAMPLE_SENTENCE);
    s = reducers.keepTranscript(s, true);
    s = reducers.start(s, 'take-1.mp4');
    s = reducers.start(s, 'take-2.mp4');
    expect(s.transcript).toBe(SAMPLE_SENTENCE);
    expect(s.usedTranscript?.kind).toBe('typed');
    expect(s.notes).not.toContain(TRANSCRIPT_CLEARED_NOTE);
  });

  it('text typed after a run is for the next video', () => {
    let s = reducers.start(reducers.transcript(initialState(), 'old words'), 'a.mp4');
    s = reducers.transcript(s, 'new words for b');
    s = reducers.start(s, 'b.mp4');
    expect(s.transcript).toBe('new words for b');
    expect(s.usedTranscript).toEqual({ kind: 'typed', name: null, words: 4 });
  });

  it('captions from a subtitle file are named as subtitles, with the file name', () => {
    let s = reducers.transcript(initialState(), 'Hello there. How are you?', { kind: 'subtitles', name: 'talk.srt' });
    s = reducers.start(s, 'talk.mp4');
    expect(s.usedTranscript).toEqual({ kind: 'subtitles', name: 'talk.srt', words: 5 });
    s = reducers.start(s, 'other.mp4');
    expect(s.usedTranscript?.kind).toBe('none');
    expect(s.transcriptSource).toEqual({ kind: 'typed' });
  });

  it('an empty or blank box is "none"', () => {
    expect(transcriptForRun('   ', { kind: 'typed' })).toEqual({ kind: 'none', name: null, words: 0 });
    expect(reducers.start(initialState(), 'x.mp4').usedTranscript?.kind).toBe('none');
  });
});

describe('what the captions lost stays in view for the run that uses them', () => {
  it('a notice about left-out cues becomes a note of the run; a cleared transcript drops it', () => {
    const notice = 'Read 1 caption from “talk.srt” as the transcript. 2 cues could not be read and were left out.';
    let s = reducers.transcript(initialState(), 'first', { kind: 'subtitles', name: 'talk.srt' }, notice);
    s = reducers.start(s, 'talk.mp4');
    expect(s.notes).toEqual([notice]);
    s = reducers.start(s, 'next.mp4');
    expect(s.notes).toEqual([TRANSCRIPT_CLEARED_NOTE]);
    expect(s.transcriptNotice).toBeNull();
  });
  it('typing replaces the notice; a refused file says why without starting anything', () => {
    let s = reducers.transcript(initialState(), 'x', { kind: 'subtitles', name: 'a.srt' }, 'note');
    s = reducers.transcript(s, 'typed now');
    expect(s.transcriptNotice).toBeNull();
    s = reducers.refuse(s, '“notes.txt” is not a video: it is a text or document file.');
    expect(s.phase).toBe('idle');
    expect(s.error).toMatch(/not a video/);
  });
});

describe('on-device transcription choice', () => {
  it('is offered only where recognition runs on this device; the choice cannot be on otherwise', () => {
    let s = reducers.speechSupport(initialState(), false, 'Speech recognition is off: …');
    s = reducers.speechOn(s, true);
    expect(s.speech).toEqual({ offered: false, reason: 'Speech recognition is off: …', on: false, progress: null });
    s = reducers.speechOn(reducers.speechSupport(s, true, null), true);
    expect(s.speech.on).toBe(true);
    s = reducers.speechProgress(s, 0.4);
    expect(reducers.start(s, 'a.mp4').speech).toMatchObject({ offered: true, on: true, progress: 0.4 });
  });
});

describe('timed captions keep their cues through to the run (issue 17: words per window)', () => {
  const cues = [{ start: 0, end: 2, text: 'I am happy' }, { start: 40, end: 42, text: 'I am furious' }];
  it('captions keep their cues for the run that uses them; typed text has none', () => {
    let s = reducers.transcript(initialState(), 'I am happy I am furious', { kind: 'subtitles', name: 'talk.srt' }, null, cues);
    expect(s.transcriptCues).toEqual(cues);
    s = reducers.start(s, 'talk.mp4');
    expect(s.transcriptCues).toEqual(cues);
    expect(reducers.transcript(s, 'typed over them').transcriptCues).toBe(null);
  });
  it('the next video starts without the previous video\'s cues, and without its per-window words', () => {
    let s = reducers.transcript(initialState(), 'I am happy I am furious', { kind: 'subtitles', name: 'talk.srt' }, null, cues);
    s = reducers.start(s, 'talk.mp4');
    s = reducers.textWindows(s, [{ first: 0, count: 32, start: 0, end: 30.72, text: 'I am happy', tokens: 5, cut: 0 }]);
    s = reducers.start(s, 'other.mp4');
    expect(s.transcriptCues).toBe(null);
    expect(s.textWindows).toBe(null);
  });
  it('a subtitle track of the file, used when the box was empty, is named as the transcript used', () => {
    let s = reducers.start(initialState(), 'film.mkv');
    const tracks = [{ index: 0, codec: 'subrip', language: 'eng', title: null, text: true }];
    s = reducers.embeddedSubtitles(s, { file: 'film.mkv', tracks, used: 0 }, 'the file’s subtitle track 1 (English)', 12);
    expect(s.usedTranscript).toEqual({ kind: 'subtitles', name: 'the file’s subtitle track 1 (English)', words: 12 });
    // When the box's transcript won, the tracks are only offered: the transcript used stays the box's.
    let t = reducers.start(reducers.transcript(initialState(), 'my words'), 'film.mkv');
    t = reducers.embeddedSubtitles(t, { file: 'film.mkv', tracks, used: null });
    expect(t.usedTranscript?.kind).toBe('typed');
    expect(t.embeddedSubtitles?.tracks).toHaveLength(1);
    expect(reducers.start(t, 'next.mp4').embeddedSubtitles).toBe(null);
  });
});
