#!/usr/bin/env node
// Makes the "camera" and "microphone" Chromium plays in live-mode tests
// (--use-file-for-fake-video-capture / --use-file-for-fake-audio-capture): a small .y4m video
// and a .wav from a real IEMOCAP dev clip (read from ../shared, never copied into the repo),
// looped to at least MIN_SECONDS, into e2e/.generated/ (git-ignored). Debian's ffmpeg.
// Chromium loops both files itself, so a short pair serves a 10-minute soak.
//   node scripts/make-fake-devices.mjs [clip-id]   -> prints the two paths as JSON
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED = join(root, 'e2e', '.generated');
export const CLIPS = resolve(root, '..', 'shared', 'data', 'iemocap_dev_av', 'clips');
/** Small enough to stay cheap (320 x 240 at 15 fps is about 1.7 MB a second of y4m). */
export const FAKE_VIDEO = Object.freeze({ width: 320, height: 240, fps: 15 });
const MIN_SECONDS = 10;

function probeSeconds(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const s = Number.parseFloat(out.trim());
  if (!Number.isFinite(s) || s <= 0) throw new Error(`cannot read the duration of ${file}`);
  return s;
}

/** The first dev clip in name order (as e2e/fixtures.ts), or `clipId`. */
export function defaultClipId() {
  if (!existsSync(CLIPS)) throw new Error(`Dev clips not found at ${CLIPS} (../shared/data/iemocap_dev_av).`);
  const clip = readdirSync(CLIPS).filter((f) => f.endsWith('.mp4')).sort()[0];
  if (!clip) throw new Error(`No .mp4 in ${CLIPS}`);
  return clip.replace(/\.mp4$/, '');
}

/** Writes (once; cached across runs) and returns `{ video, audio, seconds }`. */
export function makeFakeDevices(clipId = defaultClipId()) {
  mkdirSync(GENERATED, { recursive: true });
  const { width, height, fps } = FAKE_VIDEO;
  const video = join(GENERATED, `${clipId}-fake-${width}x${height}.y4m`);
  const audio = join(GENERATED, `${clipId}-fake.wav`);
  const source = join(CLIPS, `${clipId}.mp4`);
  const seconds = probeSeconds(source);
  const loops = Math.max(0, Math.ceil(MIN_SECONDS / seconds) - 1);
  const total = (loops + 1) * seconds;
  const common = ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(loops), '-i', source, '-t', total.toFixed(3)];
  if (!existsSync(video)) {
    execFileSync('ffmpeg', [...common, '-an', '-vf', `scale=${width}:${height},fps=${fps}`, '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', video]);
  }
  if (!existsSync(audio)) {
    // 48 kHz mono 16-bit PCM: what Chromium's fake audio device reads without surprises.
    execFileSync('ffmpeg', [...common, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', audio]);
  }
  return { video, audio, seconds: total };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(makeFakeDevices(process.argv[2] || undefined)));
}
