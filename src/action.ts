// What a user action is (excalidraw style): a name, a label for the UI, what it does, and — when a
// key triggers it — the key shown to the user and a key test saying when that key performs it.
// Every action is registered in src/actions.ts (ACTIONS); App and the one key handler read that
// registry. This module holds only the shape, so action modules (src/actions.ts, live/actions.ts)
// import it and not each other.

export interface AppAction<A extends unknown[] = []> {
  name: string;
  label: string;
  /** The key shown in the UI (`<kbd>`, aria-keyshortcuts), as KeyboardEvent.key. */
  key?: string;
  /** True when this keydown should perform the action now (checked in registry order; the first match wins). */
  keyTest?: (e: KeyboardEvent) => boolean;
  perform: (...args: A) => void | Promise<void>;
}

/** An action a key can perform: it takes no arguments. */
export type KeyedAction = AppAction & { keyTest: (e: KeyboardEvent) => boolean };

/** A keydown with Ctrl, Cmd or Alt belongs to the browser or the system, never to an action. */
export const withModifier = (e: KeyboardEvent): boolean => e.ctrlKey || e.metaKey || e.altKey;

/** True while the user types in a text field (a letter key is theirs, not a shortcut). */
export const isTyping = (t: EventTarget | null): boolean =>
  typeof HTMLElement !== 'undefined' && t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** Performs the first action whose key test passes; true when one did. */
export function performKey(actions: readonly KeyedAction[], e: KeyboardEvent): boolean {
  const action = actions.find((a) => a.keyTest(e));
  if (!action) return false;
  e.preventDefault();
  void action.perform();
  return true;
}
