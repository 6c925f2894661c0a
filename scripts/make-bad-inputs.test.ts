// The bad-input corpus generator: makes the cheap cases (about a second each) into
// e2e/.generated/bad and checks with ffprobe that each file is the kind of broken it claims to be.
// The expensive cases (two faces, 4K, one hour) are made by the end-to-end tests or by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, CLIPS, DEFAULT_OUT, makeBadInputs, OVER_LIMIT, parseArgs, TWO_GB } from './make-bad-inputs.mjs';

const haveFfmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg && command -v ffprobe'], { stdio: 'ignore' }).status === 0;
const haveClips = existsSync(CLIPS);

interface Stream { codec_type: string; codec_name?: string; width?: number; height?: number; side_data_list?: { rotation?: number }[] }
const probe = (file: string): { streams: Stream[] } | null => {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout) : null;
};
const types = (file: string) => probe(file)?.streams.map((s) => s.codec_type).sort() ?? null;
const video = (file: string) => probe(file)?.streams.find((s) => s.codec_type === 'video');
const audio = (file: string) => probe(file)?.streams.find((s) => s.codec_type === 'audio');
/** Mean luma (0-255) of the frame at 1 s. */
const meanLuma = (file: string) => {
  const gray = execFileSync('ffmpeg', ['-v', 'error', '-ss', '1', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  return gray.reduce((a, b) => a + b, 0) / gray.length;
};
const maxVolumeDb = (file: string) => {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /max_volume: (-?[\d.]+|-inf) dB/.exec(r.stderr);
  return m ? (m[1] === '-inf' ? -Infinity : Number(m[1])) : null;
};

describe('command line', () => {
  it('reads the options, with the default folder and all cases', () => {
    expect(parseArgs([])).toEqual({ out: DEFAULT_OUT, only: null, cheap: false, force: false, json: false, help: false });
    expect(parseArgs(['--out', 'x', '--only', 'zero-byte,truncated', '--cheap', '--force', '--json']))
      .toEqual({ out: join(process.cwd(), 'x'), only: ['zero-byte', 'truncated'], cheap: true, force: true, json: true, help: false });
    expect(parseArgs(['--out=x', '--only=zero-byte']).only).toEqual(['zero-byte']);
    expect(parseArgs(['-h']).help).toBe(true);
  });
  it('refuses unknown options and cases, and options without their value', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/^Unknown option --fast; valid are --out, --only/);
    expect(() => parseArgs(['--only', 'zero-byte,nope'])).toThrow(/^unknown case nope\. Valid: zero-byte, /);
    expect(() => parseArgs(['--out'])).toThrow('--out needs a value.');
    expect(() => parseArgs(['--only'])).toThrow('--only needs a value.');
    expect(() => parseArgs(['stray'])).toThrow('Unexpected argument stray.');
  });
});

// ffprobe on each file: a few seconds under load, over vitest's 5 s default.
describe.skipIf(!haveFfmpeg)('make-bad-inputs (cheap cases)', { timeout: 60_000 }, () => {
  const out = DEFAULT_OUT;
  const path = (name: string) => join(out, CASES.find((c: { name: string }) => c.name === name).file);
  let rows: { name: string; status: string }[] = [];

  beforeAll(() => {
    rows = makeBadInputs({ out, cheap: true });
  }, 120_000);

  it('makes every cheap case (clip cases are skipped only without ../shared)', () => {
    const cheap = CASES.filter((c: { cheap: boolean }) => c.cheap);
    expect(rows.map((r) => r.name)).toEqual(cheap.map((c: { name: string }) => c.name));
    for (const r of rows) {
      expect(r.status, r.name).toMatch(haveClips ? /^(made|up to date)$/ : /^(made|up to date|skipped)/);
    }
    // Every case of issue 7 is in the corpus.
    const names = CASES.map((c: { name: string }) => c.name);
    for (const n of ['zero-byte', 'truncated', 'text-renamed', 'audio-only', 'video-only', 'silent-audio', 'no-face', 'two-faces',
      'very-dark', 'rotated-90', 'variable-frame-rate', '4k', 'one-hour', 'codec-unknown-avi', 'two-gb']) expect(names).toContain(n);
  });

  it('is idempotent: a second run keeps every file', () => {
    const again = makeBadInputs({ out, cheap: true });
    for (const r of again) expect(r.status, r.name).toMatch(/^(up to date|skipped)/);
  }, 60_000);

  it('zero-byte, text-renamed and unknown-codec files are what they claim', () => {
    expect(statSync(path('zero-byte')).size).toBe(0);
    expect(probe(path('text-renamed'))).toBeNull();
    expect(video(path('codec-unknown-avi'))?.codec_name ?? 'unknown').toBe('unknown');
  });

  describe.skipIf(!haveClips)('cases cut from the dev clip', () => {
    it('truncated: no index; truncated-faststart: index but half the data', () => {
      expect(probe(path('truncated'))).toBeNull();
      expect(types(path('truncated-faststart'))).toEqual(['audio', 'video']);
    });
    it('audio only, video only, silent audio', () => {
      expect(types(path('audio-only'))).toEqual(['audio']);
      expect(types(path('video-only'))).toEqual(['video']);
      expect(types(path('silent-audio'))).toEqual(['audio', 'video']);
      expect(maxVolumeDb(path('silent-audio'))).toBeLessThan(-80);
    });
    it('no face (test pattern) and very dark', () => {
      expect(video(path('no-face'))).toMatchObject({ width: 640, height: 480 });
      expect(meanLuma(path('very-dark'))).toBeLessThan(12);
    });
    it('rotated: stored sideways with a -90° display matrix', () => {
      const v = video(path('rotated-90'));
      expect(v).toMatchObject({ width: 480, height: 640 });
      expect(v?.side_data_list?.some((d) => d.rotation === -90)).toBe(true);
    });
    it('variable frame rate: frame durations differ', () => {
      const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path('variable-frame-rate')])
        .toString().trim().split('\n').map(Number).sort((a, b) => a - b);
      const gaps = new Set(pts.slice(1).map((t, i) => Math.round((t - pts[i]!) * 1000)));
      expect(gaps.size).toBeGreaterThan(1);
    });
    it('codecs the browser cannot play: MPEG-2 in MKV, HuffYUV in AVI', () => {
      expect(video(path('codec-mpeg2-mkv'))?.codec_name).toBe('mpeg2video');
      expect(audio(path('codec-mpeg2-mkv'))?.codec_name).toBe('mp3');
      expect(video(path('codec-huffyuv-avi'))?.codec_name).toBe('huffyuv');
    });
    it('2 GB and over-limit files are sparse: valid media at the start, no disk used for the padding', () => {
      for (const [name, size] of [['two-gb', TWO_GB], ['over-size-limit', OVER_LIMIT]] as const) {
        const st = statSync(path(name));
        expect(st.size).toBe(size);
        expect(st.blocks * 512).toBeLessThan(16 * 1024 * 1024);
        expect(types(path(name))).toEqual(['audio', 'video']);
      }
    });
  });
});
