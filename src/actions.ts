// Every user action in one place (excalidraw style): a name, a label, what it does and its key.
// The UI renders buttons and key bindings from these objects; nothing else starts or stops work.
import { parseBackendPreference } from './inference/backend';
import { humanizeError, isAbort, UserFacingError } from './pipeline/errors';
import { engine, type PipelineReporter } from './pipeline/engine';
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

export const ACTIONS = Object.freeze([analyzeAction, cancelAction, resetAction] as const);

/** Runs the action bound to a key, if one is and it applies in the current phase. */
export function handleKey(e: KeyboardEvent): void {
  if (e.key === cancelAction.key && useAppStore.getState().phase === 'running') {
    e.preventDefault();
    void cancelAction.perform();
  }
}
