// How a result is written and coloured, wherever it is shown: the page (src/ui/) and the files it
// exports (src/export/png.ts) read these, so a PNG says a number and paints an emotion exactly as
// the page does, and the exports never import from the UI.

export const percent = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

/** Ekman-7 colours, mid-tone so they read on light and dark panels alike (and in the PNG export). */
export const EMOTION_COLOURS: Readonly<Record<string, string>> = Object.freeze({
  anger: '#d03b2f',
  disgust: '#6f8f1d',
  fear: '#8a4fbf',
  happiness: '#e0a100',
  sadness: '#2f6fc0',
  surprise: '#d9488f',
  neutral: '#8b929c',
});
/** For label sets other than Ekman-7: a fixed cycle (Tableau 10). */
const FALLBACK_COLOURS = Object.freeze(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']);

export function colourFor(label: string, index: number): string {
  return EMOTION_COLOURS[label.toLowerCase()] ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length] ?? '#888888';
}

/** A clock time for long clips: "0:07", "12:05", "1:02:03" (whole seconds, rounded down). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
