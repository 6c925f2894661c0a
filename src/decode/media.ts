// Opens a user's file for streaming decoding: probes it cheaply (`<video>` metadata, container
// sniff), chooses the decoders (route.ts), and hands the pipeline two readers that work window by
// window whatever the decoder — audio samples by range and frames by segment — so the pipeline
// never holds more than one window. Short files keep the fast path (the browser decodes the audio
// whole); long, huge or browser-unreadable files go through ffmpeg.wasm.
import type { RgbaFrame } from '../protocol';
import { decodeAudio } from './audio';
import { displaySize, FfmpegMedia, type FfmpegProbe } from './ffmpeg';
import { audioAfterBrowserFailure, chooseRoute, type AudioRoute, type VideoRoute } from './route';
import { sniffContainer, type ContainerInfo } from './sniff';
import type { SubtitleTrack } from './subtitleTracks';
import { frameSize, openFrameReader, probeVideo, type FrameReader, type VideoInfo } from './video';
import { openWebCodecsFrames } from './webcodecs';
import { segmentCentre, segmentCentres } from '../timebase';

export interface AudioReader {
  /** Samples of the whole signal when it was decoded up front (fast path); null when streamed. */
  totalSamples: number | null;
  /** 16 kHz mono samples `[start, start + length)`; fewer when the audio ends there. A copy the caller owns. */
  read(start: number, length: number): Promise<Float32Array>;
}

export interface FrameSource {
  width: number;
  height: number;
  /** Frames at the centres of segments `[first, first + count)`; null where one could not be read. */
  read(first: number, count: number, signal: AbortSignal): Promise<(RgbaFrame | null)[]>;
}

/** Why a file cannot be analysed at all (the engine words the message). */
export type OpenFailure =
  | { reason: 'damaged' }
  | { reason: 'undecodable'; container: ContainerInfo }
  /** ffmpeg reads the container but neither decoder knows the video codec. */
  | { reason: 'unreadableVideo'; codec: string | null }
  /** Longer than `maxSeconds` (known from the `<video>` probe, before anything is decoded). */
  | { reason: 'tooLong'; seconds: number };

export interface OpenedMedia {
  ok: true;
  /** Duration in seconds (the audio's when decoded whole, else the container's). */
  seconds: number;
  audio: AudioReader | null;
  video: FrameSource | null;
  route: { audio: AudioRoute; video: VideoRoute };
  /** The container declares a video track the decoders could not turn into frames (codec name if known). */
  videoDropped: { codec: string | null } | null;
  /**
   * The file's own subtitle tracks through ffmpeg.wasm (loaded only now, unless a route already
   * did); null when the container sniff found no text subtitle track, so other files pay nothing.
   */
  subtitles: EmbeddedSubtitleReader | null;
  close(): Promise<void>;
}

/** Lists a file's subtitle tracks and reads one as WebVTT text. */
export interface EmbeddedSubtitleReader {
  tracks(): Promise<SubtitleTrack[]>;
  vtt(index: number): Promise<string>;
}

export interface OpenOptions {
  sampleRate: number;
  segmentSeconds: number;
  signal: AbortSignal;
  forceFfmpeg?: boolean;
  /** Read the browser's frames by seeking `<video>` only, never through WebCodecs (`?frames=seek`: parity tests, bench). */
  seekFrames?: boolean;
  /** Refuse longer files before decoding anything. */
  maxSeconds?: number;
  /** Called before slow work starts, with a short description ("reading with ffmpeg.wasm"). */
  onStep?: (detail: string) => void;
}

const checkAbort = (signal: AbortSignal) => {
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
};

/** Whole-signal audio (fast path): reads are copies of ranges of the decoded signal. */
function wholeAudio(pcm: Float32Array): AudioReader {
  return {
    totalSamples: pcm.length,
    read: async (start, length) => pcm.slice(Math.min(start, pcm.length), Math.min(start + length, pcm.length)),
  };
}

/** Extra audio asked of ffmpeg per read: `-t` is rounded to whole samples and codec frames, and a read one sample short would look like the end. */
const READ_MARGIN_SECONDS = 0.1;

function ffmpegAudio(media: FfmpegMedia, probe: FfmpegProbe, sampleRate: number): AudioReader {
  const channels = probe.audio?.channels ?? 1;
  return {
    totalSamples: null,
    read: (start, length) => media.audio(start / sampleRate, length / sampleRate + READ_MARGIN_SECONDS, channels, sampleRate)
      .then((pcm) => (pcm.length > length ? pcm.slice(0, length) : pcm)),
  };
}

/** Segment centres past a read offered to the WebCodecs reader to decode ahead (its byte budget caps them further). */
const UPCOMING_SEGMENTS = 16;

/**
 * Frames the browser decodes: through WebCodecs from the MP4's sample table where it can promise
 * `<video>`'s frames (webcodecs.ts), else — and from the first read it fails on — through `<video>`
 * seeking. The `<video>` is opened at its first read, not while the models load: Chromium suspends
 * an idle paused player, and seeks on a suspended one can time out.
 */
function browserFrames(file: File, shown: VideoInfo, segmentSeconds: number, seekOnly: boolean): FrameSource & { close(): void } {
  // The MP4 index is read (and mp4box.js loaded) at once, while the models load: no player to suspend.
  let decoding: Promise<FrameReader | null> = seekOnly ? Promise.resolve(null) : openWebCodecsFrames(file, shown).catch(() => null);
  let seeking: Promise<FrameReader> | null = null;
  return {
    ...frameSize(shown),
    read: async (first, count, signal) => {
      const times = segmentCentres(first, count, segmentSeconds);
      const decoder = await decoding;
      if (decoder) {
        try {
          // The next segments' centres: the WebCodecs reader decodes those its current GOP reaches now.
          return await decoder.read(times, signal, segmentCentres(first + count, UPCOMING_SEGMENTS, segmentSeconds).filter((t) => t < shown.seconds));
        } catch (e) {
          if (signal.aborted) throw e;
          decoding = Promise.resolve(null); // a decode error: <video> from here on
        }
      }
      seeking ??= openFrameReader(file);
      // A video the browser opened but cannot play frames from: every frame counts as unreadable.
      const opened = await seeking.catch(() => null);
      return opened ? opened.read(times, signal) : Array.from({ length: count }, () => null);
    },
    close: () => {
      void decoding.then((r) => r?.close(), () => undefined);
      void seeking?.then((r) => r.close(), () => undefined);
    },
  };
}

function ffmpegFrames(media: FfmpegMedia, probe: FfmpegProbe, segmentSeconds: number): FrameSource | null {
  if (!probe.video?.codec) return null;
  const size = displaySize(probe.video);
  return {
    ...size,
    read: (first, count) => media.frames(segmentCentre(first, segmentSeconds), count, segmentSeconds, size),
  };
}

/** Probes `file`, picks the decoders, and (fast path) decodes its audio whole. */
export async function openMedia(file: File, o: OpenOptions): Promise<OpenedMedia | OpenFailure> {
  const [browser, container] = await Promise.all([probeVideo(file), sniffContainer(file)]);
  checkAbort(o.signal);
  if (browser && o.maxSeconds !== undefined && browser.seconds > o.maxSeconds) return { reason: 'tooLong', seconds: browser.seconds };
  const route = chooseRoute({ bytes: file.size, browser, container, forceFfmpeg: o.forceFfmpeg });
  if (route.damaged) return { reason: 'damaged' };

  let ff: FfmpegMedia | null = null;
  let probe: FfmpegProbe | null = null;
  let frameReader: { close(): void } | null = null;
  const closeAll = async () => {
    frameReader?.close();
    await ff?.close();
  };
  // ffmpeg is opened (and its core loaded) only when a route needs it.
  const ffmpeg = async (): Promise<{ media: FfmpegMedia; probe: FfmpegProbe | null }> => {
    if (!ff) {
      o.onStep?.('loading the ffmpeg.wasm decoder');
      ff = await FfmpegMedia.open(file, o.signal);
      probe = await ff.probe();
    }
    return { media: ff, probe };
  };

  try {
    let audio: AudioReader | null = null;
    let audioRoute = route.audio;
    let seconds = browser?.seconds ?? 0;
    if (audioRoute === 'browser') {
      o.onStep?.('decoding the audio');
      const decoded = await decodeAudio(await file.arrayBuffer(), o.sampleRate);
      checkAbort(o.signal);
      if (decoded) {
        audio = wholeAudio(decoded.pcm);
        seconds = decoded.seconds;
      } else {
        audioRoute = audioAfterBrowserFailure(container);
      }
    }
    if (audioRoute === 'ffmpeg' || route.video === 'ffmpeg') {
      const { media, probe: p } = await ffmpeg();
      checkAbort(o.signal);
      if (!p && !audio && !browser) {
        // Neither the browser nor ffmpeg can read it.
        await closeAll();
        return { reason: 'undecodable', container };
      }
      if (p && (!browser || o.forceFfmpeg)) seconds = p.seconds;
      if (audioRoute === 'ffmpeg') {
        audio = p?.audio ? ffmpegAudio(media, p, o.sampleRate) : null;
        if (!audio) audioRoute = 'none';
      }
    }

    let video: FrameSource | null = null;
    let videoDropped: OpenedMedia['videoDropped'] = null;
    if (route.video === 'browser' && browser) {
      // WebCodecs reads MP4 only (mp4box.js), and only one whose index is there.
      const seekOnly = o.seekFrames || container.container !== 'mp4' || container.missingIndex;
      const frames = browserFrames(file, browser, o.segmentSeconds, seekOnly);
      frameReader = frames;
      video = frames;
    } else if (route.video === 'ffmpeg') {
      const p = probe as FfmpegProbe | null;
      video = p && ff ? ffmpegFrames(ff, p, o.segmentSeconds) : null;
      if (!video && p?.video) {
        // A video stream neither decoder knows (an unknown FourCC): refuse rather than give a
        // sound-only result as if the file had no picture.
        if (!browser) {
          await closeAll();
          return { reason: 'unreadableVideo', codec: container.videoCodec };
        }
        videoDropped = { codec: container.videoCodec };
      }
    }
    if (route.video !== 'none' && !video && container.hasVideoTrack && !videoDropped) videoDropped = { codec: container.videoCodec };
    const subtitles: EmbeddedSubtitleReader | null = container.textSubtitles
      ? {
        tracks: async () => (await ffmpeg()).media.subtitleTracks(),
        vtt: async (index) => (await ffmpeg()).media.subtitleVtt(index),
      }
      : null;
    return {
      ok: true, seconds, audio, video, videoDropped, subtitles,
      route: { audio: audio ? audioRoute : 'none', video: video ? route.video : 'none' },
      close: closeAll,
    };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}
