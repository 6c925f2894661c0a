// When a new version of the app may take over the open page without asking: only when reloading
// loses nothing the user made or is waiting for (see register.ts for the whole update flow).
import type { AppState } from '../state/store';

export type UpdateView = Pick<AppState, 'phase' | 'result' | 'shared' | 'transcript'>;

/** True when no analysis is running, no result, shared view or typed transcript is on screen, and
 *  live mode is not open (a reload would stop the camera and drop its chart). */
export function nothingToLose(s: UpdateView, liveModeOpen = false): boolean {
  const settled = s.phase === 'idle' || s.phase === 'cancelled' || s.phase === 'error';
  return settled && !liveModeOpen && !s.result && !s.shared && s.transcript.trim() === '';
}
