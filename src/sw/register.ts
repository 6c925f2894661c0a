/// <reference types="vite-plugin-pwa/client" />
// Page side of the service worker: registers it as soon as the app starts (so it controls the page
// before the first analysis loads the runtime) and applies updates without ever stranding a user
// on an old version or throwing away their work:
// - a new version found while nothing would be lost (no analysis running, no result or shared
//   view on screen, empty transcript box, live mode closed) is applied at once: it takes over and the page reloads;
// - otherwise a notice offers "Reload to update" (UpdateNotice), and the new version also takes
//   over by itself the next time every tab of the app is closed (the browser's normal rule).
import { useSyncExternalStore } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { useLiveStore } from '../state/live';
import { useAppStore } from '../state/store';
import { isRepairedMessage } from './runtimeIntegrity';
import { nothingToLose } from './updatePolicy';

let updateReady = false;
let applyUpdate: (() => Promise<void>) | null = null;
const listeners = new Set<() => void>();

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  // A damaged runtime file was replaced (src/sw/runtimeIntegrity.ts): say so in plain words.
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (isRepairedMessage(e.data)) useAppStore.getState().actions.note(e.data.text);
  });
  applyUpdate = registerSW({
    immediate: true,
    onNeedRefresh() {
      if (nothingToLose(useAppStore.getState(), useLiveStore.getState().mode === 'live')) {
        void applyUpdate?.();
        return;
      }
      updateReady = true;
      for (const l of listeners) l();
    },
    onRegisterError(e: unknown) {
      // The app works without it (only offline use is lost): say so in the console, not in the UI.
      console.warn('Service worker registration failed; offline use is unavailable.', e);
    },
  });
}

/** Hands the page over to the waiting version (the page reloads once it has taken control). */
export function reloadToUpdate(): void {
  void applyUpdate?.();
}

export function useUpdateReady(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => updateReady,
  );
}
