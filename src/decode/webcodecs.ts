// Frames for the segment centres through WebCodecs: an MP4's own sample table (mp4box.js) says
// which frame `<video>` would show at each time and which keyframe it hangs on, and `VideoDecoder`
// decodes from that keyframe only as far as the frames the segments need — no seek per segment.
// One feature pipeline: it must give exactly the frame, size and pixels that `<video>` seeking
// gives (video.ts), which is what the model was trained on (e2e/webcodecs-frames.spec.ts checks
// it on real clips). Whatever it cannot promise that for — not an MP4, fragmented, rotated, an edit
// list it does not model, several video tracks or descriptions, a codec the decoder refuses, a
// decode error, a frame that never came out — gives null (at open) or throws (at read), and
// media.ts falls back to `<video>` seeking.

import type { RgbaFrame } from '../protocol';
import { clampFrameTime, frameSize, type FrameReader, type VideoInfo } from './video';

/** One coded frame, in decode order: its presentation time (edit list applied) in the track's units and in whole microseconds. */
export interface CodedFrame { units: number; us: number; isSync: boolean; offset: number; size: number }

/** Position in `byPts` of the last frame for which `atOrBefore` holds (-1 when none). */
function lastWhere(frames: readonly CodedFrame[], byPts: readonly number[], atOrBefore: (f: CodedFrame) => boolean): number {
  let lo = 0;
  let hi = byPts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (atOrBefore(frames[byPts[mid]!]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The frame `<video>` shows after seeking to `time` (seconds), as Chromium picks it (measured on
 * 25, 30 and 50 fps clips, whose segment centres fall on frame starts):
 * - the seek time is truncated to whole microseconds (base::Seconds), frame times are rounded to
 *   them (av_rescale_q): 5.28 s is 5279999 us, a hair before a frame starting at 5.28 s;
 * - the shown frame is the last one presented at or before that time (before the first: the first)...
 * - ...unless the demuxer's seek, done in the track's units (the time rounded to them), landed on a
 *   keyframe after it: decoding starts there, and that keyframe is shown.
 * `byPts` holds the shown frames' decode indices sorted by presentation time.
 */
export function frameShownAt(frames: readonly CodedFrame[], byPts: readonly number[], time: number, timescale: number): number {
  const target = Math.trunc(time * 1e6);
  const seek = Math.round((target * timescale) / 1e6);
  let shown = Math.max(0, lastWhere(frames, byPts, (f) => f.us <= target));
  for (let p = lastWhere(frames, byPts, (f) => f.units <= seek); p > shown; p--) {
    if (frames[byPts[p]!]!.isSync) {
      shown = p;
      break;
    }
  }
  return byPts[shown]!;
}

/**
 * The keyframe decoding must start from to get frame `index`: the last sync frame at or before it
 * in decode order that is not presented after it (an open GOP's leading frames need the previous one).
 */
export function keyframeFor(frames: readonly CodedFrame[], index: number): number {
  for (let k = index; k >= 0; k--) if (frames[k]!.isSync && frames[k]!.us <= frames[index]!.us) return k;
  return -1;
}

/** Decode runs `[from, to]` (decode indices, inclusive): each starts at a keyframe and reaches the wanted frames it covers. */
export interface DecodeRun { from: number; to: number }

/**
 * The fewest decoded frames that reach every wanted frame: a wanted frame whose keyframe the
 * current run has already passed continues that run; otherwise a new run starts at its keyframe
 * (decoding on would decode frames nobody needs).
 */
export function planRuns(frames: readonly CodedFrame[], wanted: Iterable<number>): DecodeRun[] {
  const runs: DecodeRun[] = [];
  for (const w of [...new Set(wanted)].sort((a, b) => a - b)) {
    const key = keyframeFor(frames, w);
    if (key < 0) throw new Error(`no keyframe before frame ${w}`);
    const run = runs.at(-1);
    if (run && key <= run.to) run.to = Math.max(run.to, w);
    else runs.push({ from: key, to: w });
  }
  return runs;
}

/**
 * Frames of the segments asked next (`upcoming`, in time order) that the last run reaches before
 * its GOP ends, at most `limit`: decoded now and kept, they need no second decode from their
 * keyframe at the next read (the pipeline reads 4 frames at a time; a GOP is often 8 s). Extends
 * the last run in place; returns their decode indices.
 */
export function takeUpcoming(frames: readonly CodedFrame[], runs: DecodeRun[], upcoming: readonly number[], limit: number): number[] {
  const run = runs.at(-1);
  const taken: number[] = [];
  if (!run) return taken;
  for (const i of upcoming) {
    if (taken.length >= limit || keyframeFor(frames, i) > run.to) break;
    if (!taken.includes(i)) taken.push(i);
    run.to = Math.max(run.to, i);
  }
  return taken;
}

/** An MP4 edit list entry (times in the movie's and the track's timescales). */
export interface EditEntry { segment_duration: number; media_time: number; media_rate_integer: number }

/**
 * How the edit list maps a track's composition times to presentation seconds, as libavformat (the
 * demuxer behind Chromium's `<video>`) maps them: an optional leading empty edit delays the track
 * (`delay`, e.g. ffmpeg's 66 ms on the dev clips), one edit starting at `mediaTime` (the B-frame
 * delay) plays it at normal rate until `end`; all in the track's timescale, rounded as libavformat
 * rounds. Null for anything else: then `<video>` is used.
 */
export function presentationTiming(edits: readonly EditEntry[], movieTimescale: number, timescale: number): { delay: number; mediaTime: number; end: number } | null {
  const [first, second, ...more] = edits;
  if (!first) return { delay: 0, mediaTime: 0, end: Infinity };
  const empty = first.media_time === -1 ? first : null;
  const play = empty ? second : first;
  if (more.length || (!empty && second) || !play || play.media_time < 0 || play.media_rate_integer !== 1) return null;
  const toTrack = (movieUnits: number) => Math.round((movieUnits * timescale) / movieTimescale);
  const delay = empty ? toTrack(empty.segment_duration) : 0;
  // A zero duration means "to the end of the media" in some writers.
  const end = play.segment_duration > 0 ? delay + toTrack(play.segment_duration) : Infinity;
  return { delay, mediaTime: play.media_time, end };
}

/** What the sample table gives, or why it cannot be used (the reason is only logged: the fallback is silent). */
export type TrackTable =
  | { ok: true; codec: string; description?: Uint8Array; codedWidth: number; codedHeight: number; timescale: number; frames: CodedFrame[]; byPts: number[] }
  | { ok: false; why: string };

const IDENTITY = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
/** Codecs whose MP4 sample entries carry the configuration WebCodecs wants as `description` (or none). */
const CODEC_PREFIXES = Object.freeze(['avc1', 'avc3', 'hvc1', 'hev1', 'vp09', 'av01']);
/** Top-level boxes looked at before giving up on finding the index. */
const MAX_TOP_BOXES = 10_000;
/** A 20-byte `ftyp` box: major brand isom, minor version 0, compatible brand isom. */
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const STAND_IN_FTYP = Uint8Array.from([0, 0, 0, 20, ...ascii('ftypisom'), 0, 0, 0, 0, ...ascii('isom')]);

/**
 * The bytes of the file's top-level `moov` box (the index), found by walking the top-level box
 * headers: media data (`mdat`) before it is skipped unread, and nothing after it is looked at (a file
 * padded with zeros after its index, or cut short after it, still reads). Null when there is none.
 */
async function readMoov(file: Blob): Promise<ArrayBuffer | null> {
  for (let pos = 0, boxes = 0; pos + 8 <= file.size && boxes < MAX_TOP_BOXES; boxes++) {
    const head = new DataView(await file.slice(pos, pos + 16).arrayBuffer());
    const type = String.fromCharCode(...new Uint8Array(head.buffer, 4, 4));
    const small = head.getUint32(0);
    const size = small === 1 && head.byteLength >= 16 ? Number(head.getBigUint64(8)) : small === 0 ? file.size - pos : small;
    if (size < 8) return null;
    if (type === 'moov') return pos + size <= file.size ? file.slice(pos, pos + size).arrayBuffer() : null;
    pos += size;
  }
  return null;
}

/** Reads `file`'s MP4 index and its one video track's frames; never reads the media data itself. */
export async function readTrackTable(file: Blob): Promise<TrackTable> {
  const moov = await readMoov(file);
  if (!moov) return { ok: false, why: 'no MP4 index' };
  const { createFile, DataStream, Endianness, MP4BoxBuffer } = await import('mp4box');
  const mp4 = createFile(); // sample offsets come from the index (absolute), so the index alone is enough
  let failed: string | null = null;
  mp4.onError = (_module: string, message: string) => { failed = message; };
  // After a stand-in `ftyp` (mp4box.js wants one; QuickTime files may have none): brands are not used here.
  const bytes = new Uint8Array(STAND_IN_FTYP.length + moov.byteLength);
  bytes.set(STAND_IN_FTYP);
  bytes.set(new Uint8Array(moov), STAND_IN_FTYP.length);
  mp4.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.buffer, 0), true);
  mp4.flush();
  if (failed || !mp4.moov) return { ok: false, why: failed ?? 'unreadable MP4 index' };
  const info = mp4.getInfo();
  if (info.isFragmented) return { ok: false, why: 'fragmented MP4' };
  if (info.videoTracks.length !== 1) return { ok: false, why: `${info.videoTracks.length} video tracks` };
  const track = info.videoTracks[0]!;
  if (!CODEC_PREFIXES.some((p) => track.codec.startsWith(p))) return { ok: false, why: `codec ${track.codec}` };
  if (!IDENTITY.every((v, i) => Number(track.matrix[i]) === v)) return { ok: false, why: 'rotated or mirrored' };
  const trak = mp4.getTrackById(track.id);
  const entries = trak.mdia.minf.stbl.stsd.entries;
  if (entries.length !== 1) return { ok: false, why: `${entries.length} sample descriptions` };
  const timing = presentationTiming(trak.edts?.elst?.entries ?? [], info.timescale, track.timescale);
  if (!timing) return { ok: false, why: 'edit list' };
  const samples = mp4.getTrackSamplesInfo(track.id) ?? [];
  const units = samples.map((s) => s.cts - timing.mediaTime + timing.delay);
  const frames = samples.map((s, i) => ({ units: units[i]!, us: Math.round((units[i]! * 1e6) / track.timescale), isSync: Boolean(s.is_sync), offset: s.offset, size: s.size }));
  // Frames the edit cuts off are decoded (others may refer to them) but never shown.
  const byPts = frames.map((_, i) => i).filter((i) => frames[i]!.units >= timing.delay && frames[i]!.units < timing.end)
    .sort((a, b) => frames[a]!.us - frames[b]!.us);
  if (!byPts.length) return { ok: false, why: 'no frames' };
  // A file cut short: <video> times out on the missing frames (null), a decoder might conceal them.
  if (frames.some((f) => f.offset + f.size > file.size)) return { ok: false, why: 'cut short' };
  const entry = entries[0] as unknown as Record<string, { write(s: InstanceType<typeof DataStream>): void } | undefined>;
  const config = entry.avcC ?? entry.hvcC ?? entry.av1C;
  let description: Uint8Array | undefined;
  if (config) {
    const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
    config.write(stream);
    description = new Uint8Array(stream.buffer, 8); // the box's payload, without its 8-byte header
  }
  return { ok: true, codec: track.codec, description, codedWidth: track.video?.width ?? track.track_width, codedHeight: track.video?.height ?? track.track_height, timescale: track.timescale, frames, byPts };
}

/**
 * The colours `<video>` assumes for a stream that does not state its own (Chromium's demuxer guesses
 * by the displayed height: BT.601 below 720 lines, BT.709 from 720); WebCodecs would assume BT.709
 * for all (measured: up to 43/255 apart on saturated SD colours). Given as the decoder's config,
 * it is used exactly where `<video>` uses its guess; a stream's own colour description wins in both.
 */
export function guessedColorSpace(displayHeight: number): VideoColorSpaceInit {
  return displayHeight < 720
    ? { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false }
    : { primaries: 'bt709', transfer: 'bt709', matrix: 'bt709', fullRange: false };
}

/** Largest byte span read from the file at once while feeding the decoder. */
const READ_SPAN = 16 << 20;
/** At most this many bytes of frames decoded ahead for the next read (about 14 frames of 640 x 853). */
const AHEAD_BYTES = 32 << 20;
const EMPTY: RgbaFrame = { data: new Uint8ClampedArray(0), width: 0, height: 0 };

/**
 * Opens `file` for WebCodecs frame reading at `size` (video.ts's `frameSize` of what `<video>`
 * reports) with times clamped as `<video>` clamps them against `seconds` (its duration). Null when
 * this path cannot promise `<video>`'s frames; then media.ts seeks a `<video>` instead.
 */
export async function openWebCodecsFrames(file: Blob, shown: Pick<VideoInfo, 'width' | 'height' | 'seconds'>): Promise<FrameReader | null> {
  const { seconds } = shown;
  if (typeof VideoDecoder !== 'function' || typeof document === 'undefined' || !(seconds > 0 && Number.isFinite(seconds))) return null;
  const table = await readTrackTable(file).catch((e: unknown) => ({ ok: false as const, why: String(e) }));
  if (!table.ok) return null;
  const config: VideoDecoderConfig = {
    codec: table.codec, codedWidth: table.codedWidth, codedHeight: table.codedHeight,
    ...(table.description ? { description: table.description } : {}),
    // Software decoding, as <video> does here: a GPU decoder may round colours differently.
    hardwareAcceleration: 'prefer-software',
    colorSpace: (globalThis as unknown as { __wcColor?: VideoColorSpaceInit }).__wcColor ?? guessedColorSpace(shown.height),
  };
  const supported = await VideoDecoder.isConfigSupported(config).catch(() => null);
  if (!supported?.supported) return null;
  const { frames, byPts } = table;
  // Frames are matched by timestamp (microseconds): two frames on one microsecond cannot be told apart.
  const stamps = frames.map((f) => f.us);
  if (new Set(stamps).size !== stamps.length) return null;

  const { width, height } = frameSize(shown);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  // A CPU-backed canvas, as video.ts's: the same drawImage scaling and readback.
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;

  const pick = (t: number) => frameShownAt(frames, byPts, clampFrameTime(t, seconds), table.timescale);
  // Frames of upcoming segments decoded ahead (decode index -> pixels), kept for the next read only.
  let kept = new Map<number, RgbaFrame>();
  const aheadLimit = Math.max(0, Math.floor(AHEAD_BYTES / (width * height * 4)));

  const decodeRuns = async (runs: DecodeRun[], into: Map<number, RgbaFrame>, signal?: AbortSignal) => {
    if (!runs.length) return;
    const wantedStamps = new Map([...into.keys()].map((i) => [stamps[i]!, i]));
    const drawn = new Map<number, RgbaFrame>();
    let failure: unknown = null;
    const decoder = new VideoDecoder({
      output: (frame) => {
        const index = wantedStamps.get(frame.timestamp);
        if (index !== undefined && !drawn.has(index)) {
          ctx.drawImage(frame, 0, 0, width, height);
          drawn.set(index, { data: ctx.getImageData(0, 0, width, height).data, width, height });
        }
        frame.close();
      },
      error: (e) => { failure = e; },
    });
    try {
      decoder.configure(config);
      for (const run of runs) {
        for (let i = run.from; i <= run.to;) {
          if (signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
          if (failure) throw failure;
          // One read for consecutive frames stored close together (audio interleaved between them).
          let j = i;
          while (j < run.to && frames[j + 1]!.offset >= frames[i]!.offset && frames[j + 1]!.offset + frames[j + 1]!.size - frames[i]!.offset <= READ_SPAN) j++;
          const start = frames[i]!.offset;
          const bytes = new Uint8Array(await file.slice(start, frames[j]!.offset + frames[j]!.size).arrayBuffer());
          for (let k = i; k <= j; k++) {
            const f = frames[k]!;
            decoder.decode(new EncodedVideoChunk({
              type: k === run.from || f.isSync ? 'key' : 'delta',
              timestamp: stamps[k]!,
              data: bytes.subarray(f.offset - start, f.offset - start + f.size),
            }));
          }
          i = j + 1;
        }
        await decoder.flush();
      }
      if (failure) throw failure;
    } finally {
      if (decoder.state !== 'closed') decoder.close();
    }
    for (const i of into.keys()) {
      const frame = drawn.get(i);
      if (!frame) throw new Error(`frame ${i} was not decoded`);
      into.set(i, frame);
    }
  };

  // Reads follow one another (one decoder at a time, `kept` stays consistent).
  let queue: Promise<unknown> = Promise.resolve();
  const read = (times: number[], signal?: AbortSignal, upcoming: number[] = []): Promise<(RgbaFrame | null)[]> => {
    const job = queue.then(async () => {
      const shown = times.map(pick);
      const pixels = new Map<number, RgbaFrame>();
      const missing = shown.filter((i) => !kept.has(i));
      const runs = planRuns(frames, missing);
      const ahead = takeUpcoming(frames, runs, upcoming.map(pick).filter((i) => !shown.includes(i)), aheadLimit);
      const wanted = new Map<number, RgbaFrame>([...missing, ...ahead].map((i) => [i, EMPTY]));
      await decodeRuns(runs, wanted, signal);
      for (const i of shown) pixels.set(i, kept.get(i) ?? wanted.get(i)!);
      kept = new Map(ahead.map((i) => [i, wanted.get(i)!]));
      // Each segment gets its own pixels, as from <video>: frames are transferred to the face worker.
      const given = new Set<number>();
      return shown.map((i) => {
        const frame = pixels.get(i)!;
        if (given.has(i)) return { ...frame, data: frame.data.slice() };
        given.add(i);
        return frame;
      });
    });
    queue = job.catch(() => undefined);
    return job;
  };
  return { width, height, read, close: () => { kept = new Map(); } };
}
