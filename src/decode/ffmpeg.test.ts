// The pure parts of the ffmpeg.wasm route (the decoding itself runs in the browser: e2e/bad-inputs.spec.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audioFilter, displaySize, frameFilter, monoFilter, parseProbe } from './ffmpeg';

// ffprobe's answers for files of the bad-input corpus (e2e/bad-inputs.md).
const PROBES = {
  mpeg2: '{"programs":[],"streams":[{"index":0,"codec_name":"mpeg2video","codec_type":"video","width":640,"height":480,"sample_aspect_ratio":"9:16","side_data_list":[{}]},{"index":1,"codec_name":"mp3","codec_type":"audio","channels":1}],"format":{"duration":"3.025000"}}',
  unknown: '{"programs":[],"streams":[{"index":0,"codec_type":"video","width":320,"height":240,"sample_aspect_ratio":"1:1"},{"index":1,"codec_name":"pcm_s16le","codec_type":"audio","channels":1}],"format":{"duration":"2.000000"}}',
  rotated: '{"programs":[],"streams":[{"index":0,"codec_name":"h264","codec_type":"video","width":480,"height":640,"sample_aspect_ratio":"16:9","side_data_list":[{"rotation":-90}]},{"index":1,"codec_name":"aac","codec_type":"audio","channels":2}],"format":{"duration":"3.000000"}}',
};

describe('parseProbe', () => {
  it('reads streams, codec, pixel aspect, rotation and duration', () => {
    expect(parseProbe(PROBES.mpeg2)).toEqual({
      seconds: 3.025,
      video: { codec: 'mpeg2video', width: 640, height: 480, pixelAspect: 9 / 16, rotation: 0, channels: 1 },
      audio: { codec: 'mp3', width: 0, height: 0, pixelAspect: 1, rotation: 0, channels: 1 },
    });
    expect(parseProbe(PROBES.rotated)?.video?.rotation).toBe(-90);
    expect(parseProbe(PROBES.rotated)?.audio?.channels).toBe(2);
  });
  it('marks a video codec ffmpeg does not know as null', () => {
    expect(parseProbe(PROBES.unknown)?.video?.codec).toBe(null);
  });
  it('is null for no streams or no JSON', () => {
    expect(parseProbe('{"streams":[]}')).toBe(null);
    expect(parseProbe('')).toBe(null);
    expect(parseProbe('[1,2')).toBe(null);
  });
});

describe('displaySize (the size <video> shows)', () => {
  it('makes tall pixels taller and wide pixels wider, as Chromium does', () => {
    expect(displaySize(parseProbe(PROBES.mpeg2)!.video!)).toEqual({ width: 640, height: 853 });
    expect(displaySize({ width: 640, height: 480, pixelAspect: 4 / 3, rotation: 0 })).toEqual({ width: 853, height: 480 });
  });
  it('applies the rotation before the pixel aspect (the phone clip shows upright at 640x853)', () => {
    expect(displaySize(parseProbe(PROBES.rotated)!.video!)).toEqual({ width: 640, height: 853 });
  });
  it('caps the longest side at 1920 like the fast path', () => {
    expect(displaySize({ width: 3840, height: 2160, pixelAspect: 1, rotation: 0 })).toEqual({ width: 1920, height: 1080 });
  });
});

describe('filters', () => {
  it('mono is the mean of the channels', () => {
    expect(monoFilter(1)).toBe(null);
    expect(monoFilter(2)).toBe('pan=mono|c0=0.5*c0+0.5*c1');
    expect(monoFilter(4)).toBe('pan=mono|c0=0.25*c0+0.25*c1+0.25*c2+0.25*c3');
  });
  it('lays the samples on the timestamps, so gaps in the audio do not shorten a window', () => {
    expect(audioFilter(1)).toBe('aresample=async=1:first_pts=0');
    expect(audioFilter(2)).toBe('pan=mono|c0=0.5*c0+0.5*c1,aresample=async=1:first_pts=0');
  });

  // The frame filter picks the frame <video> shows at each segment centre (the last frame at or
  // before it) and the last frame past the end: checked with Debian's ffmpeg on a clip whose
  // frame n has grey level n.
  const dir = mkdtempSync(join(tmpdir(), 'ffmpeg-frames-'));
  const haveFfmpeg = (() => { try { execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  it.skipIf(!haveFfmpeg)('picks the frame shown at each centre, and the last frame past the end', () => {
    const clip = join(dir, 'index.mkv');
    if (!existsSync(clip)) {
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', "color=black:s=16x16:r=25,format=gray,geq=lum='N'", '-t', '6', '-c:v', 'ffv1', clip]);
    }
    const levels = (seek: number, first: number, count: number) => {
      const out = execFileSync('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', ...(seek > 0 ? ['-ss', String(seek)] : []), '-t', String(first - seek + (count - 1) * 0.96 + 1), '-i', clip,
        '-vf', frameFilter(first - seek, 0.96, { width: 16, height: 16 }, (count + 1) * 0.96).replace('format=rgba', 'format=gray'),
        '-frames:v', String(count), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-',
      ]);
      return Array.from({ length: out.length / 256 }, (_, k) => out[k * 256]);
    };
    // 25 fps: centres 0.48, 1.44, 2.40, 3.36 are frames 12, 36, 60, 84.
    expect(levels(0, 0.48, 4)).toEqual([12, 36, 60, 84]);
    // A chunk later in the file (seek 1 s before its first centre), running past the end (frame 149).
    expect(levels(2.84, 3.84, 4)).toEqual([96, 120, 144, 149]);
  }, 60_000);
});
