// Subtitles everywhere (issue 17 #2): pasted SRT/VTT text is read as captions (the SRT fed
// its timestamps to the text model: 58 tokens instead of 22), cues that cannot be read are reported,
// dropped files are routed (video + subtitles; a .txt is "not a video" before anything loads).
import { describe, expect, it } from 'vitest';
import { captionsToTranscript, cutTranscriptNote, isSubtitleFile, looksLikeSubtitles, notAVideo, planDrop, readSubtitleFile } from './captions';

const SRT = `1
00:00:00,000 --> 00:00:01,800
I can't believe you did that.

2
00:00:01,900 --> 00:00:03,500
You promised me!
`;

describe('pasted captions', () => {
  it('SRT text is captions, plain text is not', () => {
    expect(looksLikeSubtitles(SRT)).toBe(true);
    expect(looksLikeSubtitles('WEBVTT\n\n00:01.000 --> 00:02.000\nhello')).toBe(true);
    expect(looksLikeSubtitles('I was there at 10:30 and left --> home')).toBe(false);
    expect(looksLikeSubtitles('I am so happy today')).toBe(false);
  });

  it('become the caption text only: no timestamps, no cue numbers', () => {
    const r = captionsToTranscript(SRT, null);
    expect(r).toMatchObject({ ok: true, transcript: "I can't believe you did that. You promised me!", cues: 2, skipped: 0 });
    if (r.ok) {
      expect(r.transcript).not.toMatch(/\d{2}:\d{2}|-->/);
      expect(r.notice).toBe('Read 2 captions from the pasted captions as the transcript (timestamps and cue numbers removed).');
      // The timed cues come along, so each window of the video can get the words spoken in it.
      expect(r.timed.map((c) => [c.start, c.text])).toEqual([[0, "I can't believe you did that."], [1.9, 'You promised me!']]);
    }
  });

  it('cues that cannot be read are reported, not dropped silently (3 of 4 lost in the issue\'s file)', () => {
    const broken = `1
00:00:00,000 --> 00:00:01,000
first

2
00:00:01,000 -> 00:00:02,000
second

3
00:00:02,000 --> 00:0x:03,000
third

4
00:00:04,000 --> 00:00:03,000
fourth
`;
    const r = captionsToTranscript(broken, 'talk.srt');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.transcript).toBe('first');
    expect(r.skipped).toBe(2); // the arrowless cue 2 is not a cue at all; 3 and 4 have broken timings
    expect(r.notice).toMatch(/^Read 1 caption from “talk\.srt” as the transcript .* 2 cues could not be read and were left out: a cue needs a timing line like “00:00:01,000 --> 00:00:04,000”/);
  });

  it('a file of no cues is refused with a message', async () => {
    const r = await readSubtitleFile(new File(['just some words'], 'empty.vtt'));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/No timed captions were found in “empty\.vtt”/) });
  });
});

describe('dropped files', () => {
  const file = (name: string, type = '') => new File(['x'], name, { type });

  it('a video and its .srt dropped together: both are used', () => {
    const plan = planDrop([file('talk.srt'), file('talk.mp4', 'video/mp4')]);
    expect(plan.video?.name).toBe('talk.mp4');
    expect(plan.subtitles?.name).toBe('talk.srt');
    expect(plan.refused).toEqual([]);
  });

  it('a .vtt dropped alone is subtitles, not "is it a video?"', () => {
    expect(planDrop([file('sample.vtt')])).toMatchObject({ video: null, subtitles: { name: 'sample.vtt' }, refused: [] });
    expect(isSubtitleFile(file('x.bin', 'text/vtt'))).toBe(true);
  });

  it('a .txt says it is not a video (not "Load models: failed")', () => {
    const plan = planDrop([file('notes.txt', 'text/plain')]);
    expect(plan.video).toBeNull();
    expect(plan.refused).toEqual(['“notes.txt” is not a video: it is a text or document file. Drop a video file (MP4, WebM, MOV or MKV, with sound for the voice) to analyse. To use its words as the transcript, paste them into the transcript box.']);
    expect(notAVideo(file('photo.JPG'))).toMatch(/is not a video: it is a picture/);
    expect(notAVideo(file('clip.mkv'))).toBeNull();
    expect(notAVideo(file('clip', 'video/webm'))).toBeNull();
  });

  it('one video at a time', () => {
    const plan = planDrop([file('a.mp4'), file('b.mp4')]);
    expect(plan.video?.name).toBe('a.mp4');
    expect(plan.refused).toEqual(['One video is analysed at a time; “b.mp4” was left out. Drop it on its own afterwards.']);
  });
});

describe('a transcript cut at the text model\'s 128 word pieces', () => {
  it('is reported with what was kept and what was cut', () => {
    expect(cutTranscriptNote(128, 57)).toMatch(/^The transcript is longer than the text model reads: it used the first 128 word pieces and 57 more at the end were cut, so the last words did not count\./);
  });
});
