// On-device transcription of a file (issue 17, "words without typing"): no language pack is
// installed here, so this tests the gating (only "available" with processLocally: true is used,
// otherwise one line says why) and the plumbing (the recognizer gets a live track made from the
// decoded audio, is created with processLocally = true, finished results become timed cues,
// Cancel stops it) with stand-ins for AudioContext and the recognizer. Real recognition is not
// exercised on this machine.
import { describe, expect, it } from 'vitest';
import { onDeviceSpeechSupport, SPEECH_REASONS } from '../../live/speech';
import { transcribeOnDevice, type SpeechAudioContext, type TrackRecognizer } from './fileSpeech';

/** A fake AudioContext whose clock the test moves. */
function fakeContext(duration: number) {
  const state = { time: 0, ended: null as (() => void) | null, started: false, stopped: false, closed: false };
  const ctx: SpeechAudioContext = {
    get currentTime() { return state.time; },
    decodeAudioData: async () => ({ duration }),
    createBufferSource: () => ({
      buffer: null, onended: null,
      connect() {}, start() { state.started = true; state.ended = () => this.onended?.(); }, stop() { state.stopped = true; },
    }),
    createMediaStreamDestination: () => ({ stream: { getAudioTracks: () => [{ kind: 'audio', readyState: 'live' }] } }),
    close: async () => { state.closed = true; },
  };
  return { ctx, state };
}

/** A recognizer class as Chromium's would be, recording how it was made and started. */
function fakeRecognizerClass(availability: string) {
  const made: (TrackRecognizer & { startedWith?: unknown })[] = [];
  class Recognizer {
    lang = ''; continuous = false; interimResults = false; processLocally = false;
    onresult: TrackRecognizer['onresult'] = null; onend: (() => void) | null = null; onerror: TrackRecognizer['onerror'] = null;
    startedWith?: unknown;
    constructor() { made.push(this as unknown as TrackRecognizer); }
    start(track?: unknown) { this.startedWith = track; }
    stop() { this.onend?.(); }
    abort() {}
    static available = async (o: { langs: string[]; processLocally: boolean }) => (o.processLocally ? availability : 'available');
  }
  return { Recognizer, made };
}

const final = (transcript: string) => ({ resultIndex: 0, results: { length: 1, 0: { isFinal: true, 0: { transcript } } } });

describe('gating: only recognition that runs on this device', () => {
  it('not installed, remote-only or absent: not offered, and one line says why', async () => {
    expect(await onDeviceSpeechSupport({ SpeechRecognition: fakeRecognizerClass('downloadable').Recognizer })).toEqual({ ok: false, reason: SPEECH_REASONS.notInstalled });
    class NoAvailable { start() {} }
    expect(await onDeviceSpeechSupport({ webkitSpeechRecognition: NoAvailable })).toEqual({ ok: false, reason: SPEECH_REASONS.remoteOnly });
    expect(await onDeviceSpeechSupport({})).toEqual({ ok: false, reason: SPEECH_REASONS.none });
  });
});

describe('plumbing: a file\'s audio through the on-device recognizer', () => {
  it('plays a live track to a recognizer made with processLocally = true; results become timed cues', async () => {
    const { Recognizer, made } = fakeRecognizerClass('available');
    const support = await onDeviceSpeechSupport({ SpeechRecognition: Recognizer });
    if (!support.ok) throw new Error(support.reason);
    const { ctx, state } = fakeContext(4);
    const progress: number[] = [];
    const running = transcribeOnDevice(new ArrayBuffer(8), support.create as () => TrackRecognizer, { audioContext: () => ctx, onProgress: (f) => progress.push(f) });
    await new Promise((r) => setTimeout(r, 0));
    const rec = made[0]!;
    expect(rec.processLocally).toBe(true);
    expect(rec.lang).toBe('en-US');
    expect(rec.startedWith).toEqual({ kind: 'audio', readyState: 'live' });
    expect(state.started).toBe(true);
    state.time = 1.5; rec.onresult?.(final(' I can not believe it '));
    state.time = 3.2; rec.onresult?.(final('you promised'));
    state.time = 4; state.ended?.(); // the audio ends: the recognizer stops and the cues come back
    expect(await running).toEqual([
      { start: 0, end: 1.5, text: 'I can not believe it' },
      { start: 1.5, end: 3.2, text: 'you promised' },
    ]);
    expect(progress.at(-1)).toBe(1);
    expect(state.closed).toBe(true);
  });

  it('Cancel stops playback and recognition', async () => {
    const { Recognizer } = fakeRecognizerClass('available');
    const support = await onDeviceSpeechSupport({ SpeechRecognition: Recognizer });
    if (!support.ok) throw new Error(support.reason);
    const { ctx, state } = fakeContext(60);
    const controller = new AbortController();
    const running = transcribeOnDevice(new ArrayBuffer(8), support.create as () => TrackRecognizer, { audioContext: () => ctx, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.stopped).toBe(true);
  });

  it('refuses a recognizer that is not on-device', async () => {
    const { ctx } = fakeContext(1);
    const remote = () => ({ processLocally: false } as unknown as TrackRecognizer);
    await expect(transcribeOnDevice(new ArrayBuffer(8), remote, { audioContext: () => ctx })).rejects.toThrow(/must run on this device/);
  });
});
