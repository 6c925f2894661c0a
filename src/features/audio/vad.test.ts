// Voice activity (./vad.ts): the segment decision and the energy floor, how frames, context and
// the carried state are fed (whole clip = windows with look-ahead = live segments), and the shipped
// Silero model under onnxruntime-node on generated tone, chords and noise (no voice) and on real
// speech from ../shared (voice).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { logMelPatches, type AudioParams } from './logmel';
import { detectVoice, hasVoice, initialCarry, oneFrameAtATime, sileroFrames, sileroStep, voiceMask, VoiceActivityStream, type VadFrames, type VadParams, type VadStep } from './vad';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const features = JSON.parse(readFileSync(join(root, 'training/configs/features.json'), 'utf8')) as { audio: AudioParams & { vad: VadParams } };
const audio = features.audio;
const vad = audio.vad;
const SR = audio.sample_rate;
const SEG = Math.round(audio.segment_seconds * SR); // 15,360
const LOOKAHEAD = (audio.patch_frames - 1) * audio.hop_length + audio.frame_length - SEG; // 240
const small: VadParams = { ...vad, frame_samples: 4, context_samples: 2, state_size: 1, threshold: 0.5, min_speech_frames: 2 };

/** A fake model with memory: the state accumulates the frame's mean; p = the frame's first real sample. */
const fakeStep: VadStep = async (input, state) => {
  let mean = 0;
  for (const v of input) mean += v / input.length;
  return { probability: input[2] ?? 0, state: Float32Array.from([state[0]! + mean, state[1]! + 1]) };
};
/** A fake whose p depends on the state too (so carrying it matters). */
const statefulStep: VadStep = async (input, state) => {
  let mean = 0;
  for (const v of input) mean += v / input.length;
  const next = Float32Array.from(state.map((s) => 0.8 * s + mean));
  return { probability: 1 / (1 + Math.exp(-10 * (next[0]! - 0.2))), state: next };
};

describe('segment decision', () => {
  it('needs min_speech_frames speech frames', () => {
    expect(hasVoice(vad.min_speech_frames - 1, vad)).toBe(false);
    expect(hasVoice(vad.min_speech_frames, vad)).toBe(true);
  });

  it('keeps the energy floor: a quiet segment is never voice, a loud one only with speech frames', () => {
    const energy = Float32Array.from([0, 1, 1, 0, 1]);
    const frames = [30, 30, vad.min_speech_frames - 1, vad.min_speech_frames, vad.min_speech_frames];
    expect(Array.from(voiceMask(energy, frames, vad))).toEqual([0, 1, 0, 0, 1]);
  });

  it('takes its numbers from features.json (the manifest), Silero v6 in 512-sample frames', () => {
    expect(vad.model).toBe('silero_vad_v6_frames.onnx');
    expect(vad.batched_frames).toBe(true);
    expect(SEG % vad.frame_samples).toBe(0);
    expect(vad.threshold).toBeGreaterThan(0);
    expect(vad.min_speech_frames).toBeLessThanOrEqual(SEG / vad.frame_samples);
  });
});

describe('detectVoice feeding', () => {
  it('prepends the context, zero-pads the last frame, runs only frames with samples and carries after whole segments', async () => {
    const seen: number[][] = [];
    const step: VadStep = async (input, state) => {
      seen.push(Array.from(input));
      return fakeStep(input, state);
    };
    // Segments of 8 samples (2 frames of 4); 8 + 5 samples: one whole segment and a 5-sample tail.
    const pcm = Float32Array.from({ length: 13 }, (_, i) => i + 1);
    const carry = { state: Float32Array.from([0, 0]), context: Float32Array.from([-2, -1]) };
    const out = await detectVoice(pcm, 8, small, oneFrameAtATime(step), carry);
    expect(seen).toEqual([
      [-2, -1, 1, 2, 3, 4],
      [3, 4, 5, 6, 7, 8],
      [7, 8, 9, 10, 11, 12],
      [11, 12, 13, 0, 0, 0],
    ]);
    expect(out.framesPerSegment).toBe(2);
    expect(Array.from(out.probabilities)).toEqual([1, 5, 9, 13]);
    expect(Array.from(out.speechFrames)).toEqual([2, 2]);
    // The carry is the memory at the end of the whole segment: two steps taken, context = samples 7, 8.
    expect(Array.from(out.carry.context)).toEqual([7, 8]);
    expect(out.carry.state[1]).toBe(2);
  });

  it('hands the frames over in at most two calls, split where the carry is taken, with the same result as one at a time', async () => {
    const calls: Array<{ rows: number[][]; state: number[] }> = [];
    const batched: VadFrames = async (rows, count, state) => {
      calls.push({ rows: Array.from({ length: count }, (_, j) => Array.from(rows.subarray(j * 6, (j + 1) * 6))), state: Array.from(state) });
      return oneFrameAtATime(statefulStep)(rows, count, state);
    };
    const pcm = Float32Array.from({ length: 13 }, (_, i) => i + 1);
    const carry = { state: Float32Array.from([0.5, 0.25]), context: Float32Array.from([-2, -1]) };
    const out = await detectVoice(pcm, 8, small, batched, carry);
    expect(calls.map((c) => c.rows)).toEqual([
      [[-2, -1, 1, 2, 3, 4], [3, 4, 5, 6, 7, 8]],
      [[7, 8, 9, 10, 11, 12], [11, 12, 13, 0, 0, 0]],
    ]);
    expect(calls[0]!.state).toEqual([0.5, 0.25]);
    const single = await detectVoice(pcm, 8, small, oneFrameAtATime(statefulStep), carry);
    expect(Array.from(out.probabilities)).toEqual(Array.from(single.probabilities));
    expect(Array.from(out.speechFrames)).toEqual(Array.from(single.speechFrames));
    expect(Array.from(out.carry.state)).toEqual(Array.from(single.carry.state));
    expect(calls[1]!.state).toEqual(Array.from(single.carry.state));
    // Whole segments only (no tail): one call; less than a segment: one call, the carry unchanged.
    calls.length = 0;
    await detectVoice(pcm.subarray(0, 8), 8, small, batched, carry);
    const short = await detectVoice(pcm.subarray(0, 5), 8, small, batched, carry);
    expect(calls.map((c) => c.rows.length)).toEqual([2, 2]);
    expect(Array.from(short.carry.state)).toEqual([0.5, 0.25]);
    expect(Array.from(short.carry.context)).toEqual([-2, -1]);
  });

  it('refuses a frame size that does not divide the segment', async () => {
    await expect(detectVoice(new Float32Array(10), 10, small, oneFrameAtATime(fakeStep))).rejects.toThrow(/must divide the segment/);
  });
});

/** Loud bursts and quiet pauses (never exactly 0, so every tail can be matched), deterministic. */
function bursts(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (Math.floor(i / 6) % 3 === 0 ? 0.02 : 0.5) + 0.3 * Math.sin(i / 3 + 1));
}

describe('VoiceActivityStream: the same verdicts whole, in windows and live', () => {
  const seg = 8;
  const look = 3;
  const pcm = bursts(seg * 11 + 5);

  it('windows with their look-ahead give the whole clip\'s probabilities', async () => {
    const whole = await new VoiceActivityStream(oneFrameAtATime(statefulStep)).next(pcm, seg, small);
    const stream = new VoiceActivityStream(oneFrameAtATime(statefulStep));
    const probs: number[] = [];
    for (let first = 0; first * seg < pcm.length; first += 4) {
      const part = pcm.slice(first * seg, Math.min(pcm.length, (first + 4) * seg + look));
      const out = await stream.next(part, seg, small);
      const count = Math.min(4, Math.ceil((pcm.length - first * seg) / seg));
      probs.push(...out.probabilities.subarray(0, count * out.framesPerSegment));
    }
    expect(probs).toEqual(Array.from(whole.probabilities));
  });

  it('live segments (one segment + look-ahead each) give the same; a dropped segment starts fresh', async () => {
    const whole = await new VoiceActivityStream(oneFrameAtATime(statefulStep)).next(pcm, seg, small);
    const live = new VoiceActivityStream(oneFrameAtATime(statefulStep));
    const probs: number[] = [];
    for (let t = 0; t < 11; t++) probs.push(...(await live.next(pcm.slice(t * seg, (t + 1) * seg + look), seg, small)).probabilities.subarray(0, 2));
    expect(probs).toEqual(Array.from(whole.probabilities.subarray(0, 22)));

    const dropped = new VoiceActivityStream(oneFrameAtATime(statefulStep));
    await dropped.next(pcm.slice(0, seg + look), seg, small);
    const after = await dropped.next(pcm.slice(2 * seg, 3 * seg + look), seg, small);
    const fresh = await detectVoice(pcm.slice(2 * seg, 3 * seg + look), seg, small, oneFrameAtATime(statefulStep), initialCarry(small));
    expect(Array.from(after.probabilities)).toEqual(Array.from(fresh.probabilities));
  });

  it('a new clip (or anything that does not start with the previous tail) starts fresh, as does an all-zero tail', async () => {
    const stream = new VoiceActivityStream(oneFrameAtATime(statefulStep));
    await stream.next(pcm.slice(0, 2 * seg + look), seg, small);
    const other = bursts(seg * 2).map((v) => v * 0.5);
    const fresh = await detectVoice(other, seg, small, oneFrameAtATime(statefulStep));
    expect(Array.from((await stream.next(other, seg, small)).probabilities)).toEqual(Array.from(fresh.probabilities));

    const silentTail = new Float32Array(seg + look);
    silentTail.fill(0.3, 0, seg);
    const s2 = new VoiceActivityStream(oneFrameAtATime(statefulStep));
    await s2.next(silentTail, seg, small);
    const next = new Float32Array(seg);
    expect(Array.from((await s2.next(next, seg, small)).probabilities)).toEqual(Array.from((await detectVoice(next, seg, small, oneFrameAtATime(statefulStep))).probabilities));
  });
});

// ---------------------------------------------------------------- the shipped model

const modelPath = join(root, 'public/models', vad.model);
const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** 16 kHz mono float32 from ffmpeg (a lavfi source or a file). */
function ffmpegPcm(args: string[]): Float32Array {
  const out = execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', ...args, '-f', 'f32le', '-ac', '1', '-ar', String(SR), '-'], { maxBuffer: 1 << 28 });
  return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}

/** The audio mask as the audio worker computes it: energy floor and Silero (the shipped frames graph). */
async function maskOf(pcm: Float32Array, session: ort.InferenceSession) {
  const activity = await new VoiceActivityStream(sileroFrames(session, vad, SR, ort.Tensor as never)).next(pcm, SEG, vad);
  const { audioMask: energy } = logMelPatches(pcm, audio);
  return { mask: voiceMask(energy, activity.speechFrames, vad), energy, speechFrames: Array.from(activity.speechFrames) };
}

// Chords: C, F, G and A minor triads with an octave, one per second, plucked (the e2e test's "music").
const CHORDS = "aevalsrc='0.2*exp(-2*mod(t,1))*(sin(2*PI*if(lt(mod(t,4),1),261.6,if(lt(mod(t,4),2),349.2,if(lt(mod(t,4),3),392,440)))*t)"
  + '+sin(2*PI*if(lt(mod(t,4),1),329.6,if(lt(mod(t,4),2),440,if(lt(mod(t,4),3),493.9,523.3)))*t)'
  + '+sin(2*PI*if(lt(mod(t,4),1),392,if(lt(mod(t,4),2),523.3,if(lt(mod(t,4),3),587.3,659.3)))*t)'
  + "+0.5*sin(4*PI*if(lt(mod(t,4),1),261.6,if(lt(mod(t,4),2),349.2,if(lt(mod(t,4),3),392,440)))*t))':s=16000:d=8";
const NOT_SPEECH: Readonly<Record<string, string[]>> = Object.freeze({
  'a 300 Hz tone': ['-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000:duration=8', '-af', 'volume=0.5'],
  'a 150 Hz tone': ['-f', 'lavfi', '-i', 'sine=frequency=150:sample_rate=16000:duration=8', '-af', 'volume=0.5'],
  'chords': ['-f', 'lavfi', '-i', CHORDS],
  'white noise': ['-f', 'lavfi', '-i', 'anoisesrc=color=white:amplitude=0.3:duration=8:sample_rate=16000'],
  'pink noise': ['-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.3:duration=8:sample_rate=16000'],
});
const SPEECH = join(root, '..', 'shared', 'data', 'speech_en', 'audio', 'ravdess', 'ravdess_audio_Actor_17_03-01-01-01-01-01-17.opus');

describe.skipIf(!existsSync(modelPath) || !hasFfmpeg)(`${vad.model} under onnxruntime-node`, () => {
  const session = ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });

  for (const [name, args] of Object.entries(NOT_SPEECH)) {
    it(`hears no voice in ${name}, although it is loud`, async () => {
      const { mask, energy } = await maskOf(ffmpegPcm(args), await session);
      expect(Array.from(energy).every((v) => v === 1)).toBe(true);
      expect(Array.from(mask)).toEqual(Array.from(mask, () => 0));
    });
  }

  it.skipIf(!existsSync(SPEECH))('hears the voice in real speech (RAVDESS, speech_en) where it speaks, not in its silent lead-in', async () => {
    const { mask, speechFrames } = await maskOf(ffmpegPcm(['-i', SPEECH]), await session);
    // 3.7 s: about 1 s of room tone, the sentence "Kids are talking by the door", a short tail.
    expect(mask.length).toBe(4);
    expect(mask[0], `speech frames ${speechFrames}`).toBe(0);
    expect(Array.from(mask.subarray(1, 3)), `speech frames ${speechFrames}`).toEqual([1, 1]);
  });

  it('gives the same verdicts whole, in windows with look-ahead and live', async () => {
    const pcm = ffmpegPcm(['-i', SPEECH, '-af', 'aloop=loop=2:size=60000']);
    const step = sileroFrames(await session, vad, SR, ort.Tensor as never);
    const whole = await new VoiceActivityStream(step).next(pcm, SEG, vad);
    const live = new VoiceActivityStream(step);
    const frames: number[] = [];
    for (let t = 0; t * SEG < pcm.length; t++) frames.push((await live.next(pcm.slice(t * SEG, (t + 1) * SEG + LOOKAHEAD), SEG, vad)).speechFrames[0]!);
    expect(frames).toEqual(Array.from(whole.speechFrames));
  });
});

// The original graph from @ricky0123/vad-web, one frame per run: what the frames graph replaces.
const originalPath = join(root, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v6.onnx');
const DEV_CLIPS = join(root, '..', 'shared', 'data', 'iemocap_dev_av', 'clips');

describe.skipIf(!existsSync(modelPath) || !existsSync(originalPath) || !hasFfmpeg)(`${vad.model} equals silero_vad_v6.onnx run frame by frame`, () => {
  const opts = { intraOpNumThreads: 1 };
  const sessions = Promise.all([ort.InferenceSession.create(originalPath, opts), ort.InferenceSession.create(modelPath, opts)]);
  /** Both graphs over `pcm`, whole and in windows of 3 segments with their look-ahead; every p and carry bit-identical. */
  async function expectSame(pcm: Float32Array) {
    const [original, frames] = await sessions;
    const one = oneFrameAtATime(sileroStep(original, vad, SR, ort.Tensor as never));
    const many = sileroFrames(frames, vad, SR, ort.Tensor as never);
    const a = await detectVoice(pcm, SEG, vad, one);
    const b = await detectVoice(pcm, SEG, vad, many);
    expect(b.probabilities).toEqual(a.probabilities);
    expect(b.carry.state).toEqual(a.carry.state);
    expect(Array.from(b.speechFrames)).toEqual(Array.from(a.speechFrames));
    const [wa, wb] = [new VoiceActivityStream(one), new VoiceActivityStream(many)];
    for (let t = 0; t * SEG < pcm.length; t += 3) {
      const part = pcm.slice(t * SEG, Math.min(pcm.length, (t + 3) * SEG + LOOKAHEAD));
      const [x, y] = [await wa.next(part, SEG, vad), await wb.next(part, SEG, vad)];
      expect(y.probabilities).toEqual(x.probabilities);
      expect(y.carry.state).toEqual(x.carry.state);
    }
    return a;
  }

  it.skipIf(!existsSync(SPEECH))('on real speech (RAVDESS), looped to 11 s', async () => {
    const a = await expectSame(ffmpegPcm(['-i', SPEECH, '-af', 'aloop=loop=2:size=60000']));
    expect(a.speechFrames.some((n) => n >= vad.min_speech_frames)).toBe(true);
  });

  it('on chords and pink noise', async () => {
    await expectSame(ffmpegPcm(['-f', 'lavfi', '-i', CHORDS]));
    await expectSame(ffmpegPcm(NOT_SPEECH['pink noise']!));
  });

  it.skipIf(!existsSync(DEV_CLIPS))('on three IEMOCAP dev clips', async () => {
    for (const name of ['Ses01F_impro01_M002.mp4', 'Ses01F_impro02_M005.mp4', 'Ses01F_impro02_M011.mp4']) {
      await expectSame(ffmpegPcm(['-i', join(DEV_CLIPS, name), '-vn']));
    }
  });
});
