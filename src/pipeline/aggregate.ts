// Clip-level decisions from the fused graph run window by window (src/decode/windows.ts): each
// window of at most 32 segments is one run of the graph; the clip's fused, per-modality and α
// outputs are the windows' outputs averaged with weights, and the per-segment decisions are the
// windows' own, laid end to end. A clip of one window gets that window's outputs unchanged.
//
// Weights: a modality's decision by the segments in which it is present (a window where the face
// is seen in 30 segments counts 30 times one where it is seen in 1); the fused decision and α by
// segments, the text decision by the segments of windows that had words (with timed captions a
// window where nobody speaks has its text masked, and its graph's text output means nothing).
// α stays a distribution (each window's sums to 1; the weights are shared) and a modality missing
// in every window keeps α = 0.
import type { FusionOutputs, Tensor32 } from '../protocol';

export class WindowAggregate {
  private readonly sums = { fused: [] as number[], audio: [] as number[], visual: [] as number[], text: [] as number[], alpha: [0, 0, 0] };
  private readonly weights = { fused: 0, audio: 0, visual: 0, text: 0 };
  private readonly audioRows: Float32Array[] = [];
  private readonly visualRows: Float32Array[] = [];
  private segments = 0;
  /** Windows that ran the graph. */
  runs = 0;

  constructor(private readonly labels: number) {
    for (const k of ['fused', 'audio', 'visual', 'text'] as const) this.sums[k] = new Array<number>(labels).fill(0);
  }

  /**
   * Adds one window's outputs; the masks are the window's (their length is its segment count), and
   * `textPresent` whether the window had words (text_mask 1).
   */
  add(o: FusionOutputs, audioMask: Float32Array, visualMask: Float32Array, textPresent = true): void {
    const n = audioMask.length;
    const m = this.labels;
    if (o.fused.data.length !== m) throw new Error(`The model predicts ${o.fused.data.length} emotions but the manifest lists ${m} labels.`);
    if (o.audio_segments.data.length !== n * m || o.visual_segments.data.length !== n * m) {
      throw new Error(`The fused graph returned segment decisions for ${o.audio_segments.data.length / m} segments, expected ${n}.`);
    }
    const heard = audioMask.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    const seen = visualMask.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
    for (let i = 0; i < m; i++) {
      this.sums.fused[i] = (this.sums.fused[i] ?? 0) + n * (o.fused.data[i] ?? 0);
      if (textPresent) this.sums.text[i] = (this.sums.text[i] ?? 0) + n * (o.text.data[i] ?? 0);
      this.sums.audio[i] = (this.sums.audio[i] ?? 0) + heard * (o.audio.data[i] ?? 0);
      this.sums.visual[i] = (this.sums.visual[i] ?? 0) + seen * (o.visual.data[i] ?? 0);
    }
    for (let i = 0; i < 3; i++) this.sums.alpha[i] = (this.sums.alpha[i] ?? 0) + n * (o.alpha.data[i] ?? 0);
    this.weights.fused += n;
    this.weights.audio += heard;
    this.weights.visual += seen;
    if (textPresent) this.weights.text += n;
    this.audioRows.push(o.audio_segments.data.slice());
    this.visualRows.push(o.visual_segments.data.slice());
    this.segments += n;
    this.runs++;
  }

  /** A window where no modality is present (the graph is not run): its segments have no decisions. */
  skip(count: number): void {
    this.audioRows.push(new Float32Array(count * this.labels));
    this.visualRows.push(new Float32Array(count * this.labels));
    this.segments += count;
  }

  /** The clip's outputs in the fused graph's shapes (`[1, T, M]` per segment). */
  outputs(): FusionOutputs {
    const m = this.labels;
    const mean = (sum: number[], w: number) => Float32Array.from(sum, (v) => (w > 0 ? v / w : 0));
    const rows = (parts: Float32Array[]) => {
      const out = new Float32Array(this.segments * m);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    const t = (data: Float32Array, dims: number[]): Tensor32 => ({ data, dims });
    return {
      fused: t(mean(this.sums.fused, this.weights.fused), [1, m]),
      audio: t(mean(this.sums.audio, this.weights.audio), [1, m]),
      visual: t(mean(this.sums.visual, this.weights.visual), [1, m]),
      text: t(mean(this.sums.text, this.weights.text), [1, m]),
      alpha: t(mean(this.sums.alpha, this.weights.fused), [1, 3]),
      audio_segments: t(rows(this.audioRows), [1, this.segments, m]),
      visual_segments: t(rows(this.visualRows), [1, this.segments, m]),
    };
  }
}
