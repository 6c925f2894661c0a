import { existsSync, fstatSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffBytes } from './sniff';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('sniffBytes', () => {
  it('finds an MP4 video track, its codec, and a missing index', () => {
    const ftyp = cat([0, 0, 0, 16], enc('ftypisom'), [0, 0, 0, 0]);
    const hdlr = cat([0, 0, 0, 33], enc('hdlr'), [0, 0, 0, 0], [0, 0, 0, 0], enc('vide'));
    const stsd = cat([0, 0, 0, 40], enc('stsd'), [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 24], enc('mp4v'));
    const moov = (...boxes: Uint8Array[]) => {
      const body = cat(...boxes);
      const n = body.length + 8;
      return cat([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255], enc('moov'), body);
    };
    expect(sniffBytes(cat(ftyp, moov(hdlr, stsd)), new Uint8Array(0)))
      .toEqual({ container: 'mp4', hasVideoTrack: true, videoCodec: 'MPEG-4 Part 2', missingIndex: false, hasAudioTrack: false });
    // An index cut off by the bytes read says nothing about audio.
    expect(sniffBytes(cat(ftyp, moov(hdlr, stsd)).subarray(0, 60), new Uint8Array(0)).hasAudioTrack).toBe(null);
    const soun = cat([0, 0, 0, 33], enc('hdlr'), [0, 0, 0, 0], [0, 0, 0, 0], enc('soun'));
    expect(sniffBytes(cat(ftyp, moov(hdlr, stsd, soun)), new Uint8Array(0)).hasAudioTrack).toBe(true);
    expect(sniffBytes(cat(ftyp, enc('mdat')), new Uint8Array(0)).missingIndex).toBe(true);
    expect(sniffBytes(cat(ftyp, enc('mdat')), enc('moov')).missingIndex).toBe(false);
  });
  it('reads a Matroska CodecID and an AVI stream header', () => {
    const mkv = cat([0x1a, 0x45, 0xdf, 0xa3], [0x86, 0x87], enc('V_MPEG2'));
    expect(sniffBytes(mkv, new Uint8Array(0))).toMatchObject({ container: 'matroska', hasVideoTrack: true, videoCodec: 'MPEG-2' });
    const avi = cat(enc('RIFF'), [0, 0, 0, 0], enc('AVI '), enc('strh'), [56, 0, 0, 0], enc('vidsZZZZ'));
    expect(sniffBytes(avi, new Uint8Array(0))).toMatchObject({ container: 'avi', hasVideoTrack: true, videoCodec: 'ZZZZ' });
  });
  it('says nothing about text or empty files', () => {
    expect(sniffBytes(enc('hello, this is not a video'), new Uint8Array(0)).container).toBe('unknown');
    expect(sniffBytes(new Uint8Array(0), new Uint8Array(0)).hasVideoTrack).toBe(false);
  });

  // The generated bad-input corpus (scripts/make-bad-inputs.mjs), when it has been made.
  const dir = join(__dirname, '..', '..', 'e2e', '.generated', 'bad');
  const read = (name: string) => {
    const fd = openSync(join(dir, name), 'r');
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
      readSync(fd, head, 0, head.length, 0);
      const n = size > SNIFF_BYTES ? Math.min(SNIFF_BYTES, size - SNIFF_BYTES) : 0;
      const tail = Buffer.alloc(n);
      if (n) readSync(fd, tail, 0, n, size - n);
      return sniffBytes(new Uint8Array(head), new Uint8Array(tail));
    } finally {
      closeSync(fd);
    }
  };
  it.skipIf(!existsSync(join(dir, 'codec-mpeg2.mkv')))('classifies the bad-input corpus', () => {
    expect(read('codec-mpeg2.mkv')).toMatchObject({ hasVideoTrack: true, videoCodec: 'MPEG-2' });
    expect(read('codec-huffyuv.avi')).toMatchObject({ hasVideoTrack: true, videoCodec: 'HuffYUV' });
    expect(read('codec-unknown.avi')).toMatchObject({ hasVideoTrack: true, videoCodec: 'ZZZZ' });
    expect(read('truncated.mp4')).toMatchObject({ container: 'mp4', missingIndex: true });
    expect(read('truncated-faststart.mp4')).toMatchObject({ hasVideoTrack: true, missingIndex: false, videoCodec: 'H.264' });
    expect(read('audio-only.mp4')).toMatchObject({ container: 'mp4', hasVideoTrack: false, hasAudioTrack: true });
    expect(read('video-only.mp4')).toMatchObject({ hasVideoTrack: true, videoCodec: 'H.264', hasAudioTrack: false });
    expect(read('codec-mpeg2.mkv').hasAudioTrack).toBe(true);
    expect(read('codec-huffyuv.avi').hasAudioTrack).toBe(true);
    expect(read('text-renamed.mp4').container).toBe('unknown');
  });
});
