// The browser's speech recognition, used only when it runs on this device. Chromium's default
// (webkitSpeechRecognition) streams the microphone to a Google server, which would break the
// app's promise that nothing leaves the tab; so recognition is offered only when
// `SpeechRecognition.available({ langs, processLocally: true })` says "available" (language pack
// already installed — we never call `install()`, which downloads one), and every recognizer is
// created with `processLocally = true`. Otherwise it stays hidden and one line says why.

/** The text encoder is English (bert-base-uncased word pieces). */
export const SPEECH_LANG = 'en-US';

type Availability = 'available' | 'downloadable' | 'downloading' | 'unavailable';

interface RecognitionResultList { length: number; [i: number]: { isFinal: boolean; 0: { transcript: string } } }
interface RecognitionEvent { resultIndex: number; results: RecognitionResultList }
export interface OnDeviceRecognizer {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  processLocally: boolean;
  onresult: ((e: RecognitionEvent) => void) | null;
  onend: (() => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  start(): void;
  stop(): void;
  abort(): void;
}
interface RecognizerClass {
  new (): OnDeviceRecognizer;
  available?: (o: { langs: string[]; processLocally: boolean }) => Promise<Availability>;
}

export type SpeechSupport = { ok: true; create: () => OnDeviceRecognizer } | { ok: false; reason: string };

export const SPEECH_REASONS = Object.freeze({
  none: 'Speech recognition: not offered by this browser — type what is said instead.',
  remoteOnly: 'Speech recognition is off: this browser cannot promise to run it on this device (it would send your voice to a server) — type what is said instead.',
  notInstalled: 'Speech recognition is off: on-device recognition for English is not installed in this browser (installing it would download a language pack) — type what is said instead.',
  unavailable: 'Speech recognition is off: on-device recognition for English is not available here — type what is said instead.',
});

/** Whether on-device recognition can be used, without starting it (no permission prompt, no network). */
export async function onDeviceSpeechSupport(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): Promise<SpeechSupport> {
  const Ctor = (scope.SpeechRecognition ?? scope.webkitSpeechRecognition) as RecognizerClass | undefined;
  if (typeof Ctor !== 'function') return { ok: false, reason: SPEECH_REASONS.none };
  if (typeof Ctor.available !== 'function') return { ok: false, reason: SPEECH_REASONS.remoteOnly };
  let status: Availability;
  try {
    status = await Ctor.available({ langs: [SPEECH_LANG], processLocally: true });
  } catch {
    return { ok: false, reason: SPEECH_REASONS.remoteOnly };
  }
  if (status === 'downloadable' || status === 'downloading') return { ok: false, reason: SPEECH_REASONS.notInstalled };
  if (status !== 'available') return { ok: false, reason: SPEECH_REASONS.unavailable };
  return {
    ok: true,
    create: () => {
      const r = new Ctor();
      r.processLocally = true; // must be set: the recognizer may not fall back to a server
      r.lang = SPEECH_LANG;
      r.continuous = true;
      r.interimResults = true;
      return r;
    },
  };
}

/**
 * Runs on-device recognition until stopped, restarting after the pauses that end a session.
 * `onText(final, interim)`: the latest finished utterance and what is being heard now.
 */
export function listen(create: () => OnDeviceRecognizer, onText: (final: string, interim: string) => void, onFail: (why: string) => void): () => void {
  let stopped = false;
  let recognizer: OnDeviceRecognizer | null = null;
  const begin = () => {
    const r = create();
    r.onresult = (e) => {
      let final = '';
      let interim = '';
      for (let i = e.resultIndex; i < e.results.length; i++) {
        const res = e.results[i];
        if (!res) continue;
        if (res.isFinal) final += res[0].transcript;
        else interim += res[0].transcript;
      }
      onText(final.trim(), interim.trim());
    };
    r.onerror = (e) => {
      if (e.error === 'no-speech' || e.error === 'aborted') return;
      stopped = true;
      onFail(`Speech recognition stopped (${e.error}).`);
    };
    r.onend = () => {
      if (!stopped) begin();
    };
    recognizer = r;
    r.start();
  };
  begin();
  return () => {
    stopped = true;
    recognizer?.abort();
  };
}
