// Words without typing, on this device: a dropped file's speech transcribed by the browser's own
// recognizer, only where it runs locally (src/live/speech.ts `onDeviceSpeechSupport`: available
// for en-US with processLocally, never a recognizer that may send audio away). The Web Speech
// API's `start(audioTrack)` takes a live MediaStreamTrack, which an AudioContext makes from the
// decoded audio (buffer source → MediaStreamAudioDestinationNode), as shaka-player does for live
// captions. It plays the audio through the recognizer in real time (about as long as the audio),
// with progress and Cancel; finished results become timed cues, like captions.
import type { OnDeviceRecognizer } from '../../live/speech';
import type { Cue } from './subtitles';

/** The parts of an AudioContext this needs (a fake one in tests). */
export interface SpeechAudioContext {
  readonly currentTime: number;
  decodeAudioData(data: ArrayBuffer): Promise<{ duration: number }>;
  createBufferSource(): {
    buffer: unknown; onended: (() => void) | null;
    connect(node: unknown): void; start(when?: number): void; stop(): void;
  };
  createMediaStreamDestination(): { stream: { getAudioTracks(): { readyState: string; kind: string }[] } };
  close(): Promise<void>;
}

/** A recognizer that can listen to a track (Chromium's on-device recognition adds `start(track)`). */
export type TrackRecognizer = Omit<OnDeviceRecognizer, 'start'> & { start(track?: unknown): void };

export interface TranscribeOptions {
  signal?: AbortSignal;
  /** Fraction of the audio heard so far, about every half second. */
  onProgress?: (fraction: number) => void;
  audioContext?: () => SpeechAudioContext;
}

export class TranscriptionCancelled extends Error {
  override name = 'AbortError';
}

/** The speech of `data` (a media file's bytes) as timed cues, recognised on this device. */
export async function transcribeOnDevice(data: ArrayBuffer, create: () => TrackRecognizer, options: TranscribeOptions = {}): Promise<Cue[]> {
  const ctx = (options.audioContext ?? (() => new AudioContext() as unknown as SpeechAudioContext))();
  try {
    const buffer = await ctx.decodeAudioData(data);
    if (options.signal?.aborted) throw new TranscriptionCancelled();
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    const destination = ctx.createMediaStreamDestination();
    source.connect(destination);
    const track = destination.stream.getAudioTracks()[0];
    if (!track || track.readyState !== 'live') throw new Error('The audio could not be played to the speech recognizer.');
    const recognizer = create();
    if (!recognizer.processLocally) throw new Error('Speech recognition must run on this device (processLocally).');
    const cues: Cue[] = [];
    let started = 0;
    let lastEnd = 0;
    return await new Promise<Cue[]>((resolve, reject) => {
      const timer = setInterval(() => options.onProgress?.(Math.min(1, (ctx.currentTime - started) / Math.max(0.001, buffer.duration))), 500);
      const done = (f: () => void) => { clearInterval(timer); options.signal?.removeEventListener('abort', cancel); f(); };
      const cancel = () => {
        source.onended = null;
        recognizer.onend = null;
        recognizer.abort();
        try { source.stop(); } catch { /* not started */ }
        done(() => reject(new TranscriptionCancelled()));
      };
      options.signal?.addEventListener('abort', cancel);
      recognizer.onresult = (e) => {
        const now = Math.max(0, ctx.currentTime - started);
        for (let i = e.resultIndex; i < e.results.length; i++) {
          const r = e.results[i];
          const text = r?.[0].transcript.trim();
          if (!r?.isFinal || !text) continue;
          cues.push({ start: lastEnd, end: Math.max(lastEnd, now), text });
          lastEnd = now;
        }
      };
      recognizer.onerror = (e) => {
        if (e.error === 'no-speech' || e.error === 'aborted') return;
        done(() => reject(new Error(`On-device speech recognition stopped (${e.error}).`)));
      };
      recognizer.onend = () => done(() => { options.onProgress?.(1); resolve(cues); });
      source.onended = () => recognizer.stop();
      recognizer.start(track);
      started = ctx.currentTime;
      source.start();
    });
  } finally {
    void ctx.close().catch(() => undefined);
  }
}
