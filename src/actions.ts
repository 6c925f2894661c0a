// Every user action in one place (excalidraw style): a name, a label, what it does and its key.
// The UI renders buttons and key bindings from these objects; nothing else starts or stops work.
import { parseBackendPreference } from './inference/backend';
import { humanizeError, isAbort, UserFacingError } from './pipeline/errors';
import { engine, type PipelineReporter } from './pipeline/engine';
import { decodeShareLink, encodeShareLink, hasShareLink, ShareLinkError } from './share/shareLink';
import { useAppStore } from './state/store';

let controller: AbortController | null = null;

function reporter(): PipelineReporter {
  const { actions } = useAppStore.getState();
  return { stage: actions.stage, download: actions.download, note: actions.note, backend: actions.backend };
}

export interface AppAction<A extends unknown[] = []> {
  name: string;
  label: string;
  /** Key binding (KeyboardEvent.key), if any. */
  key?: string;
  perform: (...args: A) => void | Promise<void>;
}

export const analyzeAction: AppAction<[File]> = {
  name: 'analyze',
  label: 'Analyse video',
  async perform(file) {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    const { actions } = useAppStore.getState();
    actions.start(file.name);
    try {
      const preference = parseBackendPreference(new URLSearchParams(location.search).get('backend'));
      const { transcript } = useAppStore.getState();
      const result = await engine.analyze(file, reporter(), own.signal, { backend: preference, transcript });
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
  perform() {
    controller?.abort();
  },
};

export const resetAction: AppAction = {
  name: 'reset',
  label: 'Analyse another video',
  perform() {
    controller?.abort();
    useAppStore.getState().actions.reset();
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

export const ACTIONS = Object.freeze([analyzeAction, cancelAction, resetAction, shareAction, openSharedAction, closeSharedAction] as const);

/** Runs the action bound to a key, if one is and it applies in the current phase. */
export function handleKey(e: KeyboardEvent): void {
  if (e.key === cancelAction.key && useAppStore.getState().phase === 'running') {
    e.preventDefault();
    void cancelAction.perform();
  }
}
