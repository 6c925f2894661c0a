#!/usr/bin/env node
// The bad-input corpus of issue 7, made with Debian's ffmpeg at test time (nothing binary is
// committed): broken, odd and huge files that the app and `npm run analyze` must answer with a
// result that marks the missing modality or with a specific message — never a hang or a blank
// page. Sources: the first IEMOCAP dev clip in ../shared/data/iemocap_dev_av (a real face and
// voice) and ffmpeg's synthetic testsrc/sine/anullsrc. e2e/bad-inputs.md lists each case and
// the outcome the app should show.
//
//   node scripts/make-bad-inputs.mjs [--out DIR] [--only a,b] [--cheap] [--force] [--json]
//
// --out     output folder (default e2e/.generated/bad)
// --only    comma-separated case names
// --cheap   only the cases that take about a second or less (what the unit test makes)
// --force   remake files even when they are up to date
// Idempotent: a file newer than this script (and than its source clip) is kept. Writes
// DIR/index.json ({ name, file, bytes, expect }) for the end-to-end tests, and prints a table.
import { execFileSync } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync,
  writeFileSync, writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, UsageError, usageFailure } from './lib/cli.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const root = resolve(dirname(SCRIPT), '..');
export const CLIPS = resolve(root, '..', 'shared', 'data', 'iemocap_dev_av', 'clips');
export const DEFAULT_OUT = join(root, 'e2e', '.generated', 'bad');

/** 2,000,000,000 bytes: "2 GB" as a file manager shows it, just under the app's 2 GiB limit. */
export const TWO_GB = 2_000_000_000;
/** Just over the app's limit (MAX_FILE_BYTES = 2 GiB in src/pipeline/engine.ts). */
export const OVER_LIMIT = 2 * 1024 ** 3 + 1024 ** 2;

const FF = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-pix_fmt', 'yuv420p'];
const AAC = ['-c:a', 'aac', '-b:a', '64k', '-ac', '1', '-ar', '44100'];

const ffmpeg = (args) => execFileSync('ffmpeg', [...FF, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

/** The dev clips in name order (the first is also the e2e test clip); [] when ../shared is absent. */
function devClips() {
  if (!existsSync(CLIPS)) return [];
  return readdirSync(CLIPS).filter((f) => f.endsWith('.mp4')).sort().map((f) => join(CLIPS, f));
}

/** Intermediate files shared by several cases live in DIR/.src (also idempotent). */
function sources(out) {
  const dir = join(out, '.src');
  mkdirSync(dir, { recursive: true });
  const clips = devClips();
  const first = clips[0];
  // A second speaker for the two-faces case: the first clip of the other session half (F vs M).
  const other = clips.find((c) => first && c.split('/').pop().slice(0, 6) !== first.split('/').pop().slice(0, 6)) ?? clips[1];
  const cached = (name, make) => {
    const file = join(dir, name);
    if (!existsSync(file)) {
      const tmp = `${file}.part${name.slice(name.lastIndexOf('.'))}`;
      make(tmp);
      renameSync(tmp, file);
    }
    return file;
  };
  return {
    haveClips: Boolean(first),
    clipA: first ?? null,
    clipB: other ?? null,
    /** The first 4 s (or less) of the clip, 640x480 H.264 + AAC, moov at the end (as cameras write it). */
    base: () => cached('base.mp4', (f) => ffmpeg(['-i', first, '-t', '4', ...H264, '-r', '25', ...AAC, f])),
    /** The same with the index first (as web-optimised files are). */
    baseFaststart: () => cached('base-faststart.mp4', (f) => ffmpeg(['-i', first, '-t', '4', ...H264, '-r', '25', ...AAC, '-movflags', '+faststart', f])),
  };
}

const mb = (n) => n * 1024 * 1024;

/**
 * A long file made in seconds: a ~10 s piece of the clip at 160x120, 5 fps, 24 kb/s mono AAC,
 * looped to `seconds` with `-stream_loop` and `-c copy` (remux only; each join leaves a small gap
 * in the audio timestamps, as spliced files have).
 */
function loopedPiece(f, s, seconds) {
  const piece = join(dirname(f), '.src', 'piece-10s-160x120.mp4');
  if (!existsSync(piece)) {
    ffmpeg(['-stream_loop', '4', '-i', s.base(), '-t', '10', '-vf', 'scale=160:120', '-r', '5', ...H264, '-g', '50', '-c:a', 'aac', '-b:a', '24k', '-ac', '1', '-ar', '16000', `${piece}.part.mp4`]);
    renameSync(`${piece}.part.mp4`, piece);
  }
  const loops = Math.ceil(seconds / probeSeconds(piece));
  ffmpeg(['-stream_loop', String(loops), '-i', piece, '-t', String(seconds), '-c', 'copy', '-movflags', '+faststart', f]);
}

/**
 * Every case of issue 7. `cheap`: made in about a second (the unit test makes these);
 * `clip`: needs the dev clips. `expect` is the user-facing outcome (e2e/bad-inputs.md explains).
 */
export const CASES = Object.freeze([
  {
    name: 'zero-byte', file: 'zero-byte.mp4', cheap: true, clip: false,
    how: 'an empty file',
    expect: 'message: the file is empty (0 bytes); choose another file',
    make: (f) => writeFileSync(f, ''),
  },
  {
    name: 'text-renamed', file: 'text-renamed.mp4', cheap: true, clip: false,
    how: 'a plain-text file named .mp4',
    expect: 'message: neither the browser nor ffmpeg.wasm can decode it; try an MP4 (H.264/AAC) or WebM video',
    make: (f) => writeFileSync(f, 'This is a text file with an .mp4 name, not a video.\n'.repeat(200)),
  },
  {
    name: 'truncated', file: 'truncated.mp4', cheap: true, clip: true,
    how: 'the first 60% of a short MP4 whose index (moov) is at the end: no index survives',
    expect: 'message: the file looks damaged or incomplete (its index is missing)',
    make: (f, s) => copyPrefix(s.base(), f, 0.6),
  },
  {
    name: 'truncated-faststart', file: 'truncated-faststart.mp4', cheap: true, clip: true,
    how: 'the first 50% of a short faststart MP4: the index promises the whole clip, the data stops halfway',
    expect: 'result for the readable part, or a message that the file is incomplete; never a hang on seeking',
    make: (f, s) => copyPrefix(s.baseFaststart(), f, 0.5),
  },
  {
    name: 'audio-only', file: 'audio-only.mp4', cheap: true, clip: true,
    how: 'the clip\'s AAC track alone in an MP4 (no video stream)',
    expect: 'result with visual marked missing (no video)',
    make: (f, s) => ffmpeg(['-i', s.base(), '-vn', '-c:a', 'copy', f]),
  },
  {
    name: 'video-only', file: 'video-only.mp4', cheap: true, clip: true,
    how: 'the clip\'s H.264 track alone (no audio stream)',
    expect: 'result with audio marked missing (no audio track)',
    make: (f, s) => ffmpeg(['-i', s.base(), '-an', '-c:v', 'copy', f]),
  },
  {
    name: 'silent-audio', file: 'silent-audio.mp4', cheap: true, clip: true,
    how: 'the clip\'s video with an AAC track of digital silence (anullsrc)',
    expect: 'result with audio marked missing (silent: every segment below -50 dBFS)',
    make: (f, s) => ffmpeg(['-i', s.base(), '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', ...AAC, '-shortest', f]),
  },
  {
    name: 'no-face', file: 'no-face.mp4', cheap: true, clip: true,
    how: 'ffmpeg testsrc2 pattern (640x480) with the clip\'s speech',
    expect: 'result with visual marked missing (no face found)',
    make: (f, s) => ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=640x480:r=25', '-i', s.base(), '-map', '0:v', '-map', '1:a', '-t', '4', ...H264, '-c:a', 'copy', '-shortest', f]),
  },
  {
    name: 'two-faces', file: 'two-faces.mp4', cheap: false, clip: true,
    how: 'two dev clips (different speakers) side by side with hstack, 1280x480, audio of the first',
    expect: 'result; the most prominent (largest) face per segment is analysed',
    make: (f, s) => ffmpeg(['-i', s.clipA, '-i', s.clipB, '-t', '4', '-filter_complex', '[0:v]scale=640:480,setsar=1[a];[1:v]scale=640:480,setsar=1[b];[a][b]hstack=inputs=2[v]', '-map', '[v]', '-map', '0:a', ...H264, '-r', '25', ...AAC, f]),
  },
  {
    name: 'very-dark', file: 'very-dark.mp4', cheap: true, clip: true,
    how: 'the clip with luma scaled to 6% (lutyuv y=val*0.06): nearly black',
    expect: 'result; visual likely marked missing (no face found in the dark), audio present',
    make: (f, s) => ffmpeg(['-i', s.base(), '-vf', 'lutyuv=y=val*0.06', ...H264, '-c:a', 'copy', f]),
  },
  {
    name: 'rotated-90', file: 'rotated-90.mp4', cheap: true, clip: true,
    how: 'phone-style: frames stored turned 90° counter-clockwise (480x640) with a display matrix that turns them 90° clockwise (as an iPhone writes; ffprobe: rotation=-90), so players show it upright (640x480)',
    expect: 'result with the face found (the browser applies the rotation when drawing frames)',
    make: (f, s) => {
      const tmp = `${f}.sideways.mp4`;
      ffmpeg(['-i', s.base(), '-vf', 'transpose=cclock', ...H264, '-c:a', 'copy', tmp]);
      // ffmpeg 5.1's rotate tag is counter-clockwise: 270 = the clockwise quarter turn phones record.
      ffmpeg(['-i', tmp, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', f]);
      rmSync(tmp, { force: true });
    },
  },
  {
    name: 'variable-frame-rate', file: 'variable-frame-rate.mp4', cheap: true, clip: true,
    how: 'the clip at 25 fps for the first half of every second and about 8 fps for the second half (frames dropped, timestamps kept: -vsync vfr)',
    expect: 'result as for the original clip (frames are picked by time, not by index)',
    make: (f, s) => ffmpeg(['-i', s.base(), '-vf', "select='lt(mod(t\\,1)\\,0.5)+not(mod(n\\,3))'", '-vsync', 'vfr', ...H264, '-c:a', 'copy', f]),
  },
  {
    name: '4k', file: '4k.mp4', cheap: false, clip: true,
    how: 'the clip as displayed (square pixels), scaled to 2160 px high and pillarboxed to 3840x2160, 2 s at 10 fps (H.264 level 5.1); stretching it to 16:9 instead distorts the face past recognition',
    expect: 'result (frames are scaled down to at most 1920 px before face detection)',
    make: (f, s) => ffmpeg(['-i', s.base(), '-t', '2', '-vf', 'scale=iw*sar:ih,setsar=1,scale=-2:2160,pad=3840:2160:(ow-iw)/2:0,setsar=1', '-r', '10', ...H264, '-c:a', 'copy', f]),
  },
  {
    name: 'codec-mpeg2-mkv', file: 'codec-mpeg2.mkv', cheap: true, clip: true,
    how: 'MPEG-2 video + MP3 in Matroska: Chromium cannot decode MPEG-2 video, ffmpeg.wasm\'s core can',
    expect: 'result through the ffmpeg.wasm fallback for the video (MPEG-2), the browser for the sound: audio and face present',
    make: (f, s) => ffmpeg(['-i', s.base(), '-c:v', 'mpeg2video', '-q:v', '6', '-c:a', 'libmp3lame', '-b:a', '64k', f]),
  },
  {
    name: 'codec-huffyuv-avi', file: 'codec-huffyuv.avi', cheap: true, clip: true,
    how: 'HuffYUV video + 16-bit PCM in AVI (2 s, 320x240): neither stream is decodable by Chromium\'s <video>; ffmpeg.wasm\'s core decodes both',
    expect: 'result through the ffmpeg.wasm fallback (HuffYUV + PCM): audio and face present',
    make: (f, s) => ffmpeg(['-i', s.base(), '-t', '2', '-vf', 'scale=320:240', '-c:v', 'huffyuv', '-c:a', 'pcm_s16le', f]),
  },
  {
    name: 'codec-unknown-avi', file: 'codec-unknown.avi', cheap: true, clip: false,
    how: 'a HuffYUV AVI whose codec FourCC is overwritten with "ZZZZ": no decoder anywhere knows it',
    expect: 'message: the video format (ZZZZ) is readable by neither the browser nor ffmpeg.wasm; convert to MP4 (H.264/AAC)',
    make: (f) => {
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=10', '-f', 'lavfi', '-i', 'sine=f=440:r=16000', '-t', '2', '-c:v', 'huffyuv', '-c:a', 'pcm_s16le', f]);
      patchFourcc(f, 'HFYU', 'ZZZZ');
    },
  },
  {
    name: 'one-hour', file: 'one-hour.mp4', cheap: false, clip: true,
    how: 'a ~10 s piece of the clip at 160x120, 5 fps, 24 kb/s mono AAC, looped to 3600 s with -stream_loop and -c copy (remux only: a few seconds to make, ~15 MB)',
    expect: 'analysed: streams in 118 windows of 32 segments with progress (window k of n, segments, time left); Cancel stops it within seconds (a whole run takes minutes)',
    make: (f, s) => loopedPiece(f, s, 3600),
  },
  {
    name: 'over-length-limit', file: 'over-length-limit.mp4', cheap: false, clip: true,
    how: 'the same piece looped to 3 h 10 min (11,400 s), remux only (~55 MB)',
    expect: 'message at once: the file is 3 hours 10 minutes long; this version analyses up to 3 hours; cut it into parts',
    make: (f, s) => loopedPiece(f, s, 11_400),
  },
  {
    name: 'two-gb', file: 'two-gb.mp4', cheap: true, clip: true,
    how: `the short faststart MP4 padded with zero bytes to ${TWO_GB.toLocaleString('en-US')} bytes (a sparse file: instant, ~no disk)`,
    expect: 'result for the 3 s of real media: the file is never read whole (audio through ffmpeg.wasm WORKERFS, frames through <video>)',
    make: (f, s) => padSparse(s.baseFaststart(), f, TWO_GB),
  },
  {
    name: 'over-size-limit', file: 'over-size-limit.mp4', cheap: true, clip: true,
    how: `the same padded to ${OVER_LIMIT.toLocaleString('en-US')} bytes (2 GiB + 1 MiB, just over the app's limit)`,
    expect: 'message at once (before reading the file): the file is over the 2 GB limit',
    make: (f, s) => padSparse(s.baseFaststart(), f, OVER_LIMIT),
  },
]);

/** Container duration in seconds (ffprobe). */
export function probeSeconds(file) {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString().trim());
}

function copyPrefix(src, dst, fraction) {
  const data = readFileSync(src);
  writeFileSync(dst, data.subarray(0, Math.floor(data.length * fraction)));
}

/** `src` followed by zero bytes up to `size`: truncate() extends sparsely (no blocks written). */
function padSparse(src, dst, size) {
  writeFileSync(dst, readFileSync(src));
  truncateSync(dst, size);
}

/** Overwrites every `from` FourCC in the AVI headers (first 64 KB) with `to`. */
function patchFourcc(file, from, to) {
  const data = readFileSync(file);
  const head = data.subarray(0, Math.min(data.length, 65536));
  let at = head.indexOf(from, 0, 'latin1');
  let n = 0;
  const fd = openSync(file, 'r+');
  try {
    while (at >= 0) {
      writeSync(fd, Buffer.from(to, 'latin1'), 0, 4, at);
      n++;
      at = head.indexOf(from, at + 4, 'latin1');
    }
  } finally {
    closeSync(fd);
  }
  if (!n) throw new Error(`no ${from} FourCC found in ${file}`);
}

/** True when `file` exists and is newer than this script and every source it is made from. */
function upToDate(file, deps) {
  if (!existsSync(file)) return false;
  const t = statSync(file).mtimeMs;
  return [SCRIPT, ...deps].every((d) => !d || !existsSync(d) || statSync(d).mtimeMs <= t);
}

/**
 * Makes the corpus in `out`; returns one row per case: { name, file, bytes, status, seconds, expect, how }.
 * status: 'made' | 'up to date' | 'skipped: …' | 'failed: …'.
 */
export function makeBadInputs({ out = DEFAULT_OUT, only = null, cheap = false, force = false } = {}) {
  mkdirSync(out, { recursive: true });
  const s = sources(out);
  const rows = [];
  for (const c of CASES) {
    if (only && !only.includes(c.name)) continue;
    if (cheap && !c.cheap) continue;
    const file = join(out, c.file);
    const row = { name: c.name, file: c.file, bytes: 0, status: '', seconds: 0, expect: c.expect, how: c.how };
    const t0 = Date.now();
    if (c.clip && !s.haveClips) {
      row.status = `skipped: no dev clips at ${CLIPS}`;
    } else if (!force && upToDate(file, [s.clipA])) {
      row.status = 'up to date';
    } else {
      const tmp = join(out, `.part-${c.file}`);
      try {
        rmSync(tmp, { force: true });
        c.make(tmp, s);
        renameSync(tmp, file);
        row.status = 'made';
      } catch (e) {
        rmSync(tmp, { force: true });
        row.status = `failed: ${String(e.stderr ?? e.message ?? e).trim().split('\n').slice(-1)[0]}`;
      }
    }
    row.seconds = (Date.now() - t0) / 1000;
    if (existsSync(file)) row.bytes = statSync(file).size;
    rows.push(row);
  }
  const index = rows.filter((r) => existsSync(join(out, r.file))).map(({ name, file, bytes, expect }) => ({ name, file, bytes, expect }));
  writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return rows;
}

function formatBytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

function printTable(rows, out) {
  const header = ['case', 'file', 'size', 'status', 'time'];
  const body = rows.map((r) => [r.name, r.file, formatBytes(r.bytes), r.status, `${r.seconds.toFixed(1)} s`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`Bad-input corpus in ${relative(process.cwd(), out) || '.'}`);
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const b of body) console.log(line(b));
}

const USAGE = 'usage: node scripts/make-bad-inputs.mjs [--out DIR] [--only a,b] [--cheap] [--force] [--json]';
const OPTIONS = Object.freeze({
  out: { type: 'string' },
  only: { type: 'string' },
  cheap: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
});

/** The command line: { out, only, cheap, force, json, help }; bad usage throws a UsageError. */
export function parseArgs(argv) {
  const { values } = parseCommandLine(argv, OPTIONS);
  const opts = {
    out: values.out === undefined ? DEFAULT_OUT : resolve(values.out), only: values.only?.split(',') ?? null,
    cheap: values.cheap, force: values.force, json: values.json, help: values.help,
  };
  const unknown = (opts.only ?? []).filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length && !opts.help) throw new UsageError(`unknown case ${unknown.join(', ')}. Valid: ${CASES.map((c) => c.name).join(', ')}`);
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === SCRIPT) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.exit(usageFailure(e, 'make-bad-inputs', USAGE));
  }
  if (opts.help) {
    console.log(USAGE);
    console.log(`cases: ${CASES.map((c) => c.name).join(', ')}`);
    process.exit(0);
  }
  const rows = makeBadInputs(opts);
  if (opts.json) console.log(JSON.stringify(rows, null, 2));
  else printTable(rows, opts.out);
  process.exit(rows.some((r) => r.status.startsWith('failed')) ? 1 : 0);
}
