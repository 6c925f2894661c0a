// Which decoder reads what: the browser's own (fast, native) where it can, ffmpeg.wasm where it
// cannot or where the browser's decoder would need the whole file in memory. Pure decisions from
// cheap facts (the `<video>` probe, the container sniff, the file size), tested beside this file.
import type { ContainerInfo } from './sniff';
import type { VideoInfo } from './video';

/**
 * Longest clip whose audio the browser decodes in one piece (`decodeAudioData`). Measured here
 * (headless Chromium, 2 busy cores, 44.1 kHz stereo AAC): decodeAudioData takes about 31 ms per
 * second of audio (1.9 s for 60 s, 21 s for 600 s) and needs the file and its whole decoded
 * signal in memory; ffmpeg.wasm reads 30.72 s windows at about 7-10 ms per second but first loads
 * its 32 MB core (about 2 s, once per page). They cross at about 100-150 s.
 */
export const FAST_AUDIO_MAX_SECONDS = 120;
/** Largest file read whole for the fast audio path (`file.arrayBuffer()`); larger files stream. */
export const FAST_AUDIO_MAX_BYTES = 256 * 1024 ** 2;

export type AudioRoute = 'browser' | 'ffmpeg' | 'none';
export type VideoRoute = 'browser' | 'ffmpeg' | 'none';

export interface RouteFacts {
  bytes: number;
  /** What `<video>` made of the file; null when it could not open it. */
  browser: VideoInfo | null;
  container: ContainerInfo;
  /** Decode everything with ffmpeg.wasm (tests compare it with the fast path). */
  forceFfmpeg?: boolean;
}

export interface Route {
  audio: AudioRoute;
  video: VideoRoute;
  /** The file is a damaged MP4 (no index): no decoder can read it, say so at once. */
  damaged: boolean;
}

/** The first choice of decoders, before any decoding. */
export function chooseRoute(f: RouteFacts): Route {
  const { browser, container } = f;
  const damaged = container.container === 'mp4' && container.missingIndex && !browser;
  if (damaged) return { audio: 'none', video: 'none', damaged };
  if (f.forceFfmpeg || !browser) {
    return { audio: container.hasAudioTrack === false ? 'none' : 'ffmpeg', video: 'ffmpeg', damaged };
  }
  // `<video>` reports 0x0 for a video track it cannot decode (MPEG-2 in Matroska): ffmpeg reads it.
  const video: VideoRoute = browser.hasVideo ? 'browser' : container.hasVideoTrack ? 'ffmpeg' : 'none';
  const audio: AudioRoute = container.hasAudioTrack === false ? 'none'
    : browser.seconds <= FAST_AUDIO_MAX_SECONDS && f.bytes <= FAST_AUDIO_MAX_BYTES ? 'browser' : 'ffmpeg';
  return { audio, video, damaged };
}

/**
 * After the browser's audio decoder failed: try ffmpeg.wasm unless the container says there is
 * no audio track (a video-only MP4 should not cost loading ffmpeg).
 */
export function audioAfterBrowserFailure(container: ContainerInfo): AudioRoute {
  return container.hasAudioTrack === false ? 'none' : 'ffmpeg';
}

/**
 * URL switches the page reads (`?decoder=ffmpeg`, `?faces=full`, `?frames=seek`), for parity
 * tests, comparisons and the bench: the ffmpeg.wasm route everywhere; the face stage's full view
 * search on every segment (the behaviour before track-then-re-detect, src/features/face/track.ts);
 * the browser's frames through `<video>` seeking only. Also what the CLI's `--faces full` sets.
 */
export const PAGE_SWITCHES = Object.freeze({
  ffmpeg: Object.freeze({ param: 'decoder', value: 'ffmpeg' }),
  fullFaceSearch: Object.freeze({ param: 'faces', value: 'full' }),
  seeking: Object.freeze({ param: 'frames', value: 'seek' }),
});
export type PageSwitch = keyof typeof PAGE_SWITCHES;

/** Whether the page's query string (`location.search`) turns `name` on. */
export function pageSwitch(search: string, name: PageSwitch): boolean {
  const s = PAGE_SWITCHES[name];
  if (!s) throw new Error(`unknown page switch ${JSON.stringify(name)}: valid are ${Object.keys(PAGE_SWITCHES).join(', ')}`);
  return new URLSearchParams(search).get(s.param) === s.value;
}
