import { describe, expect, it } from 'vitest';
import { audioAfterBrowserFailure, chooseRoute, FAST_AUDIO_MAX_BYTES, FAST_AUDIO_MAX_SECONDS, pageSwitch, type PageSwitch } from './route';
import type { ContainerInfo } from './sniff';
import type { VideoInfo } from './video';

const mp4: ContainerInfo = { container: 'mp4', hasVideoTrack: true, videoCodec: 'H.264', missingIndex: false, hasAudioTrack: true, textSubtitles: false };
const played = (seconds: number, hasVideo = true): VideoInfo => ({ seconds, width: hasVideo ? 640 : 0, height: hasVideo ? 480 : 0, hasVideo });
const MB = 1024 ** 2;

describe('chooseRoute (the fallback decision)', () => {
  it('keeps the fast path for a short file the browser plays', () => {
    expect(chooseRoute({ bytes: 5 * MB, browser: played(60), container: mp4 })).toEqual({ audio: 'browser', video: 'browser', damaged: false });
    expect(chooseRoute({ bytes: 5 * MB, browser: played(FAST_AUDIO_MAX_SECONDS), container: mp4 }).audio).toBe('browser');
  });
  it('streams the audio of long or huge files through ffmpeg, frames still through <video>', () => {
    expect(chooseRoute({ bytes: 16 * MB, browser: played(3600), container: mp4 })).toEqual({ audio: 'ffmpeg', video: 'browser', damaged: false });
    // two-gb.mp4: 3 s of media padded to 1.9 GB — never read whole.
    expect(chooseRoute({ bytes: FAST_AUDIO_MAX_BYTES + 1, browser: played(3), container: mp4 }).audio).toBe('ffmpeg');
  });
  it('reads a video track <video> reports as 0x0 (MPEG-2 in Matroska) with ffmpeg, its sound with the browser', () => {
    const mkv: ContainerInfo = { container: 'matroska', hasVideoTrack: true, videoCodec: 'MPEG-2', missingIndex: false, hasAudioTrack: true, textSubtitles: false };
    expect(chooseRoute({ bytes: MB, browser: played(3, false), container: mkv })).toEqual({ audio: 'browser', video: 'ffmpeg', damaged: false });
  });
  it('gives a file the browser cannot open to ffmpeg entirely (AVI, HuffYUV)', () => {
    const avi: ContainerInfo = { container: 'avi', hasVideoTrack: true, videoCodec: 'HuffYUV', missingIndex: false, hasAudioTrack: true, textSubtitles: false };
    expect(chooseRoute({ bytes: MB, browser: null, container: avi })).toEqual({ audio: 'ffmpeg', video: 'ffmpeg', damaged: false });
  });
  it('skips decoders for tracks the container says are absent', () => {
    const videoOnly = { ...mp4, hasAudioTrack: false };
    expect(chooseRoute({ bytes: MB, browser: played(3), container: videoOnly }).audio).toBe('none');
    const audioOnly = { ...mp4, hasVideoTrack: false, videoCodec: null };
    expect(chooseRoute({ bytes: MB, browser: played(3, false), container: audioOnly }).video).toBe('none');
  });
  it('calls an MP4 without its index damaged at once, unless the browser could open it anyway', () => {
    const cut = { ...mp4, missingIndex: true, hasAudioTrack: null };
    expect(chooseRoute({ bytes: MB, browser: null, container: cut }).damaged).toBe(true);
    expect(chooseRoute({ bytes: MB, browser: played(3), container: cut }).damaged).toBe(false);
  });
  it('forces ffmpeg when asked (parity tests)', () => {
    expect(chooseRoute({ bytes: MB, browser: played(4), container: mp4, forceFfmpeg: true })).toEqual({ audio: 'ffmpeg', video: 'ffmpeg', damaged: false });
    expect(pageSwitch('?decoder=ffmpeg&backend=wasm', 'ffmpeg')).toBe(true);
    expect(pageSwitch('?backend=wasm', 'ffmpeg')).toBe(false);
  });
  it('reads frames by <video> seeking only when asked (parity tests, bench)', () => {
    expect(pageSwitch('?frames=seek&backend=wasm', 'seeking')).toBe(true);
    expect(pageSwitch('?backend=wasm', 'seeking')).toBe(false);
  });
  it('searches every face view only when asked, and names the valid switches for an unknown one', () => {
    expect(pageSwitch('?faces=full', 'fullFaceSearch')).toBe(true);
    expect(pageSwitch('?faces=track', 'fullFaceSearch')).toBe(false);
    expect(() => pageSwitch('', 'faster' as PageSwitch)).toThrow(/valid are ffmpeg, fullFaceSearch, seeking/);
  });
  it('tries ffmpeg after the browser failed on the audio, unless there is no audio track', () => {
    expect(audioAfterBrowserFailure(mp4)).toBe('ffmpeg');
    expect(audioAfterBrowserFailure({ ...mp4, hasAudioTrack: null })).toBe('ffmpeg');
    expect(audioAfterBrowserFailure({ ...mp4, hasAudioTrack: false })).toBe('none');
  });
});
