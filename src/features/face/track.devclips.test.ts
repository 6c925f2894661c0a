// Measurement, not a gate (run on demand: FACE_TRACK_DEV=1 npx vitest run src/features/face/track.devclips.test.ts):
// the full view search (the old behaviour) against track-then-re-detect (track.ts) on the segment
// centres of the real dev clips (../shared/data/iemocap_dev_av, 72 clips) and the bench's
// concatenated clips (bench/.generated/clip-{10,60}s.mp4, when generated), frames decoded by
// Debian's ffmpeg at their displayed size, the detector under onnxruntime-node on 1 thread.
// Prints faces found, crop-box IoU, mean |pixel difference| of the crops, and where the time goes.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { detectFaces } from './detector';
import { alignFaceCrop, type CropParams } from './align';
import { iou, pickProminentFace } from './decode';
import { planViews, viewTensor, type View } from './views';
import { searchFace, type Box } from './track';
import type { RgbaImage } from './image';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'public/models/manifest.json'), 'utf8'));
const crop: CropParams = manifest.face.crop;
const minScore: number = manifest.face.min_score;
const segmentSeconds: number = manifest.audio.segment_seconds;
const WINDOW = 32; // WINDOW_SEGMENTS: the app re-detects fully at each window's first segment
const clipsDir = resolve(root, '../shared/data/iemocap_dev_av/clips');
const enabled = process.env.FACE_TRACK_DEV === '1' && existsSync(clipsDir);

function probe(file: string) {
  const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=width,height,sample_aspect_ratio,r_frame_rate', '-show_entries', 'format=duration', '-of', 'json', file], { encoding: 'utf8' }));
  const s = j.streams[0];
  const [sn, sd] = (s.sample_aspect_ratio && s.sample_aspect_ratio !== '0:1' ? s.sample_aspect_ratio : '1:1').split(':').map(Number);
  const [fn, fd] = s.r_frame_rate.split('/').map(Number);
  const width = Math.round((s.width * sn) / sd); // displayed width (IEMOCAP clips are 640 x 480 at SAR 9:16)
  return { width, height: s.height as number, fps: fn / fd, duration: Number(j.format.duration) };
}

/** The frames at the segment centres, at the displayed size (nearest earlier frame). */
function segmentFrames(file: string): RgbaImage[] {
  const { width, height, fps, duration } = probe(file);
  const count = Math.round(duration / segmentSeconds) || 1;
  const idx = Array.from({ length: count }, (_, k) => Math.floor((k + 0.5) * segmentSeconds * fps));
  const select = idx.map((n) => `eq(n\\,${n})`).join('+');
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select=${select},scale=${width}:${height}:flags=bilinear+accurate_rnd+full_chroma_int,setsar=1`,
    '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const n = Math.floor(rgb.length / (width * height * 3));
  return Array.from({ length: n }, (_, f) => {
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const q = 3 * (f * width * height + i);
      data[4 * i] = rgb[q]!; data[4 * i + 1] = rgb[q + 1]!; data[4 * i + 2] = rgb[q + 2]!; data[4 * i + 3] = 255;
    }
    return { data, width, height };
  });
}

interface Tally { segments: number; oldFound: number; newFound: number; lostByNew: number; extraInNew: number; ious: number[]; pixelDiffs: number[]; tracked: number; oldMs: number; newMs: number }
const tally = (): Tally => ({ segments: 0, oldFound: 0, newFound: 0, lostByNew: 0, extraInNew: 0, ious: [], pixelDiffs: [], tracked: 0, oldMs: 0, newMs: 0 });

async function compare(session: ort.InferenceSession, frames: RgbaImage[], t: Tally) {
  let previous: Box | null = null;
  for (let k = 0; k < frames.length; k++) {
    const image = frames[k]!;
    const detect = (views?: View[]) => detectFaces(session as never, image, { tensor: ort.Tensor as never, views });
    let t0 = performance.now();
    const old = pickProminentFace(await detect(), minScore);
    t.oldMs += performance.now() - t0;
    t0 = performance.now();
    const found = await searchFace(detect, k % WINDOW === 0 ? null : previous, image.width, image.height, minScore);
    t.newMs += performance.now() - t0;
    previous = found.face ? found.face.box : null;
    t.segments++;
    if (found.path === 'track') t.tracked++;
    if (old) t.oldFound++;
    if (found.face) t.newFound++;
    if (old && !found.face) t.lostByNew++;
    if (!old && found.face) t.extraInNew++;
    if (old && found.face) {
      const a = alignFaceCrop(image, old, crop);
      const b = alignFaceCrop(image, found.face, crop);
      t.ious.push(iou(a.box, b.box));
      let s = 0;
      for (let i = 0; i < a.crop.length; i++) s += Math.abs(a.crop[i]! - b.crop[i]!);
      t.pixelDiffs.push((255 * s) / a.crop.length);
    }
  }
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN; };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function summary(t: Tally) {
  return {
    segments: t.segments, old_found: t.oldFound, new_found: t.newFound, lost_by_new: t.lostByNew, extra_in_new: t.extraInNew,
    found_of_old_pct: +((100 * (t.oldFound - t.lostByNew)) / Math.max(1, t.oldFound)).toFixed(2),
    tracked_pct: +((100 * t.tracked) / t.segments).toFixed(1),
    crop_iou_mean: +mean(t.ious).toFixed(4), crop_iou_p05: +pct(t.ious, 0.05).toFixed(4), crop_iou_min: +pct(t.ious, 0).toFixed(4),
    crop_mean_abs_diff_0_255_mean: +mean(t.pixelDiffs).toFixed(2), crop_mean_abs_diff_p95: +pct(t.pixelDiffs, 0.95).toFixed(2),
    ms_per_segment_old: +(t.oldMs / t.segments).toFixed(1), ms_per_segment_new: +(t.newMs / t.segments).toFixed(1),
  };
}

describe.skipIf(!enabled)('track-then-re-detect vs the full view search (measurement)', () => {
  it('profiles one 640 x 480 frame: resampling, detector batch 7 vs 1, decode', async () => {
    const session = await ort.InferenceSession.create(join(root, 'public/models/face_detector.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const frames = segmentFrames(join(root, 'bench/.generated/clip-10s.mp4'));
    const image = frames[3]!;
    const views = planViews(image.width, image.height);
    const reps = 5;
    const time = async (fn: () => unknown) => { await fn(); const t0 = performance.now(); for (let i = 0; i < reps; i++) await fn(); return +((performance.now() - t0) / reps).toFixed(1); };
    const s = 192 * 192 * 3;
    const batch7 = new Float32Array(views.length * s);
    const resample7 = await time(() => views.forEach((v, i) => viewTensor(image, v, 192, batch7, i * s)));
    const run7 = await time(() => session.run({ image: new ort.Tensor('float32', batch7, [views.length, 192, 192, 3]) }));
    const run1 = await time(() => session.run({ image: new ort.Tensor('float32', batch7.subarray(0, s), [1, 192, 192, 3]) }));
    const full = await time(() => detectFaces(session as never, image, { tensor: ort.Tensor as never }));
    const face = pickProminentFace(await detectFaces(session as never, image, { tensor: ort.Tensor as never }), minScore)!;
    const alignMs = await time(() => alignFaceCrop(image, face, crop));
    console.log(JSON.stringify({ frame: [image.width, image.height], views: views.length, resample_all_views_ms: resample7, run_batch_ms: run7, run_one_view_ms: run1, detectFaces_full_ms: full, align_ms: alignMs }));
  }, 300_000);

  it('on the 72 dev clips and the bench clips: faces found, crop IoU and pixel difference', async () => {
    const session = await ort.InferenceSession.create(join(root, 'public/models/face_detector.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const dev = tally();
    const files = readdirSync(clipsDir).filter((f) => f.endsWith('.mp4')).sort();
    for (const f of files) await compare(session, segmentFrames(join(clipsDir, f)), dev);
    const out: Record<string, unknown> = { dev_clips: files.length, dev: summary(dev) };
    for (const s of [10, 60]) {
      const file = join(root, `bench/.generated/clip-${s}s.mp4`);
      if (!existsSync(file)) continue;
      const t = tally();
      await compare(session, segmentFrames(file), t);
      out[`bench_${s}s`] = summary(t);
    }
    console.log(JSON.stringify(out, null, 1));
    expect(dev.segments).toBeGreaterThan(0);
  }, 3_600_000);
});
