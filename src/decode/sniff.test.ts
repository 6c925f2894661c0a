import { execFileSync } from 'node:child_process';
import { existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      .toEqual({ container: 'mp4', hasVideoTrack: true, videoCodec: 'MPEG-4 Part 2', missingIndex: false, hasAudioTrack: false, textSubtitles: false });
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
  it('sees a text subtitle track in an MP4 index or a Matroska/WebM track list, not a picture one', () => {
    const ftyp = cat([0, 0, 0, 16], enc('ftypisom'), [0, 0, 0, 0]);
    const handler = (type: string) => cat([0, 0, 0, 33], enc('hdlr'), [0, 0, 0, 0], [0, 0, 0, 0], enc(type));
    expect(sniffBytes(cat(ftyp, enc('moov'), handler('vide'), handler('sbtl')), new Uint8Array(0)).textSubtitles).toBe(true);
    expect(sniffBytes(cat(ftyp, enc('mdat')), cat(enc('moov'), handler('text'))).textSubtitles).toBe(true);
    expect(sniffBytes(cat(ftyp, enc('moov'), handler('vide'), enc('sbtl')), new Uint8Array(0)).textSubtitles).toBe(false); // not a handler
    const ebml = [0x1a, 0x45, 0xdf, 0xa3];
    expect(sniffBytes(cat(ebml, [0x86, 0x8b], enc('S_TEXT/UTF8')), new Uint8Array(0)).textSubtitles).toBe(true);
    expect(sniffBytes(cat(ebml, [0x86, 0x92], enc('D_WEBVTT/SUBTITLES')), new Uint8Array(0)).textSubtitles).toBe(true);
    expect(sniffBytes(cat(ebml, [0x86, 0x88], enc('S_VOBSUB')), new Uint8Array(0)).textSubtitles).toBe(false);
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

  // Real files from the system ffmpeg: MP4 with mov_text, WebM with WebVTT, MKV with SubRip and ASS, and one without.
  const hasFfmpeg = (() => { try { execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  it.skipIf(!hasFfmpeg)('finds the subtitle tracks ffmpeg writes into MP4, WebM and MKV files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sniff-subs-'));
    try {
      writeFileSync(join(dir, 'a.srt'), '1\n00:00:00,200 --> 00:00:00,800\nhello\n');
      const make = (out: string, codecs: string[], subs = true) => execFileSync('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5:duration=1',
        '-f', 'lavfi', '-i', 'sine=duration=1', ...(subs ? ['-i', join(dir, 'a.srt'), '-map', '2:s'] : []), '-map', '0:v', '-map', '1:a',
        ...codecs, join(dir, out),
      ]);
      make('mov_text.mp4', ['-c:v', 'libx264', '-c:a', 'aac', '-c:s', 'mov_text']);
      make('webvtt.webm', ['-c:v', 'libvpx', '-c:a', 'libopus', '-c:s', 'webvtt']);
      make('srt.mkv', ['-c:v', 'libx264', '-c:a', 'aac', '-c:s', 'srt']);
      make('ass.mkv', ['-c:v', 'libx264', '-c:a', 'aac', '-c:s', 'ass']);
      make('none.mp4', ['-c:v', 'libx264', '-c:a', 'aac'], false);
      const sniff = (name: string) => {
        const bytes = new Uint8Array(readFileSync(join(dir, name)));
        return sniffBytes(bytes.subarray(0, SNIFF_BYTES), bytes.length > SNIFF_BYTES ? bytes.subarray(bytes.length - SNIFF_BYTES) : new Uint8Array(0));
      };
      for (const name of ['mov_text.mp4', 'webvtt.webm', 'srt.mkv', 'ass.mkv']) expect(sniff(name).textSubtitles, name).toBe(true);
      expect(sniff('none.mp4').textSubtitles).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
