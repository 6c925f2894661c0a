// Container sniffing from a file's first and last bytes (never the whole file): does it declare a
// video track, which codec, and is an MP4 missing its index? Lets the engine say *why* a file the
// browser will not play fails ("damaged", "unsupported video codec") instead of a generic message,
// and notice when `<video>` silently ignores a video track it cannot decode (audio-only result).

export interface ContainerInfo {
  container: 'mp4' | 'matroska' | 'avi' | 'unknown';
  /** The container declares a video track. */
  hasVideoTrack: boolean;
  /** A readable codec name for the video track, when the container names one. */
  videoCodec: string | null;
  /** An MP4/MOV without its index (moov) in the bytes read: cut short or damaged. */
  missingIndex: boolean;
  /** The container declares an audio track (null: unknown container, or not said in the bytes read). */
  hasAudioTrack: boolean | null;
  /**
   * The bytes read declare a text subtitle track (MP4/MOV handler 'sbtl', 'text' or 'subt';
   * Matroska/WebM CodecID S_TEXT/… or D_WEBVTT/…): only then is ffmpeg.wasm asked to read it.
   */
  textSubtitles: boolean;
}

/** Bytes read from each end of the file. */
export const SNIFF_BYTES = 1024 * 1024;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = hay.indexOf(first ?? 0, from); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(first ?? 0, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

const text = (b: Uint8Array, start: number, len: number) => String.fromCharCode(...b.subarray(start, start + len));
const printable = (s: string) => /^[\x20-\x7e]+$/.test(s);

const CODEC_NAMES: Readonly<Record<string, string>> = Object.freeze({
  V_MPEG2: 'MPEG-2', V_MPEG1: 'MPEG-1', 'V_MPEG4/ISO/AVC': 'H.264', 'V_MPEGH/ISO/HEVC': 'H.265/HEVC', V_VP8: 'VP8',
  V_VP9: 'VP9', V_AV1: 'AV1', V_THEORA: 'Theora', 'V_MS/VFW/FOURCC': 'VfW', 'V_MPEG4/ISO/ASP': 'MPEG-4 Part 2',
  avc1: 'H.264', avc3: 'H.264', hvc1: 'H.265/HEVC', hev1: 'H.265/HEVC', mp4v: 'MPEG-4 Part 2', vp09: 'VP9', av01: 'AV1',
  HFYU: 'HuffYUV', mpg2: 'MPEG-2', MJPG: 'Motion JPEG', XVID: 'Xvid', DIVX: 'DivX', H264: 'H.264',
});
const codecName = (id: string) => CODEC_NAMES[id] ?? id;

/** True when `part` holds an MP4 handler box (hdlr) of type `handler` ('vide', 'soun'). */
function hasHandler(part: Uint8Array, handler: string): boolean {
  for (let h = indexOf(part, ascii(handler)); h !== -1; h = indexOf(part, ascii(handler), h + 1)) {
    if (h >= 12 && text(part, h - 12, 4) === 'hdlr') return true;
  }
  return false;
}

/** MP4 track handlers of subtitles: 'sbtl' (mov_text in MP4), 'text' (QuickTime text), 'subt' (WebVTT/TTML in MP4). */
const MP4_SUBTITLE_HANDLERS = Object.freeze(['sbtl', 'text', 'subt']);

/** True when `part` holds a complete moov box (its 32-bit size fits in the bytes read). */
function wholeIndex(part: Uint8Array): boolean {
  const i = indexOf(part, ascii('moov'));
  if (i < 4) return false;
  const size = (((part[i - 4] ?? 0) << 24) >>> 0) + ((part[i - 3] ?? 0) << 16) + ((part[i - 2] ?? 0) << 8) + (part[i - 1] ?? 0);
  return size >= 8 && i - 4 + size <= part.length;
}

/** Matroska CodecID strings starting with `prefix`: element 0x86, a one-byte size, then the text. */
function codecIds(head: Uint8Array, prefix: string): string[] {
  const out: string[] = [];
  for (let i = indexOf(head, ascii(prefix)); i !== -1; i = indexOf(head, ascii(prefix), i + 2)) {
    const size = head[i - 1] ?? 0;
    if (head[i - 2] !== 0x86 || size < 0x81 || size > 0xc0) continue;
    const id = text(head, i, size & 0x7f);
    if (printable(id)) out.push(id);
  }
  return out;
}

/** Sniffs `head` (the file's first bytes) and `tail` (its last bytes; may overlap head). */
export function sniffBytes(head: Uint8Array, tail: Uint8Array): ContainerInfo {
  const none: ContainerInfo = { container: 'unknown', hasVideoTrack: false, videoCodec: null, missingIndex: false, hasAudioTrack: null, textSubtitles: false };
  if (head.length >= 12 && text(head, 4, 4) === 'ftyp') {
    const moov = indexOf(head, ascii('moov')) !== -1 || indexOf(tail, ascii('moov')) !== -1;
    const info: ContainerInfo = {
      container: 'mp4', hasVideoTrack: false, videoCodec: null, missingIndex: !moov, hasAudioTrack: null,
      textSubtitles: MP4_SUBTITLE_HANDLERS.some((h) => hasHandler(head, h) || hasHandler(tail, h)),
    };
    // The index lists each track's handler. A sound handler in the bytes read means audio; its
    // absence means none only when the whole index was read (a long file's index can exceed 1 MB).
    if ([head, tail].some((part) => hasHandler(part, 'soun'))) info.hasAudioTrack = true;
    else if ([head, tail].some(wholeIndex)) info.hasAudioTrack = false;
    for (const part of [head, tail]) {
      // hdlr: size 'hdlr' version/flags pre_defined handler_type ('vide')
      let h = indexOf(part, ascii('vide'));
      while (h !== -1 && !(h >= 12 && text(part, h - 12, 4) === 'hdlr')) h = indexOf(part, ascii('vide'), h + 1);
      if (h !== -1) info.hasVideoTrack = true;
      const stsd = h !== -1 ? indexOf(part, ascii('stsd'), h) : -1;
      if (stsd !== -1 && stsd + 20 <= part.length) {
        const fourcc = text(part, stsd + 16, 4);
        if (printable(fourcc)) info.videoCodec = codecName(fourcc.trim());
      }
      if (info.hasVideoTrack) break;
    }
    return info;
  }
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    const info: ContainerInfo = {
      container: 'matroska', hasVideoTrack: false, videoCodec: null, missingIndex: false, hasAudioTrack: null,
      textSubtitles: codecIds(head, 'S_TEXT/').length > 0 || codecIds(head, 'D_WEBVTT/').length > 0,
    };
    // Audio CodecIDs ("A_AAC", "A_MPEG/L3", ...) sit in the track entries near the start; a
    // Matroska file whose tracks are not in the first bytes says nothing either way.
    if (codecIds(head, 'A_').length) info.hasAudioTrack = true;
    const video = codecIds(head, 'V_')[0];
    if (video) {
      info.hasVideoTrack = true;
      info.videoCodec = codecName(video);
    }
    return info;
  }
  if (head.length >= 12 && text(head, 0, 4) === 'RIFF' && text(head, 8, 4) === 'AVI ') {
    const info: ContainerInfo = { container: 'avi', hasVideoTrack: false, videoCodec: null, missingIndex: false, hasAudioTrack: false, textSubtitles: false };
    for (let i = indexOf(head, ascii('strh')); i !== -1; i = indexOf(head, ascii('strh'), i + 4)) {
      if (text(head, i + 8, 4) === 'auds') info.hasAudioTrack = true;
    }
    const strh = indexOf(head, ascii('strhvids'.slice(0, 4)));
    // strh: 'strh' size(4) fccType('vids') fccHandler(4)
    for (let i = strh; i !== -1; i = indexOf(head, ascii('strh'), i + 4)) {
      if (text(head, i + 8, 4) !== 'vids') continue;
      info.hasVideoTrack = true;
      const handler = text(head, i + 12, 4);
      // The codec is in the stream format's biCompression (strf, 16 bytes in); fall back to the handler.
      const strf = indexOf(head, ascii('strf'), i);
      const compression = strf !== -1 ? text(head, strf + 8 + 16, 4) : '';
      const id = printable(compression) && compression.trim() ? compression : handler;
      info.videoCodec = printable(id) && id.trim() ? codecName(id.trim()) : null;
      break;
    }
    return info;
  }
  return none;
}

/** Reads at most 2 × SNIFF_BYTES of `file` and sniffs its container. */
export async function sniffContainer(file: Blob): Promise<ContainerInfo> {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const tail = file.size > SNIFF_BYTES ? new Uint8Array(await file.slice(Math.max(SNIFF_BYTES, file.size - SNIFF_BYTES)).arrayBuffer()) : new Uint8Array(0);
  return sniffBytes(head, tail);
}
