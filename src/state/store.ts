// App state (zustand). Every change is a pure reducer over the state — tested on its own — and
// the store's actions only apply them, so the UI and the pipeline never mutate state directly.
import { create } from 'zustand';
import { bindReducers, type ActionsOf } from './bindReducers';
import type { Backend } from '../protocol';
import type { AnalysisResult } from '../pipeline/result';
import type { Cue } from '../features/text/subtitles';
import type { TextWindow } from '../pipeline/windowTexts';
import type { SubtitleTrack } from '../decode/subtitleTracks';
import type { SharedResult } from '../share/shareLink';
import { STAGES, type DownloadState, type Stage, type StageState } from '../pipeline/stages';
export { STAGES, STAGE_LABELS, type DownloadState, type DownloadStatus, type Stage, type StageState, type StageStatus } from '../pipeline/stages';

export type Phase = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface AppState {
  phase: Phase;
  fileName: string | null;
  stages: Record<Stage, StageState>;
  downloads: Record<string, DownloadState>;
  notes: string[];
  result: AnalysisResult | null;
  error: string | null;
  backend: Backend | null;
  backendDetail: string;
  /** What is said in the video, typed by the user or read from subtitles (optional). */
  transcript: string;
  /** Where the box's text came from: typed (or pasted) by the user, or a subtitle file (its name). */
  transcriptSource: TranscriptSource;
  /** The box's text was already used by a run: the next video starts without it unless kept. */
  transcriptUsed: boolean;
  /** The "keep this transcript for the next video" box. */
  keepTranscript: boolean;
  /** A sentence about the box's text (captions read, cues left out, a subtitle file refused), or null. */
  transcriptNotice: string | null;
  /**
   * The timed cues behind the box's text when it came from captions (a subtitle file, SRT/VTT
   * pasted): each window then gets the words spoken in it. Null for typed text (one text for all).
   */
  transcriptCues: Cue[] | null;
  /** With timed captions: the words each window of the current result was given; null otherwise. */
  textWindows: TextWindow[] | null;
  /**
   * Subtitle tracks inside the analysed file (text ones), which one the run used (null: the box's
   * transcript won, or none could be read); null when the file has none.
   */
  embeddedSubtitles: EmbeddedSubtitles | null;
  /** The backend this browser is expected to use, shown before the first analysis confirms one. */
  expectedBackend: Backend | null;
  /**
   * On-device transcription of a dropped file's speech: offered only where recognition runs on this
   * device (else `reason` says why), the user's choice, and its progress while it runs (null: not running).
   */
  speech: { offered: boolean; reason: string | null; on: boolean; progress: number | null };
  /** The transcript the current (or last) run used: none, typed or subtitles; null before any run. */
  usedTranscript: UsedTranscript | null;
  /** A result opened from a share link (read-only view), or null. */
  shared: SharedResult | null;
  /** Why the share link in the address could not be opened (plain text), or null. */
  sharedError: string | null;
  /** The last share link made for the current result, or why none could be made. */
  share: { link: string | null; error: string | null; copied: boolean };
  /** The analysed file as an object URL for the player (it never leaves the tab); null in a shared view. */
  mediaUrl: string | null;
  /**
   * The face crop the model saw in each segment, as small PNG data URLs (null: no face). Media, so
   * kept beside the result, never in it, in exports of it or in share links.
   */
  crops: (string | null)[] | null;
  /** The timeline's current segment: the one playing, or the one last chosen; null before any. */
  segment: number | null;
  /** A seek the player should make; the nonce changes each time so the same time can be asked again. */
  seek: { time: number; nonce: number } | null;
  /** The sample clip this build has (public/sample/, made by scripts/make-sample-clip.mjs), or null. */
  sample: SampleClip | null;
}

/** Where the transcript box's text came from. */
export type TranscriptSource = { kind: 'typed' } | { kind: 'subtitles'; name: string };

/** The file's own subtitle tracks, as the page offers them. */
export interface EmbeddedSubtitles { file: string; tracks: SubtitleTrack[]; used: number | null }

/** Which transcript a run used, as the result view names it. */
export interface UsedTranscript { kind: 'none' | 'typed' | 'subtitles'; name: string | null; words: number }

/** What a run will use from the box: its text (trimmed) and how to name it. */
export function transcriptForRun(text: string, source: TranscriptSource): UsedTranscript {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'none', name: null, words: 0 };
  return { kind: source.kind, name: source.kind === 'subtitles' ? source.name : null, words: trimmed.split(/\s+/).length };
}

/** The note shown when a new video started without the previous video's transcript. */
export const TRANSCRIPT_CLEARED_NOTE = 'The transcript box was emptied for this video: the previous video’s transcript belongs to that video. Tick “keep this transcript for the next video” to reuse one on purpose.';

/** public/sample/sample.json when a sample clip was generated. */
export interface SampleClip { file: string; title: string; transcript: string; source: string; licence: string }

const freshStages = (): Record<Stage, StageState> =>
  Object.fromEntries(STAGES.map((s) => [s, { status: 'pending', progress: 0, detail: '' }])) as Record<Stage, StageState>;

export const initialState = (): AppState => ({
  phase: 'idle', fileName: null, stages: freshStages(), downloads: {}, notes: [], result: null, error: null,
  backend: null, backendDetail: '', transcript: '', transcriptSource: { kind: 'typed' }, transcriptUsed: false, keepTranscript: false,
  transcriptNotice: null, transcriptCues: null, textWindows: null, embeddedSubtitles: null, usedTranscript: null, expectedBackend: null,
  speech: { offered: false, reason: null, on: false, progress: null },
  shared: null, sharedError: null, share: { link: null, error: null, copied: false },
  mediaUrl: null, crops: null, segment: null, seek: null, sample: null,
});

/** The result on screen: a shared one when a link is open, else the analysis. */
export const shownResult = (s: AppState): AnalysisResult | null => s.shared ?? s.result;

/**
 * Index of the segment that contains `seconds` (segments are contiguous from 0). The tolerance keeps
 * a seek to a segment's own start (segment_seconds × t, not exact in binary) inside that segment.
 */
export function segmentAt(segments: readonly { start: number; end: number }[], seconds: number): number | null {
  if (!segments.length || !Number.isFinite(seconds)) return null;
  let lo = 0;
  let hi = segments.length - 1;
  const t = seconds + 1e-6;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid]?.start ?? Infinity) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A fresh run keeps what outlives one analysis: loaded models, the backend, the transcript box. */
const kept = (s: AppState): AppState => ({
  ...initialState(), downloads: s.downloads, backend: s.backend, backendDetail: s.backendDetail, transcript: s.transcript,
  transcriptSource: s.transcriptSource, transcriptUsed: s.transcriptUsed, keepTranscript: s.keepTranscript,
  transcriptNotice: s.transcriptNotice, transcriptCues: s.transcriptCues, usedTranscript: s.usedTranscript, expectedBackend: s.expectedBackend, speech: s.speech, sample: s.sample,
});

/**
 * After a run ends without its models (failed or cancelled), no file is left "waiting" or
 * "downloading": one the pipeline did not finish was not fetched (`stopped`). A load that goes on
 * for another caller (live mode) reports again, and its reports replace these.
 */
function settleDownloads(downloads: AppState['downloads']): AppState['downloads'] {
  const open = Object.values(downloads).filter((d) => d.status === 'pending' || d.status === 'downloading');
  if (!open.length) return downloads;
  return { ...downloads, ...Object.fromEntries(open.map((d) => [d.path, { ...d, status: 'stopped' as const }])) };
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** Pure state transitions. Each returns a new state (or the same one when nothing changes). */
export const reducers = Object.freeze({
  start(s: AppState, fileName: string): AppState {
    // Downloads and the backend survive a new run: models stay loaded. The transcript belongs to one
    // video: once a run used it, the next video starts with an empty box unless the user kept it.
    const clear = s.transcriptUsed && !s.keepTranscript && s.transcript.trim() !== '';
    const transcript = clear ? '' : s.transcript;
    const transcriptSource: TranscriptSource = clear ? { kind: 'typed' } : s.transcriptSource;
    return {
      ...kept(s), phase: 'running', fileName, shared: null, sharedError: null,
      transcript, transcriptSource, transcriptCues: clear ? null : s.transcriptCues, transcriptUsed: true, usedTranscript: transcriptForRun(transcript, transcriptSource),
      // What the captions lost (cues left out) stays in view for the run that uses them.
      transcriptNotice: clear ? null : s.transcriptNotice,
      notes: clear ? [TRANSCRIPT_CLEARED_NOTE] : s.transcriptNotice && transcript ? [s.transcriptNotice] : [],
    };
  },
  stage(s: AppState, stage: Stage, patch: Partial<StageState>): AppState {
    const prev = s.stages[stage];
    const next: StageState = { ...prev, ...patch, progress: clamp01(patch.progress ?? prev.progress) };
    if (next.status === 'done') next.progress = 1;
    // A failed stage drops what it was doing: its reason is the page's message, said once above the steps.
    if (patch.status === 'error') Object.assign(next, { progress: 0, detail: '' });
    return { ...s, stages: { ...s.stages, [stage]: next } };
  },
  download(s: AppState, path: string, patch: Partial<DownloadState>): AppState {
    const prev = s.downloads[path] ?? { path, loaded: 0, total: 0, status: 'pending' as const };
    return { ...s, downloads: { ...s.downloads, [path]: { ...prev, ...patch, path } } };
  },
  note(s: AppState, text: string): AppState {
    return s.notes.includes(text) ? s : { ...s, notes: [...s.notes, text] };
  },
  backend(s: AppState, backend: Backend, detail: string): AppState {
    return { ...s, backend, backendDetail: detail };
  },
  /**
   * The box changed: typed or pasted (`source` omitted) or filled from captions, with their timed
   * `cues` (each window then gets its own words). Either way it is for the next video.
   */
  transcript(s: AppState, text: string, source: TranscriptSource = { kind: 'typed' }, notice: string | null = null, cues: Cue[] | null = null): AppState {
    return { ...s, transcript: text, transcriptSource: source, transcriptCues: cues?.length ? cues : null, transcriptUsed: false, transcriptNotice: notice };
  },
  /** The words each window was given (timed captions), beside the result like the face crops. */
  textWindows(s: AppState, windows: TextWindow[] | null): AppState {
    return { ...s, textWindows: windows };
  },
  /**
   * The analysed file's own subtitle tracks; `used` the one whose words the run took (the box was
   * empty), then the result names it as the transcript used.
   */
  embeddedSubtitles(s: AppState, found: EmbeddedSubtitles | null, usedName: string | null = null, words = 0): AppState {
    const usedTranscript: UsedTranscript | null = found && found.used !== null && usedName
      ? { kind: 'subtitles', name: usedName, words } : s.usedTranscript;
    return { ...s, embeddedSubtitles: found, usedTranscript };
  },
  /** A dropped file that is plainly not a video (or one too many): said at once, nothing starts. */
  refuse(s: AppState, message: string): AppState {
    return { ...s, error: message };
  },
  /** A sentence about the transcript box that is not a change of its text (a subtitle file refused). */
  transcriptNotice(s: AppState, notice: string | null): AppState {
    return { ...s, transcriptNotice: notice };
  },
  /** Whether on-device transcription can be offered here (and why not). */
  speechSupport(s: AppState, offered: boolean, reason: string | null): AppState {
    return { ...s, speech: { ...s.speech, offered, reason, on: offered && s.speech.on } };
  },
  speechOn(s: AppState, on: boolean): AppState {
    return { ...s, speech: { ...s.speech, on: on && s.speech.offered } };
  },
  speechProgress(s: AppState, progress: number | null): AppState {
    return { ...s, speech: { ...s.speech, progress } };
  },
  expectedBackend(s: AppState, backend: Backend): AppState {
    return { ...s, expectedBackend: backend };
  },
  keepTranscript(s: AppState, keep: boolean): AppState {
    return { ...s, keepTranscript: keep };
  },
  finish(s: AppState, result: AnalysisResult): AppState {
    return { ...s, phase: 'done', result, error: null, share: initialState().share };
  },
  /**
   * The run failed. The pipeline has marked the stage that failed (`error`, with the reason); the
   * others still running were stopped by it, and those not started never ran. When the pipeline
   * named none (an error outside its stages) and one stage alone was running, that one failed.
   */
  fail(s: AppState, message: string): AppState {
    const stages = { ...s.stages };
    const running = STAGES.filter((k) => stages[k].status === 'running');
    const named = STAGES.some((k) => stages[k].status === 'error');
    // What a stage was doing ("manifest") is not why it failed: the message says that, once, above the steps.
    for (const k of STAGES) if (stages[k].status === 'error') stages[k] = { ...stages[k], progress: 0, detail: '' };
    for (const k of running) {
      const failed = !named && running.length === 1;
      stages[k] = { ...stages[k], status: failed ? 'error' : 'stopped', progress: failed ? 0 : stages[k].progress, detail: failed ? '' : stages[k].detail };
    }
    for (const k of STAGES) if (stages[k].status === 'pending') stages[k] = { ...stages[k], status: 'not-run' };
    return { ...s, phase: 'error', error: message, stages, downloads: settleDownloads(s.downloads) };
  },
  /** The user cancelled: steps at work were stopped there (their progress kept), those not started never ran. */
  cancel(s: AppState): AppState {
    const stages = { ...s.stages };
    for (const k of STAGES) if (stages[k].status === 'running') stages[k] = { ...stages[k], status: 'stopped' };
    for (const k of STAGES) if (stages[k].status === 'pending') stages[k] = { ...stages[k], status: 'not-run' };
    return { ...s, phase: 'cancelled', stages, error: null, downloads: settleDownloads(s.downloads) };
  },
  reset(s: AppState): AppState {
    return kept(s);
  },
  shareMade(s: AppState, share: AppState['share']): AppState {
    return { ...s, share };
  },
  /** A share link opened: the read-only view replaces whatever was shown (a running analysis keeps running). */
  openShared(s: AppState, shared: SharedResult): AppState {
    return { ...s, shared, sharedError: null, segment: null, seek: null };
  },
  sharedFailed(s: AppState, message: string): AppState {
    return { ...s, shared: null, sharedError: message };
  },
  closeShared(s: AppState): AppState {
    return { ...s, shared: null, sharedError: null, segment: null, seek: null };
  },
  /** The player's source for this run (the action creates and revokes the object URL). */
  media(s: AppState, mediaUrl: string | null): AppState {
    return { ...s, mediaUrl };
  },
  crops(s: AppState, crops: (string | null)[] | null): AppState {
    return { ...s, crops };
  },
  sampleFound(s: AppState, sample: SampleClip | null): AppState {
    return { ...s, sample };
  },
  /** The player reached `seconds`: the timeline follows it. */
  playhead(s: AppState, seconds: number): AppState {
    const segments = shownResult(s)?.segments ?? [];
    const segment = segmentAt(segments, seconds);
    return segment === s.segment ? s : { ...s, segment };
  },
  /** A timeline cell was chosen: it becomes current, and the player (if any) seeks to its start. */
  chooseSegment(s: AppState, index: number): AppState {
    const segments = shownResult(s)?.segments ?? [];
    const chosen = segments[index];
    if (!chosen) return s;
    const seekable = !s.shared && s.mediaUrl !== null;
    return { ...s, segment: index, seek: seekable ? { time: chosen.start, nonce: (s.seek?.nonce ?? 0) + 1 } : s.seek };
  },
});

export type AppActions = ActionsOf<AppState, typeof reducers>;

export const useAppStore = create<AppState & { actions: AppActions }>()((set) => ({
  ...initialState(),
  actions: bindReducers<AppState, typeof reducers>(reducers, set),
}));
