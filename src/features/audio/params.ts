// The `audio` section of public/models/manifest.json (= training/configs/features.json) as a zod
// schema: the manifest is validated with it when it loads, and the DSP's parameter types are
// inferred from it, so the checked fields and the typed ones are one list. Loose objects: a field
// added to features.json reaches the workers untouched.
import { z } from '../../zod';

const positive = z.number().positive();

/** Voice activity (./vad.ts, docs/CONTRACTS.md "Voice activity"). */
export const vadParamsSchema = z.looseObject({
  /** The model file under models/, listed in the manifest's files with size and sha256. */
  model: z.string().min(1),
  /** Samples per VAD frame at 16 kHz (512 for Silero v5/v6); must divide the segment. */
  frame_samples: z.number().int().positive(),
  /** Samples of the previous frame prepended to each frame (64, as silero-vad's OnnxWrapper). */
  context_samples: z.number().int().nonnegative(),
  /** Width of the recurrent state `[2, 1, state_size]`. */
  state_size: z.number().int().positive(),
  /** A frame is speech when p >= threshold. */
  threshold: z.number().min(0).max(1),
  /** A segment has voice when at least this many of its frames are speech. */
  min_speech_frames: z.number().int().nonnegative(),
  /** The graph takes a request's frames in one run (`[frames, context + frame]` in, `[frames, 1]` out,
   *  silero_vad_v6_frames.onnx); absent or false: one run per frame (`[1, context + frame]`). */
  batched_frames: z.boolean().optional(),
});
export type VadParams = z.infer<typeof vadParamsSchema>;

/** The log-mel front end (./logmel.ts) and the time base (src/timebase.ts). */
export const audioParamsSchema = z.looseObject({
  sample_rate: positive, frame_length: positive, hop_length: positive, fft_size: positive,
  mel_bins: positive, fmin: z.number().nonnegative(), fmax: positive, log_offset: positive,
  patch_frames: positive, segment_seconds: positive, silence_dbfs: z.number(),
  /** The voice-activity detector; without it the mask is the energy floor alone. */
  vad: vadParamsSchema.optional(),
});
export type AudioParams = z.infer<typeof audioParamsSchema>;
