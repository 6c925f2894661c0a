import { describe, expect, it } from 'vitest';
import { CAPTURE_MESSAGES, CaptureError, explainMediaError, openCapture, type CaptureEnvironment } from './capture';
import { onDeviceSpeechSupport, SPEECH_REASONS } from './speech';

const fail = (name: string) => new DOMException('browser text', name);

/** A stand-in MediaStream with the given track kinds (Node has none). */
const stream = (...kinds: string[]) => {
  const tracks = kinds.map((kind) => ({ kind, label: kind, stop() {} }));
  return {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  } as unknown as MediaStream;
};

const env = (getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>, secure = true): CaptureEnvironment => ({
  isSecureContext: secure, origin: 'http://192.168.1.20:4173', mediaDevices: { getUserMedia },
});

describe('explainMediaError', () => {
  it.each([
    ['NotAllowedError', 'denied'], ['SecurityError', 'denied'], ['NotFoundError', 'no-device'],
    ['OverconstrainedError', 'no-device'], ['NotReadableError', 'busy'], ['AbortError', 'busy'], ['TypeError', 'other'],
  ])('%s -> %s, in plain words', (name, problem) => {
    const e = explainMediaError(fail(name));
    expect(e.problem).toBe(problem);
    expect(e.message).not.toMatch(/DOMException|NotAllowedError|undefined/);
    expect(e.message.length).toBeGreaterThan(40);
  });
});

describe('openCapture', () => {
  it('refuses an insecure page and a browser without mediaDevices before asking anything', async () => {
    await expect(openCapture(env(() => Promise.reject(new Error('asked')), false))).rejects.toMatchObject({
      problem: 'insecure', message: CAPTURE_MESSAGES.insecure('http://192.168.1.20:4173'),
    });
    await expect(openCapture({ isSecureContext: true, origin: '', mediaDevices: undefined })).rejects.toMatchObject({ problem: 'unsupported' });
  });

  it('opens camera and microphone together when both are there', async () => {
    const got = await openCapture(env(async () => stream('video', 'audio')));
    expect(got.video?.kind).toBe('video');
    expect(got.audio?.kind).toBe('audio');
    expect(got.notes).toEqual([]);
  });

  it('continues with the camera alone when there is no microphone, and says so', async () => {
    const got = await openCapture(env(async (c) => {
      if (c.audio) throw fail('NotFoundError');
      return stream('video');
    }));
    expect(got.audio).toBeNull();
    expect(got.notes[0]).toMatch(/microphone/);
  });

  it('continues with the microphone alone when there is no camera', async () => {
    const got = await openCapture(env(async (c) => {
      if (c.video) throw fail('NotFoundError');
      return stream('audio');
    }));
    expect(got.video).toBeNull();
    expect(got.notes[0]).toMatch(/camera/);
  });

  it('a block is not retried device by device: it is explained at once', async () => {
    let calls = 0;
    const err = await openCapture(env(async () => { calls++; throw fail('NotAllowedError'); })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).problem).toBe('denied');
    expect(calls).toBe(1);
  });

  it('neither device: the first reason is given', async () => {
    await expect(openCapture(env(async () => { throw fail('NotFoundError'); }))).rejects.toMatchObject({ problem: 'no-device' });
  });
});

describe('on-device speech recognition', () => {
  class Recognizer { processLocally = false; lang = ''; continuous = false; interimResults = false; start() {} stop() {} abort() {} }

  it('is off without the API, or when the browser cannot promise on-device recognition', async () => {
    expect(await onDeviceSpeechSupport({})).toEqual({ ok: false, reason: SPEECH_REASONS.none });
    expect(await onDeviceSpeechSupport({ webkitSpeechRecognition: Recognizer })).toEqual({ ok: false, reason: SPEECH_REASONS.remoteOnly });
  });

  it('is off when the language pack would have to be downloaded', async () => {
    const Ctor = Object.assign(class extends Recognizer {}, { available: async () => 'downloadable' });
    expect(await onDeviceSpeechSupport({ SpeechRecognition: Ctor })).toEqual({ ok: false, reason: SPEECH_REASONS.notInstalled });
  });

  it('asks for English on the device, and every recognizer it makes is bound to the device', async () => {
    let asked: unknown = null;
    const Ctor = Object.assign(class extends Recognizer {}, {
      available: async (o: unknown) => { asked = o; return 'available'; },
    });
    const support = await onDeviceSpeechSupport({ SpeechRecognition: Ctor });
    expect(asked).toEqual({ langs: ['en-US'], processLocally: true });
    expect(support.ok).toBe(true);
    if (support.ok) expect(support.create()).toMatchObject({ processLocally: true, lang: 'en-US', continuous: true });
  });
});
