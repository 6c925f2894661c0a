// The shipped detector (public/models/face_detector.onnx) under onnxruntime-node: raw outputs
// match the PyTorch port (golden written by scripts/port_face_detector.py), and on real frames
// from ../shared (when present) detectFaces finds the same faces as the Python twin within 1 px.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectFaces, DETECTOR_IO } from './detector';
import { pickProminentFace } from './decode';
import { alignFaceCrop } from './align';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const modelPath = join(root, 'public/models/face_detector.onnx');
const golden = (name: string) => JSON.parse(readFileSync(join(here, '__golden__', name), 'utf8'));

/** parity_input(192) of scripts/port_face_detector.py. */
function parityInput(size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const x = c / size;
      const y = r / size;
      const p = 3 * (r * size + c);
      out[p] = Math.round(128 + 100 * Math.sin(6 * x + 2 * y));
      out[p + 1] = Math.round(128 + 90 * Math.cos(5 * y - 3 * x));
      out[p + 2] = Math.round(128 + 80 * Math.sin(4 * (x + y) + 1));
    }
  }
  return out;
}

let session: ort.InferenceSession;
beforeAll(async () => {
  session = await ort.InferenceSession.create(modelPath);
});

describe('face_detector.onnx', () => {
  it('has the documented I/O', () => {
    expect(session.inputNames).toEqual([DETECTOR_IO.input]);
    expect([...session.outputNames].sort()).toEqual([DETECTOR_IO.logits, DETECTOR_IO.regressors].sort());
  });

  it('matches the PyTorch port on the parity input', async () => {
    const g = golden('detector_parity.json');
    const out = await session.run({ image: new ort.Tensor('float32', parityInput(192), [1, 192, 192, 3]) });
    const logits = out[DETECTOR_IO.logits]!.data as Float32Array;
    const reg = out[DETECTOR_IO.regressors]!.data as Float32Array;
    expect(logits.length).toBe(2304);
    let maxLogit = 0;
    g.logits.forEach((v: number, i: number) => (maxLogit = Math.max(maxLogit, Math.abs(v - logits[i]!))));
    let maxReg = 0;
    g.regressor_anchors.forEach((a: number, j: number) =>
      g.regressors[j].forEach((v: number, k: number) => (maxReg = Math.max(maxReg, Math.abs(v - reg[a * 16 + k]!)))),
    );
    expect(maxLogit).toBeLessThan(1e-3);
    expect(maxReg).toBeLessThan(1e-2); // regressors are pixels (values up to ~100), rounded to 1e-4
  });

  it('runs a batch of views (dynamic batch axis)', async () => {
    const x = new Float32Array(3 * 192 * 192 * 3).fill(128);
    const out = await session.run({ image: new ort.Tensor('float32', x, [3, 192, 192, 3]) });
    expect(out[DETECTOR_IO.regressors]!.dims).toEqual([3, 2304, 16]);
  });
});

// Real frames: decoded with Debian's ffmpeg from ../shared at their displayed size; skipped where the data is absent.
const realGolden = golden('real_frames.json');
const clipsDir = resolve(root, realGolden.clips_dir);
const haveClips = existsSync(clipsDir) && (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function decodeFrame(file: string, index: number, width: number, height: number) {
  const rgb = execFileSync(
    'ffmpeg',
    // Scaled to the displayed size, as the browser draws it (mer.features.face_align.frames_at).
    ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${index}),scale=${width}:${height}:flags=bilinear+accurate_rnd+full_chroma_int,setsar=1`,
      '-fps_mode', 'passthrough', '-frames:v', '1',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 64 << 20 },
  );
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[4 * i] = rgb[3 * i]!;
    data[4 * i + 1] = rgb[3 * i + 1]!;
    data[4 * i + 2] = rgb[3 * i + 2]!;
    data[4 * i + 3] = 255;
  }
  return { data, width, height };
}

describe.skipIf(!haveClips)('detectFaces on real IEMOCAP frames (../shared)', () => {
  for (const c of realGolden.cases as any[]) {
    it(`${c.clip} frame ${c.frame}: same faces and crop as Python`, async () => {
      const image = decodeFrame(join(clipsDir, `${c.clip}.mp4`), c.frame, c.width, c.height);
      const dets = await detectFaces(session as any, image, { tensor: ort.Tensor as any });
      expect(dets.length).toBe(c.detections.length);
      dets.forEach((d, i) => {
        const e = c.detections[i];
        // Within 1e-3 in score and 1 px: the twins plan the same views (Python rounds half up like
        // Math.round; its round() once moved a portrait frame's tile row by a pixel).
        expect(Math.abs(d.score - e.score)).toBeLessThan(1e-3);
        d.box.forEach((v, k) => expect(Math.abs(v - e.box[k])).toBeLessThan(1));
        d.keypoints.forEach((p, k) => p.forEach((v, j) => expect(Math.abs(v - e.keypoints[k][j])).toBeLessThan(1)));
      });
      const face = pickProminentFace(dets, realGolden.min_score);
      expect(face === null).toBe(c.crop_box === null);
      if (face) {
        const { crop, box } = alignFaceCrop(image, face, realGolden.crop);
        box.forEach((v, k) => expect(Math.abs(v - c.crop_box[k])).toBeLessThan(1));
        let mean = 0;
        crop.forEach((v) => (mean += v / crop.length));
        expect(Math.abs(mean - c.crop_mean)).toBeLessThan(1e-3);
      }
    }, 30_000);
  }
});
