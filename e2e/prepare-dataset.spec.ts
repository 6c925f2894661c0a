// `npm run prepare-dataset` turns a training manifest into feature files through the app's own
// pipeline in headless Chromium. For real dev clips: the files are what training reads (np.load,
// mer.data.dataset.MERDataset), and the tensors match the Python twins (scripts/compare-browser-features.py):
// log-mel within 1e-4 of the twin on the browser's own waveform, face crops within the documented
// tolerance of the twin on frames shown as Chromium shows them, with identical face masks.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { CLIPS, GENERATED, transcripts } from './fixtures';

const root = resolve(GENERATED, '..', '..');
const PYTHON = '/usr/bin/python3';
/** Log-mel against the Python twin on the same waveform: the golden-test tolerance. */
const LOGMEL_TOL = 1e-4;
/**
 * Browser and ffmpeg decode the same AAC to 16 kHz with different resamplers: measured mean abs
 * log-mel difference about 0.02 on the dev clips. A channel downmix other than the mean (ffmpeg's
 * `-ac 1` is 3 dB louder) shows as 0.35, so this bound catches it.
 */
const DECODER_MEAN_TOL = 0.05;
/**
 * Face crops on [0, 1] pixels, against the twin fed frames as Chromium shows them: the decoders'
 * colour conversion and scaling differ by about one grey level, which moves the detector's eye
 * keypoints by a fraction of a pixel. Measured on 11 dev clips (63 crops): mean abs per crop 0.034,
 * 95th percentile 0.05, clip means 0.024-0.060, one crop 0.19 (a detection that differed). The
 * skews this guards against (stored instead of display aspect, frames 2 off) give clip means 0.08-0.13.
 */
const FACE_CLIP_MEAN_TOL = 0.07;
const FACE_SEGMENT_MEAN_TOL = 0.25;
const CLIP_IDS = ['Ses01F_impro03_M018', 'Ses01M_impro05_M026'];

function run(cmd: string, args: string[], timeout: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { cwd: root, timeout, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const python = (args: string[], timeout: number) => run('nice', ['-n', '10', PYTHON, ...args], timeout, { ...process.env, PYTHONPATH: join(root, 'training') });

interface FaceStats { browser_found: number; python_found: number; same_mask: boolean; mean_abs: number | null; worst_segment_mean_abs: number | null }
interface ClipComparison {
  id: string;
  segments: number;
  logmel_dsp: { max_abs: number | null; same_segments: boolean; mask_within_energy: boolean; energy_segments: number; voice_segments: number; vad_removed: number | null };
  logmel_decoder: { python_segments: number; max_abs: number; mean_abs: number; mask_within_energy: number };
  faces: FaceStats;
}

test('prepare-dataset writes the features training reads, equal to the Python twins', async ({ baseURL }) => {
  test.setTimeout(1_800_000);
  const work = join(GENERATED, 'prepare-dataset');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const text = transcripts();
  const manifest = join(work, 'source.jsonl');
  writeFileSync(manifest, CLIP_IDS.map((id) => JSON.stringify({
    id, split: 'dev', labels: [], transcript: text.get(id) ?? null, video: join(CLIPS, `${id}.mp4`),
  })).join('\n') + '\n');

  const out = join(work, 'out');
  const cli = await run(process.execPath, [join(root, 'scripts', 'prepare-dataset.mjs'), manifest, '--out', out, '--server', baseURL!, '--with-pcm'], 900_000);
  expect(cli.code, cli.stderr.slice(-2000)).toBe(0);
  // The audio masks training reads were made with the app's voice-activity detector, and say so.
  const prepared = JSON.parse(readFileSync(join(out, 'prepared.json'), 'utf8')) as { front_end: { audio: { vad?: { model: string } } } };
  expect(prepared.front_end.audio.vad?.model).toBe('silero_vad_v6_frames.onnx');

  // Training reads the folder: its manifest through MERDataset, batched as train.py batches.
  const read = await python(['-c', [
    'import sys, json',
    'from mer.config import load_config',
    'from mer.data.manifest import read_manifest',
    'from mer.data.dataset import MERDataset, collate',
    'rows = read_manifest(sys.argv[1])',
    'ds = MERDataset(rows, load_config(sys.argv[2]), train=False)',
    'b = collate([ds[i] for i in range(len(ds))])',
    'print(json.dumps({"ids": b["id"], **{k: list(v.shape) for k, v in b.items() if hasattr(v, "shape")}, "text_mask": b["text_mask"].flatten().tolist()}))',
  ].join('\n'), join(out, 'manifest.jsonl'), join(root, 'training', 'configs', 'default_fusion.yaml')], 300_000);
  expect(read.code, read.stderr.slice(-2000)).toBe(0);
  const batch = JSON.parse(read.stdout) as Record<string, unknown>;
  expect(batch.ids).toEqual(CLIP_IDS);
  const [n, T] = batch.log_mel as number[];
  expect(n).toBe(CLIP_IDS.length);
  expect(batch.log_mel).toEqual([n, T, 96, 64]);
  expect(batch.faces).toEqual([n, T, 1, 48, 48]);
  expect(batch.text_cls).toEqual([n, 256]);
  expect(batch.text_mask).toEqual(CLIP_IDS.map(() => 1));

  const compared = await python([join(root, 'scripts', 'compare-browser-features.py'), out], 1_000_000);
  expect(compared.code, compared.stderr.slice(-2000)).toBe(0);
  const { summary, clips } = JSON.parse(compared.stdout) as { summary: Record<string, unknown>; clips: ClipComparison[] };
  test.info().annotations.push({ type: 'summary', description: JSON.stringify(summary) });
  console.log(JSON.stringify(summary));
  expect(clips.map((c) => c.id)).toEqual(CLIP_IDS);
  for (const c of clips) {
    // The DSP: bit-for-bit the same function of the same waveform, as the golden tests promise.
    expect(c.logmel_dsp.same_segments, c.id).toBe(true);
    // The audio mask is the browser's voice activity (Silero VAD) within the twin's -50 dBFS floor.
    expect(c.logmel_dsp.mask_within_energy, c.id).toBe(true);
    expect(c.logmel_dsp.voice_segments, c.id).toBeGreaterThan(0);
    expect(c.logmel_dsp.max_abs!, c.id).toBeLessThanOrEqual(LOGMEL_TOL);
    // The decoders: same segment count, voice only where the twin's decode is loud too, small spectral differences.
    expect(c.logmel_decoder.python_segments, c.id).toBe(c.segments);
    expect(c.logmel_decoder.mask_within_energy, c.id).toBe(1);
    expect(c.logmel_decoder.mean_abs, c.id).toBeLessThanOrEqual(DECODER_MEAN_TOL);
    // Faces: found in the same segments, crops within the documented tolerance.
    expect(c.faces.same_mask, c.id).toBe(true);
    expect(c.faces.mean_abs!, c.id).toBeLessThanOrEqual(FACE_CLIP_MEAN_TOL);
    expect(c.faces.worst_segment_mean_abs!, c.id).toBeLessThanOrEqual(FACE_SEGMENT_MEAN_TOL);
  }
});
