import { describe, expect, it } from 'vitest';
import { chooseTrack, describeTrack, parseSubtitleProbe } from './subtitleTracks';

// ffprobe's answer for a file with a mov_text track (as the system ffmpeg writes it), a SubRip
// track with a title and a DVD (picture) track.
const PROBE = JSON.stringify({
  programs: [],
  streams: [
    { index: 2, codec_name: 'mov_text', tags: { language: 'eng', handler_name: 'SubtitleHandler' } },
    { index: 3, codec_name: 'subrip', tags: { language: 'fre', title: 'Commentaire' } },
    { index: 4, codec_name: 'dvd_subtitle', tags: { language: 'und' } },
  ],
});

describe('parseSubtitleProbe', () => {
  it('numbers the subtitle streams in order, with language, title and whether they are text', () => {
    expect(parseSubtitleProbe(PROBE)).toEqual([
      { index: 0, codec: 'mov_text', language: 'eng', title: null, text: true },
      { index: 1, codec: 'subrip', language: 'fre', title: 'Commentaire', text: true },
      { index: 2, codec: 'dvd_subtitle', language: null, title: null, text: false },
    ]);
  });
  it('reads nothing from what is not ffprobe JSON', () => {
    expect(parseSubtitleProbe('')).toEqual([]);
    expect(parseSubtitleProbe('{"streams": 3}')).toEqual([]);
    expect(parseSubtitleProbe('[1, 2]')).toEqual([]);
  });
  it('keeps a handler name a person gave as the title', () => {
    const [t] = parseSubtitleProbe(JSON.stringify({ streams: [{ codec_name: 'mov_text', tags: { handler_name: 'Director notes' } }] }));
    expect(t?.title).toBe('Director notes');
  });
});

describe('describeTrack and chooseTrack', () => {
  const tracks = parseSubtitleProbe(PROBE);
  it('names a track by number, language and title', () => {
    expect(describeTrack(tracks[0]!)).toBe('track 1 (English)');
    expect(describeTrack(tracks[1]!)).toBe('track 2 (French, “Commentaire”)');
    expect(describeTrack(tracks[2]!)).toBe('track 3');
  });
  it('takes the chosen text track, else the first text track, never a picture track', () => {
    expect(chooseTrack(tracks)?.index).toBe(0);
    expect(chooseTrack(tracks, 1)?.index).toBe(1);
    expect(chooseTrack(tracks, 2)?.index).toBe(0);
    expect(chooseTrack(tracks.slice(2))).toBe(null);
  });
});
