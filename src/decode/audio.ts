// Audio decoding on the main thread (workers have no OfflineAudioContext): the browser's own
// decoder resamples to 16 kHz, and mono is the mean of the channels (docs/CONTRACTS.md).

export interface DecodedAudio { pcm: Float32Array; sampleRate: number; seconds: number }

/** Mean of the channels, as training computes mono. */
export function downmix(channels: Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) return new Float32Array(0);
  if (channels.length === 1) return first;
  const out = new Float32Array(first.length);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + (ch[i] ?? 0);
  const k = 1 / channels.length;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * k;
  return out;
}

/**
 * Decodes the audio track of `data` to mono PCM at `sampleRate`. Returns null when the file has
 * no audio track the browser can decode (the caller then leaves the audio modality out).
 */
export async function decodeAudio(data: ArrayBuffer, sampleRate: number): Promise<DecodedAudio | null> {
  const ctx = new OfflineAudioContext(1, 1, sampleRate);
  let buffer: AudioBuffer;
  try {
    buffer = await ctx.decodeAudioData(data);
  } catch {
    return null;
  }
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  const pcm = downmix(channels);
  return { pcm, sampleRate: buffer.sampleRate, seconds: pcm.length / buffer.sampleRate };
}
