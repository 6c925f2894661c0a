// Audio front end: YAMNet/VGGish log-mel patches from 16 kHz mono PCM, exactly as training
// computes them (docs/CONTRACTS.md "Audio front end"; Python twin training/mer/features/logmel.py,
// both checked against the golden vectors in ./__golden__). Runs in the audio worker: the window,
// mel matrix (sparse rows) and FFT buffers are built once per parameter set and reused.
import FFT from 'fft.js';
import type { AudioParams } from './params';
import { clipSegmentCount, timeBase } from '../../timebase';

/** The `audio` section of public/models/manifest.json (= training/configs/features.json), inferred from its schema. */
export type { AudioParams };

export interface LogMelPatches {
  /** `segmentCount * patch_frames * mel_bins` values, row-major `[T, 96, 64]` (time, mel). */
  logMel: Float32Array;
  segmentCount: number;
  /** 1 where the segment is loud enough, 0 where it is silent (RMS below `silence_dbfs`); the audio
   *  worker narrows it to segments with a voice (./vad.ts). */
  audioMask: Float32Array;
}

/** One mel band: its non-zero weights over spectrum bins `[start, start + weights.length)`. */
interface MelBand {
  start: number;
  weights: Float64Array;
}

const hertzToMel = (f: number): number => 1127 * Math.log1p(f / 700);

/**
 * TensorFlow's `linear_to_mel_weight_matrix(melBins, spectrumBins, sampleRate, fmin, fmax)` in
 * float64, returned row-major `[spectrumBins, melBins]`: triangles in HTK mel space over the bin
 * centre frequencies `linspace(0, sr/2, spectrumBins)`, DC bin weighted 0.
 */
export function melWeightMatrix(
  melBins: number,
  spectrumBins: number,
  sampleRate: number,
  fmin: number,
  fmax: number,
): Float64Array {
  const out = new Float64Array(spectrumBins * melBins);
  const lo = hertzToMel(fmin);
  const hi = hertzToMel(fmax);
  const edges = new Float64Array(melBins + 2);
  for (let i = 0; i < melBins + 2; i++) edges[i] = lo + ((hi - lo) * i) / (melBins + 1);
  const nyquist = sampleRate / 2;
  for (let k = 1; k < spectrumBins; k++) {
    const mel = hertzToMel((nyquist * k) / (spectrumBins - 1));
    for (let m = 0; m < melBins; m++) {
      const lower = (mel - edges[m]) / (edges[m + 1] - edges[m]);
      const upper = (edges[m + 2] - mel) / (edges[m + 2] - edges[m + 1]);
      out[k * melBins + m] = Math.max(0, Math.min(lower, upper));
    }
  }
  return out;
}

/** Precomputed state for one parameter set; reused across calls and across streamed windows. */
class LogMelKernel {
  readonly segmentSamples: number;
  readonly windowSamples: number;
  readonly patchSize: number;
  private readonly params: AudioParams;
  private readonly hann: Float64Array;
  private readonly bands: MelBand[];
  private readonly fft: FFT;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly magnitude: Float64Array;
  private readonly silenceMeanSquare: number;

  constructor(params: AudioParams) {
    this.params = params;
    const { sample_rate: sr, frame_length: n, hop_length: hop, fft_size: nfft, mel_bins: mels } = params;
    if (nfft < n || (nfft & (nfft - 1)) !== 0) {
      throw new Error(`fft_size must be a power of two >= frame_length (got ${nfft}, frame ${n})`);
    }
    this.segmentSamples = timeBase(params).segmentSamples;
    this.windowSamples = (params.patch_frames - 1) * hop + n;
    this.patchSize = params.patch_frames * mels;
    this.hann = new Float64Array(n);
    for (let i = 0; i < n; i++) this.hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const bins = nfft / 2 + 1;
    const dense = melWeightMatrix(mels, bins, sr, params.fmin, params.fmax);
    this.bands = [];
    for (let m = 0; m < mels; m++) {
      let first = -1;
      let last = -1;
      for (let k = 0; k < bins; k++) {
        if (dense[k * mels + m] > 0) {
          if (first < 0) first = k;
          last = k;
        }
      }
      const weights = new Float64Array(first < 0 ? 0 : last - first + 1);
      for (let k = 0; k < weights.length; k++) weights[k] = dense[(first + k) * mels + m];
      this.bands.push({ start: Math.max(first, 0), weights });
    }
    this.fft = new FFT(nfft);
    this.frame = new Float64Array(nfft); // zero tail stays zero: only [0, n) is ever written
    this.spectrum = new Float64Array(2 * nfft);
    this.magnitude = new Float64Array(bins);
    this.silenceMeanSquare = 10 ** (params.silence_dbfs / 10);
  }

  /**
   * Writes the patch of `source[offset, offset + windowSamples)` (reads past `source.length` as
   * zeros) into `out` at `outOffset`.
   */
  patch(source: Float32Array, offset: number, out: Float32Array, outOffset: number): void {
    const { frame_length: n, hop_length: hop, patch_frames: frames, mel_bins: mels, log_offset } = this.params;
    const { frame, spectrum, magnitude, hann, bands } = this;
    for (let f = 0; f < frames; f++) {
      const start = offset + f * hop;
      const avail = Math.max(0, Math.min(n, source.length - start));
      for (let i = 0; i < avail; i++) frame[i] = source[start + i] * hann[i];
      for (let i = avail; i < n; i++) frame[i] = 0;
      this.fft.realTransform(spectrum, frame);
      for (let k = 0; k < magnitude.length; k++) {
        const re = spectrum[2 * k];
        const im = spectrum[2 * k + 1];
        magnitude[k] = Math.sqrt(re * re + im * im);
      }
      const row = outOffset + f * mels;
      for (let m = 0; m < mels; m++) {
        const { start: k0, weights } = bands[m];
        let acc = 0;
        for (let j = 0; j < weights.length; j++) acc += magnitude[k0 + j] * weights[j];
        out[row + m] = Math.log(acc + log_offset);
      }
    }
  }

  /** 1 when the real samples `source[from, to)` are at or above the silence threshold. */
  voiced(source: Float32Array, from: number, to: number): number {
    const end = Math.min(to, source.length);
    if (end <= from) return 0;
    let sum = 0;
    for (let i = from; i < end; i++) sum += source[i] * source[i];
    return sum / (end - from) >= this.silenceMeanSquare ? 1 : 0;
  }
}

// Keyed by value: worker messages bring a fresh (structured-cloned) params object every time.
const kernels = new Map<string, LogMelKernel>();
function kernelFor(params: AudioParams): LogMelKernel {
  const key = JSON.stringify(params);
  let k = kernels.get(key);
  if (!k) {
    if (kernels.size >= 4) kernels.clear();
    k = new LogMelKernel(params);
    kernels.set(key, k);
  }
  return k;
}

/** `T = max(1, ceil(N / segment_samples))` for `N` samples. */
export function segmentCount(numSamples: number, params: AudioParams): number {
  return clipSegmentCount(numSamples, 0, timeBase(params));
}

/** Whole-signal front end: 16 kHz mono PCM -> `[T, 96, 64]` log-mel patches and the silence mask. */
export function logMelPatches(pcm: Float32Array, params: AudioParams): LogMelPatches {
  const kernel = kernelFor(params);
  const segments = segmentCount(pcm.length, params);
  const logMel = new Float32Array(segments * kernel.patchSize);
  const audioMask = new Float32Array(segments);
  for (let t = 0; t < segments; t++) {
    const offset = t * kernel.segmentSamples;
    kernel.patch(pcm, offset, logMel, t * kernel.patchSize);
    audioMask[t] = kernel.voiced(pcm, offset, offset + kernel.segmentSamples);
  }
  return { logMel, segmentCount: segments, audioMask };
}

/**
 * Streaming twin of `logMelPatches` for long files: `push` chunks of 16 kHz samples in order and
 * get each segment's patch as soon as its window (segment + 240 samples) is in; `flush` emits the
 * zero-padded tail. Holds at most one window of samples. The concatenated output equals
 * `logMelPatches` on the whole signal.
 */
export class LogMelStream {
  private readonly kernel: LogMelKernel;
  private buffer: Float32Array;
  private filled = 0;
  private emitted = 0;

  constructor(params: AudioParams) {
    this.kernel = kernelFor(params);
    this.buffer = new Float32Array(this.kernel.windowSamples);
  }

  /** Segments emitted so far. */
  get segmentsEmitted(): number {
    return this.emitted;
  }

  push(chunk: Float32Array): LogMelPatches {
    const { windowSamples, segmentSamples, patchSize } = this.kernel;
    const patches: Float32Array[] = [];
    const mask: number[] = [];
    let read = 0;
    while (read < chunk.length) {
      const take = Math.min(chunk.length - read, windowSamples - this.filled);
      this.buffer.set(chunk.subarray(read, read + take), this.filled);
      this.filled += take;
      read += take;
      if (this.filled === windowSamples) {
        const out = new Float32Array(patchSize);
        this.kernel.patch(this.buffer, 0, out, 0);
        patches.push(out);
        mask.push(this.kernel.voiced(this.buffer, 0, segmentSamples));
        this.buffer.copyWithin(0, segmentSamples, windowSamples);
        this.filled = windowSamples - segmentSamples;
      }
    }
    this.emitted += patches.length;
    return concatPatches(patches, mask, patchSize);
  }

  flush(): LogMelPatches {
    const { segmentSamples, patchSize } = this.kernel;
    const remaining = this.filled;
    const count = remaining > 0 ? Math.ceil(remaining / segmentSamples) : this.emitted === 0 ? 1 : 0;
    const tail = this.buffer.subarray(0, remaining);
    const logMel = new Float32Array(count * patchSize);
    const audioMask = new Float32Array(count);
    for (let t = 0; t < count; t++) {
      this.kernel.patch(tail, t * segmentSamples, logMel, t * patchSize);
      audioMask[t] = this.kernel.voiced(tail, t * segmentSamples, (t + 1) * segmentSamples);
    }
    this.filled = 0;
    this.emitted += count;
    return { logMel, segmentCount: count, audioMask };
  }
}

function concatPatches(patches: Float32Array[], mask: number[], patchSize: number): LogMelPatches {
  const logMel = new Float32Array(patches.length * patchSize);
  patches.forEach((p, i) => logMel.set(p, i * patchSize));
  return { logMel, segmentCount: patches.length, audioMask: Float32Array.from(mask) };
}
