// Live-mode state (zustand), separate from the file analysis store: which mode the page shows,
// the capture status and its plain-words error, the newest prediction and the last minute of
// them for the chart, the text box, and the drop / backlog counters. As in store.ts, every change
// is a pure reducer (tested in live.test.ts) and the store's actions only apply them.
import { create } from 'zustand';
import { bindReducers, type ActionsOf } from './bindReducers';
import type { CaptureProblem } from '../live/capture';
import type { LivePrediction, LiveRunning, LiveTextStatus } from '../live/reporter';
import { LIVE_HISTORY_SECONDS } from '../live/window';
import type { Backend } from '../protocol';

export type PageMode = 'file' | 'live';
export type LiveStatus = 'idle' | 'starting' | 'running' | 'error';
export type TextStatus = LiveTextStatus;

export type { LivePrediction };

export interface SpeechState {
  /** `checking` until known; `off` = hidden, with `reason`; `listening` = on-device recognition runs. */
  status: 'checking' | 'off' | 'listening';
  reason: string;
  interim: string;
}

export interface LiveState {
  mode: PageMode;
  status: LiveStatus;
  /** What is happening while starting (loading models, asking for the camera). */
  detail: string;
  error: { problem: CaptureProblem | 'pipeline'; message: string } | null;
  notes: string[];
  labels: string[];
  /** The camera/microphone stream, for the preview (null when stopped). */
  stream: MediaStream | null;
  sources: { video: string | null; audio: string | null };
  latest: LivePrediction | null;
  /** Predictions of the last LIVE_HISTORY_SECONDS, oldest first. */
  history: LivePrediction[];
  predictions: number;
  dropped: number;
  backlog: number;
  /** Why there is no prediction for the newest segment (nothing to analyse), or null. */
  waiting: string | null;
  transcript: string;
  text: TextStatus;
  speech: SpeechState;
  backend: Backend | null;
  /** Seconds per segment of the running model (null until a session runs). */
  segmentSeconds: number | null;
}

export const initialLiveState = (): LiveState => ({
  mode: 'file', status: 'idle', detail: '', error: null, notes: [], labels: [], stream: null,
  sources: { video: null, audio: null }, latest: null, history: [], predictions: 0, dropped: 0, backlog: 0,
  waiting: null, transcript: '', text: 'none', speech: { status: 'checking', reason: '', interim: '' }, backend: null,
  segmentSeconds: null,
});

/** Pure state transitions. */
export const liveReducers = Object.freeze({
  mode(s: LiveState, mode: PageMode): LiveState {
    return s.mode === mode ? s : { ...s, mode };
  },
  /** Start pressed: a fresh session keeps the mode, the text box and what is known about speech recognition. */
  starting(s: LiveState, detail: string): LiveState {
    return {
      ...initialLiveState(), mode: s.mode, transcript: s.transcript, text: s.text, speech: s.speech, backend: s.backend,
      segmentSeconds: s.segmentSeconds,
      status: 'starting', detail,
    };
  },
  detail(s: LiveState, detail: string): LiveState {
    return { ...s, detail };
  },
  /** Camera and microphone open while still starting: the preview shows at once. */
  preview(s: LiveState, stream: MediaStream): LiveState {
    return s.status === 'starting' ? { ...s, stream } : s;
  },
  running(s: LiveState, x: LiveRunning): LiveState {
    return { ...s, status: 'running', detail: '', error: null, ...x };
  },
  note(s: LiveState, text: string): LiveState {
    return s.notes.includes(text) ? s : { ...s, notes: [...s.notes, text] };
  },
  predicted(s: LiveState, p: LivePrediction): LiveState {
    const history = [...s.history.filter((h) => h.time > p.time - LIVE_HISTORY_SECONDS), p];
    return { ...s, latest: p, history, predictions: s.predictions + 1, waiting: null };
  },
  waiting(s: LiveState, why: string): LiveState {
    return s.waiting === why ? s : { ...s, waiting: why };
  },
  counters(s: LiveState, dropped: number, backlog: number): LiveState {
    return s.dropped === dropped && s.backlog === backlog ? s : { ...s, dropped, backlog };
  },
  /** Stopped by the user: the last results stay on screen; the stream is gone. */
  stopped(s: LiveState): LiveState {
    return { ...s, status: 'idle', detail: '', stream: null, backlog: 0, speech: s.speech.status === 'listening' ? { ...s.speech, status: 'checking', interim: '' } : s.speech };
  },
  failed(s: LiveState, problem: CaptureProblem | 'pipeline', message: string): LiveState {
    return { ...s, status: 'error', detail: '', stream: null, error: { problem, message } };
  },
  transcript(s: LiveState, text: string): LiveState {
    return { ...s, transcript: text };
  },
  text(s: LiveState, text: TextStatus): LiveState {
    return s.text === text ? s : { ...s, text };
  },
  speech(s: LiveState, patch: Partial<SpeechState>): LiveState {
    return { ...s, speech: { ...s.speech, ...patch } };
  },
});

export type LiveActions = ActionsOf<LiveState, typeof liveReducers>;

export const useLiveStore = create<LiveState & { actions: LiveActions }>()((set) => ({
  ...initialLiveState(),
  actions: bindReducers<LiveState, typeof liveReducers>(liveReducers, set),
}));
