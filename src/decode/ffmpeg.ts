// The ffmpeg.wasm fallback decoder, for what the browser's own decoders cannot open (AVI, MKV with
// MPEG-2, HuffYUV, ...) and for long or huge files, whose audio is read window by window. The
// single-thread core is loaded lazily from the app's own origin (public/ffmpeg/, copied by
// scripts/copy-runtime-assets.mjs) into @ffmpeg/ffmpeg's worker; the user's File is mounted
// with WORKERFS, so ffmpeg reads only the byte ranges it needs and the file is never copied into
// wasm memory. It returns what the fast path returns: 16 kHz mono float PCM (mono = mean of the
// channels) and RGBA frames at the segment centres, at the size `<video>` would display, so
// the same audio and face workers compute the features.
import { FFFSType, FFmpeg } from '@ffmpeg/ffmpeg';
import type { RgbaFrame } from '../protocol';
import { assetBase } from '../inference/paths';
import { frameSize } from './video';
import { parseSubtitleProbe, type SubtitleTrack } from './subtitleTracks';

/** One stream of a probed file (only what decoding needs). */
export interface FfmpegStream {
  codec: string | null;
  width: number;
  height: number;
  /** Pixel aspect ratio (width / height of one pixel); 1 when unknown. */
  pixelAspect: number;
  /** Display rotation in degrees (phones store -90 / 90). */
  rotation: number;
  channels: number;
}

export interface FfmpegProbe {
  seconds: number;
  video: FfmpegStream | null;
  audio: FfmpegStream | null;
}

/** A window's exec may take this long before it counts as failed (a pathological file cannot hang the run). */
export const EXEC_TIMEOUT_MS = 180_000;

const num = (v: unknown): number => {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(x) ? x : 0;
};

function ratio(v: unknown): number {
  if (typeof v !== 'string') return 1;
  const [a, b] = v.split(':').map(Number);
  return a && b && Number.isFinite(a / b) && a / b > 0 ? a / b : 1;
}

/** Reads ffprobe's `-of json` output (streams with side data, format duration). Null when it lists no stream. */
export function parseProbe(json: string): FfmpegProbe | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const d = data as { streams?: unknown; format?: { duration?: unknown } };
  const streams = Array.isArray(d.streams) ? (d.streams as Record<string, unknown>[]) : [];
  const pick = (type: string): FfmpegStream | null => {
    const s = streams.find((x) => x.codec_type === type);
    if (!s) return null;
    const side = Array.isArray(s.side_data_list) ? (s.side_data_list as Record<string, unknown>[]) : [];
    const rotation = num(side.find((x) => x.rotation !== undefined)?.rotation);
    const codec = typeof s.codec_name === 'string' && s.codec_name && s.codec_name !== 'none' ? s.codec_name : null;
    return {
      codec, width: num(s.width), height: num(s.height), pixelAspect: ratio(s.sample_aspect_ratio),
      rotation, channels: Math.max(1, num(s.channels)),
    };
  };
  const video = pick('video');
  const audio = pick('audio');
  if (!video && !audio) return null;
  return { seconds: num(d.format?.duration), video, audio };
}

/**
 * The frame size `<video>` shows for a stream, capped like the fast path's frames: rotation
 * applied (90 / 270 swap the sides), then Chromium's natural size for non-square pixels (wide
 * pixels widen the frame, tall pixels make it taller), then scaled so the longest side is at most
 * MAX_FRAME_SIDE. E.g. 640x480 stored with pixels 9:16 shows as 640x853.
 */
export function displaySize(v: Pick<FfmpegStream, 'width' | 'height' | 'pixelAspect' | 'rotation'>): { width: number; height: number } {
  const quarter = Math.abs(Math.round(v.rotation / 90)) % 2 === 1;
  let w = quarter ? v.height : v.width;
  let h = quarter ? v.width : v.height;
  const aspect = quarter ? 1 / v.pixelAspect : v.pixelAspect;
  if (aspect > 1) w = Math.round(w * aspect);
  else if (aspect < 1) h = Math.round(h / aspect);
  return frameSize({ width: w, height: h });
}

/** `pan` expression for mono as the mean of `channels` channels (docs/CONTRACTS.md), or null for mono input. */
export function monoFilter(channels: number): string | null {
  if (channels <= 1) return null;
  const g = 1 / channels;
  return `pan=mono|c0=${Array.from({ length: channels }, (_, i) => `${g}*c${i}`).join('+')}`;
}

/**
 * The audio filter chain: mono (mean of the channels), then samples laid on the timestamps
 * (`aresample=async=1:first_pts=0`: a gap between packets becomes silence, an overlap is trimmed).
 * Without it ffmpeg concatenates packets and a file with gaps in its audio timestamps (remuxed,
 * spliced or looped files: 28 ms per join in the corpus's looped long files) yields fewer samples
 * than its duration — sample `n` would drift from time `n / 16000`, and a short window read would
 * look like the end of the audio.
 */
export function audioFilter(channels: number): string {
  return [monoFilter(channels), 'aresample=async=1:first_pts=0'].filter(Boolean).join(',');
}

const secs = (x: number) => x.toFixed(6);

/**
 * The filter chain that yields one frame per time in `times` (seconds from the seek point, one
 * segment apart): `fps` with `round=up` emits, for each tick, the last frame whose timestamp is at
 * or before it — the frame `<video>` shows after seeking there — and `tpad` repeats the last
 * frame past the end, so times after the last frame get it (the contract's clamp).
 */
export function frameFilter(firstTime: number, segmentSeconds: number, size: { width: number; height: number }, padSeconds: number): string {
  const fps = `1/${segmentSeconds}`;
  return [
    `tpad=stop_mode=clone:stop_duration=${secs(padSeconds)}`,
    `fps=fps=${fps}:start_time=${secs(firstTime)}:round=up`,
    `scale=${size.width}:${size.height}:flags=bilinear`,
    'format=rgba',
  ].join(',');
}

// ---------------------------------------------------------------- the shared instance

let shared: Promise<FFmpeg> | null = null;

/** The loaded ffmpeg, created on first use (about 1-2 s: a 32 MB wasm core from our own origin). */
function ffmpeg(): Promise<FFmpeg> {
  shared ??= (async () => {
    const ff = new FFmpeg();
    const base = new URL('ffmpeg/', assetBase());
    await ff.load({ coreURL: new URL('ffmpeg-core.js', base).href, wasmURL: new URL('ffmpeg-core.wasm', base).href });
    return ff;
  })();
  shared.catch(() => { shared = null; });
  return shared;
}

/** Stops ffmpeg at once (cancellation): its worker is terminated; the next use loads it again. */
export function stopFfmpeg(): void {
  const current = shared;
  shared = null;
  void current?.then((ff) => ff.terminate(), () => undefined);
}

let mounts = 0;

/**
 * One file opened in ffmpeg.wasm (WORKERFS: ffmpeg reads slices of the File on demand). `close`
 * unmounts it. Aborting `signal` terminates ffmpeg, so a long exec stops at once.
 */
export class FfmpegMedia {
  private readonly log: string[] = [];

  private constructor(
    private readonly ff: FFmpeg, private readonly dir: string, readonly path: string,
    private readonly signal: AbortSignal, private readonly onAbort: () => void,
  ) {}

  static async open(file: File, signal: AbortSignal): Promise<FfmpegMedia> {
    const onAbort = () => stopFfmpeg();
    signal.addEventListener('abort', onAbort, { once: true });
    let ff: FFmpeg;
    try {
      ff = await ffmpeg();
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
      throw e;
    }
    const dir = `/input${++mounts}`;
    // A plain name: ffmpeg reads "a:b.mp4" as protocol "a". The File is wrapped, not copied.
    const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1]?.toLowerCase() ?? 'bin';
    const named = new File([file], `media.${ext}`, { type: file.type });
    await ff.createDir(dir);
    await ff.mount(FFFSType.WORKERFS, { files: [named] }, dir);
    const media = new FfmpegMedia(ff, dir, `${dir}/media.${ext}`, signal, onAbort);
    ff.on('log', media.onLog);
    return media;
  }

  private readonly onLog = ({ message }: { message: string }) => {
    this.log.push(message);
    if (this.log.length > 50) this.log.shift();
  };

  private async run(args: string[], probe = false): Promise<number> {
    if (this.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    try {
      return probe ? await this.ff.ffprobe(args, EXEC_TIMEOUT_MS) : await this.ff.exec(args, EXEC_TIMEOUT_MS);
    } catch (e) {
      if (this.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
      throw e;
    }
  }

  /** Reads and deletes an output file (empty when ffmpeg wrote none). */
  private async take(path: string): Promise<Uint8Array> {
    try {
      const data = await this.ff.readFile(path);
      return typeof data === 'string' ? new Uint8Array(0) : data;
    } catch {
      return new Uint8Array(0);
    } finally {
      await this.ff.deleteFile(path).catch(() => undefined);
    }
  }

  /** The last lines ffmpeg logged (for error messages). */
  lastLog(): string {
    return this.log.slice(-3).join(' ').trim();
  }

  /** Streams, their size and rotation, and the duration; null when ffmpeg cannot read the file. */
  async probe(): Promise<FfmpegProbe | null> {
    const out = `${this.dir}-probe.json`;
    await this.run([
      '-v', 'error', '-show_entries',
      'stream=codec_type,codec_name,width,height,sample_aspect_ratio,channels:stream_side_data=rotation:format=duration',
      '-of', 'json', this.path, '-o', out,
    ], true);
    const bytes = await this.take(out);
    return parseProbe(new TextDecoder().decode(bytes));
  }

  /** The file's subtitle streams (subtitleTracks.ts); empty when there are none or ffprobe cannot read it. */
  async subtitleTracks(): Promise<SubtitleTrack[]> {
    const out = `${this.dir}-subtitles.json`;
    await this.run([
      '-v', 'error', '-select_streams', 's', '-show_entries', 'stream=index,codec_name:stream_tags=language,title,handler_name',
      '-of', 'json', this.path, '-o', out,
    ], true);
    return parseSubtitleProbe(new TextDecoder().decode(await this.take(out)));
  }

  /**
   * Subtitle stream `index` (`0:s:index`) as WebVTT text ('' when ffmpeg wrote nothing). The file's
   * own timestamps are kept (`-copyts`), so cue times are those of the video's clock.
   */
  async subtitleVtt(index: number): Promise<string> {
    const out = `${this.dir}-subtitles.vtt`;
    await this.run([
      '-hide_banner', '-nostdin', '-v', 'error', '-copyts', '-i', this.path,
      '-map', `0:s:${index}`, '-vn', '-an', '-dn', '-c:s', 'webvtt', '-f', 'webvtt', out,
    ]);
    return new TextDecoder().decode(await this.take(out));
  }

  /**
   * Mono 16 kHz float PCM of `[start, start + seconds)` (fewer samples when the audio ends there).
   * Seeking is sample-accurate: ffmpeg decodes from the packet before `start` and trims.
   */
  async audio(start: number, seconds: number, channels: number, sampleRate: number): Promise<Float32Array> {
    const out = `${this.dir}-audio.f32`;
    await this.run([
      '-hide_banner', '-nostdin', '-v', 'error',
      ...(start > 0 ? ['-ss', secs(start)] : []), '-t', secs(seconds), '-i', this.path,
      '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', audioFilter(channels),
      '-ar', String(sampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le', out,
    ]);
    const bytes = await this.take(out);
    return new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  }

  /**
   * RGBA frames (at `size`) for `count` times one segment apart starting at `first` seconds: the
   * frame shown at each time. Missing entries (the video could not be decoded there) are null.
   */
  async frames(first: number, count: number, segmentSeconds: number, size: { width: number; height: number }): Promise<(RgbaFrame | null)[]> {
    const out = `${this.dir}-frames.rgba`;
    // Seek a little before the first time (the seek point itself may sit between frames).
    const seek = Math.max(0, first - 1);
    const span = first - seek + (count - 1) * segmentSeconds + 1;
    await this.run([
      '-hide_banner', '-nostdin', '-v', 'error',
      ...(seek > 0 ? ['-ss', secs(seek)] : []), '-t', secs(span), '-i', this.path,
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', frameFilter(first - seek, segmentSeconds, size, (count + 1) * segmentSeconds),
      '-frames:v', String(count), '-fps_mode', 'passthrough', '-f', 'rawvideo', out,
    ]);
    const bytes = await this.take(out);
    const frameBytes = size.width * size.height * 4;
    return Array.from({ length: count }, (_, k) => (bytes.byteLength >= (k + 1) * frameBytes
      ? { data: new Uint8ClampedArray(bytes.buffer.slice(bytes.byteOffset + k * frameBytes, bytes.byteOffset + (k + 1) * frameBytes)), width: size.width, height: size.height }
      : null));
  }

  async close(): Promise<void> {
    this.signal.removeEventListener('abort', this.onAbort);
    this.ff.off('log', this.onLog);
    if (this.signal.aborted) return;
    await this.ff.unmount(this.dir).catch(() => undefined);
    await this.ff.deleteDir(this.dir).catch(() => undefined);
  }
}
