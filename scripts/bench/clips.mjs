// Benchmark inputs made with Debian's ffmpeg, cached in bench/.generated/ (git-ignored): 640 x 480
// H.264/AAC clips of a given length, concatenated from the IEMOCAP dev clips in name order (speech
// and a face throughout), with the transcript of the clips they contain; and, for live mode, a
// Y4M video and WAV audio for Chromium's fake capture devices.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../lib/app-browser.mjs';
import { readDevLabels } from '../lib/dev-labels.mjs';

export const GENERATED = join(ROOT, 'bench', '.generated');
export const DEV_CLIPS = resolve(ROOT, '..', 'shared', 'data', 'iemocap_dev_av', 'clips');

const ffprobeSeconds = (file) => Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());

/** The first dev clips (name order) whose durations add up to at least `seconds`. */
export function pickClips(durations, seconds) {
  const picked = [];
  let total = 0;
  for (const [name, d] of durations) {
    if (total >= seconds) break;
    picked.push(name);
    total += d;
  }
  if (total < seconds) throw new Error(`The dev clips add up to ${total.toFixed(1)} s, less than ${seconds} s.`);
  return picked;
}

const run = (args) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

/** {path, seconds, transcript} of a `seconds`-long 640 x 480 clip; made once, then reused. */
export function makeClip(seconds) {
  if (!existsSync(DEV_CLIPS)) throw new Error(`Dev clips not found at ${DEV_CLIPS} (../shared/data/iemocap_dev_av).`);
  mkdirSync(GENERATED, { recursive: true });
  const path = join(GENERATED, `clip-${seconds}s.mp4`);
  const meta = join(GENERATED, `clip-${seconds}s.json`);
  if (existsSync(path) && existsSync(meta)) return { path, ...JSON.parse(readFileSync(meta, 'utf8')) };
  const names = readdirSync(DEV_CLIPS).filter((f) => f.endsWith('.mp4')).sort();
  const durations = [];
  for (const n of names) {
    durations.push([n, ffprobeSeconds(join(DEV_CLIPS, n))]);
    if (durations.reduce((s, [, d]) => s + d, 0) >= seconds) break;
  }
  const picked = pickClips(durations, seconds);
  const inputs = picked.flatMap((n) => ['-i', join(DEV_CLIPS, n)]);
  const norm = picked.map((_, i) => `[${i}:v]scale=640:480,setsar=1,fps=30,format=yuv420p[v${i}];[${i}:a]aresample=44100,aformat=channel_layouts=stereo[a${i}]`).join(';');
  const concat = `${picked.map((_, i) => `[v${i}][a${i}]`).join('')}concat=n=${picked.length}:v=1:a=1[v][a]`;
  run([...inputs, '-filter_complex', `${norm};${concat}`, '-map', '[v]', '-map', '[a]', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', path]);
  const labels = new Map([...readDevLabels(join(DEV_CLIPS, '..', 'labels.csv'))].map(([id, row]) => [id, row.transcript]));
  const transcript = picked.map((n) => labels.get(n.replace(/\.mp4$/, '')) ?? '').filter(Boolean).join(' ');
  const info = { seconds: Math.round(ffprobeSeconds(path) * 1000) / 1000, transcript, sources: picked };
  writeFileSync(meta, JSON.stringify(info, null, 2));
  return { path, ...info };
}

/** {video, audio}: Y4M (640 x 480, 15 fps) and 16-bit WAV for --use-file-for-fake-*-capture. */
export function makeFakeDevices(clip) {
  const video = join(GENERATED, 'fake-camera.y4m');
  const audio = join(GENERATED, 'fake-microphone.wav');
  if (!existsSync(video)) run(['-i', clip, '-an', '-vf', 'scale=640:480,fps=15', '-pix_fmt', 'yuv420p', video]);
  if (!existsSync(audio)) run(['-i', clip, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', audio]);
  return { video, audio };
}
