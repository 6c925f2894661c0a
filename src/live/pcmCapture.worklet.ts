// AudioWorklet processor for live mode: forwards the microphone's samples, as the audio graph
// delivers them (mono, the context's 16 kHz), to the page with the frame index of each block
// (the capture clock), in blocks of a few render quanta. Loaded with `audioWorklet.addModule`
// from the app's own origin (Vite bundles it: `?worker&url`).

// The AudioWorkletGlobalScope is not in TypeScript's DOM library.
declare const sampleRate: number;
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;

/** What the processor posts: `samples` starts at capture frame `frame`. */
export interface PcmMessage { frame: number; samples: Float32Array; sampleRate: number }

/** Render quanta (128 frames) per message: 2 x 8 ms at 16 kHz keeps latency and message rate low. */
const QUANTA_PER_MESSAGE = 2;

class PcmCaptureProcessor extends AudioWorkletProcessor {
  private buffer = new Float32Array(128 * QUANTA_PER_MESSAGE);
  private filled = 0;
  private startFrame = 0;

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0] ?? [];
    const n = channels[0]?.length ?? 0;
    if (n === 0) return true; // no input connected yet (or the track ended)
    if (this.filled === 0) this.startFrame = currentFrame;
    if (this.filled + n > this.buffer.length) this.flush();
    // Mono = mean of the channels, as the file pipeline downmixes.
    const k = 1 / channels.length;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const ch of channels) sum += ch[i] ?? 0;
      this.buffer[this.filled + i] = sum * k;
    }
    this.filled += n;
    if (this.filled >= this.buffer.length) this.flush();
    return true;
  }

  private flush(): void {
    if (!this.filled) return;
    const samples = this.buffer.slice(0, this.filled);
    const message: PcmMessage = { frame: this.startFrame, samples, sampleRate };
    this.port.postMessage(message, [samples.buffer]);
    this.startFrame += this.filled;
    this.filled = 0;
  }
}

registerProcessor('mer-pcm-capture', PcmCaptureProcessor);
