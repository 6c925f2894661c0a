import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameShownAt, keyframeFor, planRuns, presentationTiming, readTrackTable, takeUpcoming, type CodedFrame } from './webcodecs';

/** `n` frames at `fps` in presentation order = decode order (no B-frames), keyframes every `gop`. */
function frames(n: number, fps: number, gop = n, timescale = fps * 512): { frames: CodedFrame[]; byPts: number[]; timescale: number } {
  const list = Array.from({ length: n }, (_, i) => ({
    units: i * (timescale / fps), us: Math.round((i * 1e6) / fps), isSync: i % gop === 0, offset: i * 100, size: 100,
  }));
  return { frames: list, byPts: list.map((_, i) => i), timescale };
}

describe('frameShownAt (the frame <video> shows after seeking)', () => {
  it('is the last frame presented at or before the time, the first before it', () => {
    const f = frames(90, 30);
    expect(frameShownAt(f.frames, f.byPts, 0.48, f.timescale)).toBe(14); // 14.4 frames
    expect(frameShownAt(f.frames, f.byPts, 2.4, f.timescale)).toBe(72); // exactly frame 72's start
    expect(frameShownAt(f.frames, f.byPts, 0, f.timescale)).toBe(0);
    expect(frameShownAt(f.frames, f.byPts, 99, f.timescale)).toBe(89);
  });
  it('truncates the seek time to microseconds as Chromium does: 5.28 s falls a hair before frame 132 at 25 fps', () => {
    const f = frames(250, 25);
    expect(Math.trunc(5.5 * 0.96 * 1e6)).toBe(5279999);
    expect(frameShownAt(f.frames, f.byPts, 5.5 * 0.96, f.timescale)).toBe(131);
  });
  it('shows the keyframe the demuxer\'s seek (in track units, rounded) lands on', () => {
    const f = frames(250, 25, 12); // frame 132 = 11 x 12 is a keyframe
    expect(frameShownAt(f.frames, f.byPts, 5.5 * 0.96, f.timescale)).toBe(132);
  });
  it('skips frames the edit list cuts off, and keeps B-frame order', () => {
    // Decode order I P B B, presentation I B B P; frame 0 cut off (before the edit's start).
    const list: CodedFrame[] = [0, 3, 1, 2].map((p, i) => ({ units: p, us: p * 40_000, isSync: i === 0, offset: i, size: 1 }));
    expect(frameShownAt(list, [2, 3, 1], 0.05, 25)).toBe(2);
    expect(frameShownAt(list, [0, 2, 3, 1], 0.1, 25)).toBe(3);
    expect(frameShownAt(list, [0, 2, 3, 1], 0.2, 25)).toBe(1);
  });
});

describe('decode runs', () => {
  it('starts at the keyframe before each wanted frame and continues a run when its keyframe is already passed', () => {
    const f = frames(100, 25, 30).frames;
    expect(keyframeFor(f, 29)).toBe(0);
    expect(keyframeFor(f, 30)).toBe(30);
    expect(planRuns(f, [10, 20, 40, 95, 40])).toEqual([{ from: 0, to: 20 }, { from: 30, to: 40 }, { from: 90, to: 95 }]);
    // One GOP: one run, however many frames are wanted in it.
    expect(planRuns(frames(100, 25).frames, [12, 36, 60, 84])).toEqual([{ from: 0, to: 84 }]);
  });
  it('decodes the next segments\' frames the last run reaches before its GOP ends, within the limit', () => {
    const f = frames(100, 25, 30).frames;
    const runs = planRuns(f, [5, 10]);
    expect(takeUpcoming(f, runs, [15, 20, 25, 32, 40], 10)).toEqual([15, 20, 25]);
    expect(runs).toEqual([{ from: 0, to: 25 }]);
    const capped = planRuns(f, [5]);
    expect(takeUpcoming(f, capped, [15, 20, 25], 1)).toEqual([15]);
    expect(capped).toEqual([{ from: 0, to: 15 }]);
    expect(takeUpcoming(f, [], [15], 10)).toEqual([]);
  });
  it('does not start at a keyframe presented after the wanted frame (an open GOP\'s leading frames)', () => {
    // Decode order I0 P3 I6' B4 B5: B4 and B5 are shown before I6' and need the earlier GOP.
    const list: CodedFrame[] = [0, 3, 6, 4, 5].map((p, i) => ({ units: p, us: p, isSync: i === 0 || i === 2, offset: i, size: 1 }));
    expect(keyframeFor(list, 3)).toBe(0);
    expect(keyframeFor(list, 2)).toBe(2);
  });
});

describe('presentationTiming (edit lists as libavformat applies them)', () => {
  it('reads no edit list, a B-frame shift, and ffmpeg\'s empty edit + shift', () => {
    expect(presentationTiming([], 1000, 30000)).toEqual({ delay: 0, mediaTime: 0, end: Infinity });
    expect(presentationTiming([{ segment_duration: 10_000, media_time: 1024, media_rate_integer: 1 }], 1000, 12800))
      .toEqual({ delay: 0, mediaTime: 1024, end: 128_000 });
    // The dev clips: 66 ms empty, then the track from 2002 (two frames of B-frame delay at 29.97 fps).
    expect(presentationTiming([{ segment_duration: 66, media_time: -1, media_rate_integer: 1 }, { segment_duration: 2870, media_time: 2002, media_rate_integer: 1 }], 1000, 30000))
      .toEqual({ delay: 1980, mediaTime: 2002, end: 1980 + 86_100 });
  });
  it('refuses what it does not model (then <video> is used)', () => {
    const play = { segment_duration: 100, media_time: 0, media_rate_integer: 1 };
    expect(presentationTiming([play, play], 1000, 1000)).toBeNull();
    expect(presentationTiming([{ ...play, media_rate_integer: 2 }], 1000, 1000)).toBeNull();
    expect(presentationTiming([{ ...play, media_time: -1 }], 1000, 1000)).toBeNull();
  });
});

const hasFfmpeg = (() => { try { execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const devClip = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'iemocap_dev_av', 'clips', 'Ses01F_impro01_M002.mp4');

/** Presentation times (us) of a file's video frames as libavformat gives them, in decode order. */
const ffprobeTimes = (path: string) => execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' })
  .trim().split('\n').map((line) => Math.round(Number(line) * 1e6));

describe.skipIf(!hasFfmpeg)('readTrackTable (mp4box.js) on files ffmpeg writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webcodecs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const make = (name: string, args: string[]) => {
    const out = join(dir, name);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
    return new Blob([readFileSync(out)]);
  };

  it('gives libavformat\'s frame times, keyframes and the decoder configuration (B-frames, audio, index at the end)', async () => {
    const file = make('b-frames.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '3',
      '-c:v', 'libx264', '-g', '12', '-bf', '2', '-pix_fmt', 'yuv420p', '-c:a', 'aac']);
    const table = await readTrackTable(file);
    if (!table.ok) throw new Error(table.why);
    expect(table.codec).toMatch(/^avc1\./);
    expect(table.description?.[0]).toBe(1); // avcC configurationVersion
    expect([table.codedWidth, table.codedHeight]).toEqual([160, 120]);
    expect(table.frames.map((f) => f.us)).toEqual(ffprobeTimes(join(dir, 'b-frames.mp4')));
    expect(table.frames.filter((f) => f.isSync)).toHaveLength(7);
    expect(table.byPts.map((i) => table.frames[i]!.us)).toEqual(Array.from({ length: 75 }, (_, i) => i * 40_000));
  });
  it('refuses a rotated track and a file that is not an MP4', async () => {
    make('plain.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const rotated = make('rotated.mp4', ['-i', join(dir, 'plain.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    expect(await readTrackTable(rotated)).toEqual({ ok: false, why: 'rotated or mirrored' });
    const webm = make('clip.webm', ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '1', '-c:v', 'libvpx']);
    expect((await readTrackTable(webm)).ok).toBe(false);
  });
  it('reads the index alone: zeros after it (a padded file) are never looked at, a file cut short is refused', async () => {
    const fast = make('fast.mp4', ['-i', join(dir, 'plain.mp4'), '-c', 'copy', '-movflags', '+faststart']); // plain.mp4: the test above
    const padded = new Blob([await fast.arrayBuffer(), new Uint8Array(4 << 20)]);
    const table = await readTrackTable(padded);
    expect(table.ok && table.frames.length).toBe(25);
    const cut = new Blob([(await fast.arrayBuffer()).slice(0, fast.size - 1000)]);
    expect(await readTrackTable(cut)).toEqual({ ok: false, why: 'cut short' });
  });
  it.skipIf(!existsSync(devClip))('gives libavformat\'s times on a dev clip (empty edit + B-frame shift)', async () => {
    const table = await readTrackTable(new Blob([readFileSync(devClip)]));
    if (!table.ok) throw new Error(table.why);
    expect(table.frames.map((f) => f.us)).toEqual(ffprobeTimes(devClip));
    expect(table.frames[table.byPts[0]!]!.us).toBe(66_000);
  });
});
