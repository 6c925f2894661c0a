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
/** Other datasets' spellings of those emotions (IEMOCAP's codes, CMU-MOSEI's names), which take their colour. */
const COLOUR_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  ang: 'anger', angry: 'anger', dis: 'disgust', disgusted: 'disgust', fea: 'fear', fearful: 'fear',
  hap: 'happiness', happy: 'happiness', joy: 'happiness', sad: 'sadness', sur: 'surprise', surprised: 'surprise', neu: 'neutral',
});
/** For label sets with other emotions (a custom model's): a fixed cycle (Tableau 10). */
const FALLBACK_COLOURS = Object.freeze(['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']);

const emotionColour = (label: string) => {
  const key = label.toLowerCase();
  return EMOTION_COLOURS[COLOUR_ALIASES[key] ?? key];
};

/**
 * The colour of `labels[index]`, chosen for the whole label set so no two of its emotions share one:
 * the emotion colours when every label has a different one (Ekman-7, CMU-MOSEI's six), else the
 * fixed cycle by position for all (IEMOCAP's six with exc and fru; a custom model's), never a mix
 * in which a cycle colour could look like an emotion colour.
 */
export function colourFor(labels: readonly string[], index: number): string {
  const named = labels.map(emotionColour);
  const own = named.every(Boolean) && new Set(named).size === labels.length ? named[index] : undefined;
  return own ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length] ?? '#888888';
}

/** A clock time for long clips: "0:07", "12:05", "1:02:03" (whole seconds, rounded down). */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
