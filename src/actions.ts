// Every user action in one place (excalidraw style): a name, a label, what it does and its key
// (src/action.ts). ACTIONS is the registry: App renders buttons from it and `handleKey`, the one
// key handler, runs the first action whose key test passes; nothing else starts or stops work.
import { chooseBackend, parseBackendPreference, requestAdapter } from './inference/backend';
import { humanizeError, isAbort, UserFacingError } from './pipeline/errors';
import { engine, type PipelineReporter } from './pipeline/engine';
import { decodeShareLink, encodeShareLink, hasShareLink, ShareLinkError } from './share/shareLink';
import { performKey, withModifier, type AppAction, type KeyedAction } from './action';
import { LIVE_ACTIONS, liveStartAction, liveStopAction, liveTranscriptAction, modeAction } from './live/actions';
import { shownResult, useAppStore, type SampleClip } from './state/store';
import { segmentsCsv, summaryCsv } from './export/csv';
import { downloadBlob, exportFileName } from './export/download';
import { resultJson } from './export/json';
import { pageManifest } from './inference/pageManifest';
import { trustSentence } from './pipeline/reliability';
import { resultPng } from './export/png';
import { cropDataUrls } from './ui/cropImages';
import { captionsToTranscript, looksLikeSubtitles, planDrop, readSubtitleFile } from './features/text/captions';
import { transcribeOnDevice, type TrackRecognizer } from './features/text/fileSpeech';
import { onDeviceSpeechSupport } from './live/speech';

let controller: AbortController | null = null;

function reporter(): PipelineReporter {
  const { actions } = useAppStore.getState();
  return { stage: actions.stage, download: actions.download, note: actions.note, backend: actions.backend };
}

export type { AppAction };

/** The last video analysed here: choosing another of its subtitle tracks analyses it again. */
let lastVideo: File | null = null;

/**
 * Analyses `file`; `subtitleTrack` chooses which of its own subtitle tracks to read when the box
 * is empty (default: the first text track).
 */
export const analyzeAction: AppAction<[File, (number | null)?]> = {
  name: 'analyze',
  label: 'Analyse video',
  async perform(file, subtitleTrack = null) {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    lastVideo = file;
    const { actions } = useAppStore.getState();
    releaseMedia();
    actions.start(file.name);
    // The player plays the file itself, from memory: an object URL never leaves the tab.
    actions.media(URL.createObjectURL(file));
    try {
      const preference = parseBackendPreference(new URLSearchParams(location.search).get('backend'));
      const { transcript, transcriptCues } = useAppStore.getState();
      const report: PipelineReporter = {
        ...reporter(),
        faceCrops: (crops) => { if (controller === own) actions.crops(cropDataUrls(crops)); },
        textWindows: (windows) => { if (controller === own) actions.textWindows(windows); },
        embeddedSubtitles: (found) => {
          if (controller === own) actions.embeddedSubtitles({ file: file.name, tracks: found.tracks, used: found.used?.index ?? null }, found.name, found.words);
        },
      };
      const result = await engine.analyze(file, report, own.signal, { backend: preference, transcript, cues: transcriptCues, subtitleTrack });
      if (controller === own) actions.finish(result);
    } catch (e) {
      if (controller !== own) return; // superseded by a newer run
      if (isAbort(e)) actions.cancel();
      else {
        if (!(e instanceof UserFacingError)) console.error(e);
        actions.fail(humanizeError(e));
      }
    } finally {
      if (controller === own) controller = null;
    }
  },
};

export const cancelAction: AppAction = {
  name: 'cancel',
  label: 'Cancel',
  key: 'Escape',
  keyTest: (e) => e.key === 'Escape' && !withModifier(e) && useAppStore.getState().phase === 'running',
  perform() {
    controller?.abort();
  },
};

export const resetAction: AppAction = {
  name: 'reset',
  label: 'Analyse another video',
  perform() {
    controller?.abort();
    releaseMedia();
    useAppStore.getState().actions.reset();
  },
};

/** Frees the previous file's object URL (the player's source) before it is replaced or dropped. */
function releaseMedia(): void {
  const { mediaUrl, actions } = useAppStore.getState();
  if (mediaUrl) URL.revokeObjectURL(mediaUrl);
  actions.media(null);
}

/** A timeline cell chosen (click, Enter or Space): it becomes current and the player seeks to its start. */
export const chooseSegmentAction: AppAction<[number]> = {
  name: 'choose-segment',
  label: 'Go to segment',
  perform(index) {
    useAppStore.getState().actions.chooseSegment(index);
  },
};

/** The result on screen (analysed or shared) and, for an analysis made here, its face crops. */
function exportable() {
  const state = useAppStore.getState();
  const result = shownResult(state);
  // The transcript the run used is known for an analysis made here; a shared link does not say.
  const transcript = state.shared ? null : state.usedTranscript?.kind ?? null;
  const textWindows = state.shared ? null : state.textWindows;
  return result ? { result, crops: state.shared ? null : state.crops, transcript, textWindows, shared: Boolean(state.shared) } : null;
}

/** How far to trust an analysis made here (the page's model measured it); a shared link's model is not known. */
async function trustOf(x: NonNullable<ReturnType<typeof exportable>>): Promise<string | null> {
  if (x.shared) return null;
  return pageManifest().then((m) => trustSentence(m.metrics, x.result), () => null);
}

type Exportable = NonNullable<ReturnType<typeof exportable>> & { trust: string | null };

/** One download of the shown result: its action name, label, file suffix and contents. */
function exportAction(name: string, label: string, suffix: string, blob: (x: Exportable) => Blob | Promise<Blob>): AppAction {
  return {
    name,
    label,
    async perform() {
      const found = exportable();
      if (!found) return;
      const x = { ...found, trust: await trustOf(found) };
      downloadBlob(await blob(x), exportFileName(x.result.file, suffix));
    },
  };
}

export const EXPORT_ACTIONS = Object.freeze([
  exportAction('export-json', 'Result (JSON)', 'emotions.json', (x) => new Blob([resultJson(x.result, x.transcript, x.textWindows, x.trust)], { type: 'application/json' })),
  exportAction('export-segments-csv', 'Segments (CSV)', 'segments.csv', (x) => new Blob([segmentsCsv(x.result)], { type: 'text/csv' })),
  exportAction('export-summary-csv', 'Summary (CSV)', 'summary.csv', (x) => new Blob([summaryCsv(x.result, x.transcript, x.textWindows, x.trust)], { type: 'text/csv' })),
  exportAction('export-png', 'Chart and timeline (PNG)', 'chart.png', (x) => resultPng(x.result, x.crops, x.transcript, x.trust)),
] as const);

const isSampleClip = (v: unknown): v is SampleClip => {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['file', 'title', 'transcript', 'source', 'licence'].every((k) => typeof o[k] === 'string')
    && /^[\w.-]+\.(mp4|webm)$/.test(o.file as string);
};

/**
 * Looks for the sample clip once per page (public/sample/sample.json); a build without one hides the
 * button and asks for nothing (vite.config.ts says at build time whether the file is there).
 */
export const findSampleAction: AppAction = {
  name: 'find-sample',
  label: 'Look for the sample clip',
  async perform() {
    if (import.meta.env.VITE_SAMPLE_CLIP !== true) return;
    try {
      const res = await fetch(new URL('sample/sample.json', document.baseURI));
      const info: unknown = res.ok && /json/.test(res.headers.get('content-type') ?? '') ? await res.json() : null;
      useAppStore.getState().actions.sampleFound(isSampleClip(info) ? info : null);
    } catch {
      useAppStore.getState().actions.sampleFound(null);
    }
  },
};

/** Analyses the sample clip with its transcript, exactly as if the user had dropped it. */
export const trySampleAction: AppAction = {
  name: 'try-sample',
  label: 'Try the sample clip',
  async perform() {
    const { sample, actions } = useAppStore.getState();
    if (!sample) return;
    try {
      const res = await fetch(new URL(`sample/${sample.file}`, document.baseURI));
      if (!res.ok) throw new Error(String(res.status));
      const file = new File([await res.blob()], sample.file, { type: sample.file.endsWith('.webm') ? 'video/webm' : 'video/mp4' });
      actions.transcript(sample.transcript);
      await analyzeAction.perform(file);
    } catch {
      actions.fail('The sample clip could not be loaded. Drop a video of your own instead.');
    }
  },
};

export interface ShareOptions {
  /** The "include transcript" box (unticked by default). */
  includeTranscript: boolean;
  /** Leave the file name out of the link (it can say more than the sender means to). */
  omitFileName: boolean;
}

/** Makes a link to the current result (origin + path + `#r=v1.…`) and copies it when the browser lets us. */
export const shareAction: AppAction<[ShareOptions]> = {
  name: 'share',
  label: 'Copy share link',
  async perform({ includeTranscript, omitFileName }) {
    const { result, transcript, actions } = useAppStore.getState();
    if (!result) return;
    let link: string;
    try {
      const fragment = encodeShareLink(omitFileName ? { ...result, file: '' } : result, { includeTranscript, transcript });
      link = location.origin + location.pathname + fragment;
    } catch (e) {
      actions.shareMade({ link: null, error: e instanceof ShareLinkError ? e.message : 'This result could not be turned into a link.', copied: false });
      return;
    }
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      // No clipboard permission (or an insecure context): the link is shown to copy by hand.
    }
    if (useAppStore.getState().result === result) actions.shareMade({ link, error: null, copied });
  },
};

/** Opens the share link in the address (on load and on `hashchange`); does nothing without one. */
export const openSharedAction: AppAction<[string]> = {
  name: 'open-shared',
  label: 'Open shared result',
  perform(hash) {
    const { actions, shared, sharedError } = useAppStore.getState();
    if (!hasShareLink(hash)) {
      if (shared || sharedError) actions.closeShared();
      return;
    }
    const decoded = decodeShareLink(hash);
    if (decoded.ok) actions.openShared(decoded.result);
    else actions.sharedFailed(decoded.error);
  },
};

/** Leaves the shared view (or its error) for the analyser, dropping the link from the address. */
export const closeSharedAction: AppAction = {
  name: 'close-shared',
  label: 'Back to the analyser',
  perform() {
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    useAppStore.getState().actions.closeShared();
  },
};

/** The on-device recognizer factory when this browser has one (found by detectSpeechAction). */
let speechRecognizer: (() => TrackRecognizer) | null = null;
let transcribing: AbortController | null = null;

/** On load: whether a dropped file's speech can be transcribed on this device (never by a server). */
export const detectSpeechAction: AppAction = {
  name: 'detect-speech',
  label: 'Look for on-device speech recognition',
  async perform() {
    const support = await onDeviceSpeechSupport();
    speechRecognizer = support.ok ? (support.create as () => TrackRecognizer) : null;
    useAppStore.getState().actions.speechSupport(support.ok, support.ok ? null : support.reason);
  },
};

/** Stops a transcription that is running (the video is then not analysed). */
export const cancelTranscriptionAction: AppAction = {
  name: 'cancel-transcription',
  label: 'Cancel transcription',
  perform() {
    transcribing?.abort();
  },
};

/**
 * The video's speech, recognised on this device, as the transcript (timed cues, like captions);
 * false when it was cancelled or failed (said under the box).
 */
async function transcribeFirst(video: File): Promise<boolean> {
  const { actions } = useAppStore.getState();
  if (!speechRecognizer) return true;
  const own = new AbortController();
  transcribing = own;
  actions.speechProgress(0);
  try {
    const cues = await transcribeOnDevice(await video.arrayBuffer(), speechRecognizer, {
      signal: own.signal, onProgress: (f) => actions.speechProgress(f),
    });
    const text = cues.map((c) => c.text).join(' ');
    actions.transcript(text, { kind: 'subtitles', name: 'speech recognised on this device' },
      text ? `Transcribed on this device: ${cues.length} utterance${cues.length === 1 ? '' : 's'}.` : 'No speech was recognised in this video.', cues);
    return true;
  } catch (e) {
    actions.transcriptNotice(isAbort(e) ? 'Transcription cancelled; the video was not analysed.' : humanizeError(e));
    return false;
  } finally {
    if (transcribing === own) transcribing = null;
    actions.speechProgress(null);
  }
}

/** On load: the backend this browser is expected to use, so the badge shows before any analysis. */
export const detectBackendAction: AppAction = {
  name: 'detect-backend',
  label: 'Detect the inference backend',
  async perform() {
    const preference = parseBackendPreference(new URLSearchParams(location.search).get('backend'));
    const found = preference === 'wasm' ? null : await requestAdapter();
    useAppStore.getState().actions.expectedBackend(chooseBackend(found?.description ?? null, preference));
  },
};

/**
 * The transcript box changed (typed or pasted). SRT/VTT text is read as captions: its plain text
 * becomes the transcript, never its timestamps and cue numbers (the text model would read them).
 */
export const transcriptAction: AppAction<[string]> = {
  name: 'transcript',
  label: 'Transcript',
  perform(text) {
    const { actions } = useAppStore.getState();
    if (!looksLikeSubtitles(text)) return actions.transcript(text);
    const captions = captionsToTranscript(text, null);
    if (captions.ok) actions.transcript(captions.transcript, { kind: 'subtitles', name: 'pasted captions' }, captions.notice, captions.timed);
    else actions.transcript(text, { kind: 'typed' }, captions.error);
  },
};

/** A .srt/.vtt file dropped or picked (on the drop zone, with a video, or on the transcript box). */
export const loadSubtitlesAction: AppAction<[File]> = {
  name: 'load-subtitles',
  label: 'Load subtitles (.srt, .vtt)',
  async perform(file) {
    const { actions } = useAppStore.getState();
    const captions = await readSubtitleFile(file);
    if (!captions.ok) return actions.transcriptNotice(captions.error);
    actions.transcript(captions.transcript, { kind: 'subtitles', name: file.name },
      captions.notice ?? `Read ${captions.cues} caption${captions.cues === 1 ? '' : 's'} from “${file.name}” as the transcript.`, captions.timed);
  },
};

/**
 * One of the analysed video's own subtitle tracks chosen under the result: the video is analysed
 * again with that track's words. Choosing a track is choosing its words over the box's, so the box
 * is emptied first (a transcript given always wins over the file's own subtitles).
 */
export const useSubtitleTrackAction: AppAction<[number]> = {
  name: 'use-subtitle-track',
  label: 'Use this subtitle track',
  async perform(index) {
    const { actions, embeddedSubtitles } = useAppStore.getState();
    if (!lastVideo || embeddedSubtitles?.file !== lastVideo.name) return;
    actions.transcript('');
    await analyzeAction.perform(lastVideo, index);
  },
};

/**
 * Files dropped or picked on the drop zone: a subtitle file becomes the transcript, a video is
 * analysed with it, and what is plainly not a video (a .txt, a picture) is refused in a sentence
 * before anything loads.
 */
export const dropFilesAction: AppAction<[File[]]> = {
  name: 'drop-files',
  label: 'Analyse video',
  async perform(files) {
    const { actions } = useAppStore.getState();
    const plan = planDrop(files);
    if (plan.subtitles) await loadSubtitlesAction.perform(plan.subtitles);
    if (!plan.video) {
      if (plan.refused.length) actions.refuse(plan.refused.join(' '));
      return;
    }
    // "Transcribe the speech on this device" ticked and no words given: recognise them first.
    const { speech, transcript } = useAppStore.getState();
    if (speech.on && !plan.subtitles && !transcript.trim() && !(await transcribeFirst(plan.video))) return;
    const run = analyzeAction.perform(plan.video);
    for (const why of plan.refused) actions.note(why);
    await run;
  },
};

/** The registry: every user action by name (App reads its actions here). */
export const ACTIONS = Object.freeze({
  analyze: analyzeAction, cancel: cancelAction, reset: resetAction, share: shareAction, openShared: openSharedAction,
  closeShared: closeSharedAction, chooseSegment: chooseSegmentAction, exports: EXPORT_ACTIONS, findSample: findSampleAction,
  trySample: trySampleAction, transcript: transcriptAction, loadSubtitles: loadSubtitlesAction, dropFiles: dropFilesAction,
  useSubtitleTrack: useSubtitleTrackAction,
  detectBackend: detectBackendAction, detectSpeech: detectSpeechAction, cancelTranscription: cancelTranscriptionAction,
  liveStart: liveStartAction, liveStop: liveStopAction, liveTranscript: liveTranscriptAction, mode: modeAction,
});

/** Every action, for listing (names are unique: a test checks). */
export const ALL_ACTIONS: readonly AppAction<never[]>[] = Object.freeze([
  ...Object.values(ACTIONS).flatMap((a) => (Array.isArray(a) ? a : [a])) as AppAction<never[]>[],
]);

/** The actions keys can perform, in the order their key tests are tried (live mode's first, as before). */
const KEYED: readonly KeyedAction[] = Object.freeze(
  [...LIVE_ACTIONS, ...ALL_ACTIONS].filter((a, i, all): a is KeyedAction => Boolean(a.keyTest) && all.indexOf(a) === i),
);

/** The one key handler: runs the first action whose key test passes. */
export function handleKey(e: KeyboardEvent): void {
  performKey(KEYED, e);
}
