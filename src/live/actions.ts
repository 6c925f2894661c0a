// Live mode's user actions (excalidraw style, registered in src/actions.ts): switch mode, start,
// stop, type what is being said, and the keys that start and stop (their key tests). Only these
// start or stop a live session; at most one runs at a time.
import { isTyping, withModifier, type AppAction } from '../action';
import { parseBackendPreference } from '../inference/backend';
import { preloadModels } from '../inference/preload';
import { engine } from '../pipeline/engine';
import { useAppStore } from '../state/store';
import { useLiveStore, type PageMode } from '../state/live';
import type { LiveReporter } from './reporter';
import { LiveSession } from './session';
import { listen, onDeviceSpeechSupport, type SpeechSupport } from './speech';
import { installLiveStatsHook } from './stats';

installLiveStatsHook();

let session: LiveSession | null = null;
let controller: AbortController | null = null;
let stopListening: (() => void) | null = null;
let speechSupport: Promise<SpeechSupport> | null = null;
let textTimer: ReturnType<typeof setTimeout> | null = null;
/** Typing pauses this long before the text is re-encoded (one encode per pause, not per key). */
const TEXT_DEBOUNCE_MS = 400;

const live = () => useLiveStore.getState();

/** The session's reporter, bound to the live store (and the app store for model downloads and the backend). */
function liveReporter(): LiveReporter {
  const a = live().actions;
  const app = useAppStore.getState().actions;
  return {
    models: { download: app.download, backend: app.backend },
    starting: a.starting, preview: a.preview, detail: a.detail, note: a.note, running: a.running, text: a.text,
    waiting: a.waiting, predicted: a.predicted, counters: a.counters, failed: a.failed,
  };
}

/** Live mode shows and a session is running or starting. */
const liveActive = () => live().mode === 'live' && (live().status === 'running' || live().status === 'starting');
/** L, outside a text field, in live mode: starts, or stops a running session. */
const liveToggleKey = (e: KeyboardEvent) =>
  live().mode === 'live' && !withModifier(e) && e.key.toLowerCase() === 'l' && !isTyping(e.target);

export const liveStartAction: AppAction = {
  name: 'live-start',
  label: 'Start camera and microphone',
  key: 'l',
  keyTest: (e) => liveToggleKey(e) && !liveActive(),
  async perform() {
    if (session) return;
    if (useAppStore.getState().phase === 'running') {
      live().actions.failed('other', 'A video is being analysed. Wait for it to finish (or cancel it) before starting live mode.');
      return;
    }
    const own = new LiveSession(liveReporter());
    session = own;
    controller = new AbortController();
    own.setTranscript(live().transcript);
    const backend = parseBackendPreference(new URLSearchParams(location.search).get('backend'));
    await own.start({ backend, signal: controller.signal });
    if (session !== own) return;
    if (live().status !== 'running') {
      session = null;
      return;
    }
    void startSpeech();
  },
};

export const liveStopAction: AppAction = {
  name: 'live-stop',
  label: 'Stop',
  key: 'Escape',
  keyTest: (e) => liveActive() && !withModifier(e) && (e.key === 'Escape' || liveToggleKey(e)),
  async perform() {
    const own = session;
    session = null;
    stopListening?.();
    stopListening = null;
    controller?.abort();
    controller = null;
    if (!own) return;
    await own.stop();
    live().actions.stopped();
  },
};

/** What is being said, typed (or heard on the device): re-encoded once typing pauses, and only if it changed. */
export const liveTranscriptAction: AppAction<[string]> = {
  name: 'live-transcript',
  label: 'What is being said',
  perform(text) {
    live().actions.transcript(text);
    if (textTimer !== null) clearTimeout(textTimer);
    textTimer = setTimeout(() => session?.setTranscript(live().transcript), TEXT_DEBOUNCE_MS);
  },
};

export const modeAction: AppAction<[PageMode]> = {
  name: 'mode',
  label: 'Mode',
  async perform(mode) {
    if (mode === 'file' && session) await liveStopAction.perform();
    live().actions.mode(mode);
    if (mode === 'live') void checkSpeech();
    // The models load as live mode opens, so Start finds them ready or joins the load (issue 16).
    if (mode === 'live') void preloadModels(engine, { onlyIfCached: false });
  },
};

/** Finds out once whether on-device speech recognition exists (hidden otherwise, with one line why). */
async function checkSpeech(): Promise<SpeechSupport> {
  speechSupport ??= onDeviceSpeechSupport();
  const support = await speechSupport;
  if (!support.ok) live().actions.speech({ status: 'off', reason: support.reason });
  return support;
}

async function startSpeech(): Promise<void> {
  const support = await checkSpeech();
  if (!support.ok || !session) return;
  live().actions.speech({ status: 'listening', reason: '', interim: '' });
  stopListening = listen(
    support.create,
    (final, interim) => {
      live().actions.speech({ interim });
      if (final) liveTranscriptAction.perform(final);
    },
    (why) => live().actions.speech({ status: 'off', reason: why, interim: '' }),
  );
}

export const LIVE_ACTIONS = Object.freeze([liveStartAction, liveStopAction, liveTranscriptAction, modeAction] as const);
