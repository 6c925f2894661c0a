// The analysis stages and the download states the pipeline reports (through its reporter) and the
// store keeps: owned by the pipeline, so it never imports the store.

export const STAGES = Object.freeze(['models', 'decode', 'audio', 'face', 'text', 'fusion'] as const);
export type Stage = (typeof STAGES)[number];
export const STAGE_LABELS: Readonly<Record<Stage, string>> = Object.freeze({
  models: 'Load models',
  decode: 'Decode video',
  audio: 'Audio features',
  face: 'Faces',
  text: 'Transcript',
  fusion: 'Fusion model',
});

/**
 * `error`: this stage's own work failed (`reason` says why, the page's message); `stopped`: it was
 * running when another stage failed; `not-run`: the run ended (failed) before it started.
 */
export type StageStatus = 'pending' | 'running' | 'done' | 'skipped' | 'error' | 'stopped' | 'not-run';
export interface StageState { status: StageStatus; progress: number; detail: string; reason?: string }

/** `stopped`: not fetched — never started, or stopped before it finished (nothing partial is kept). */
export type DownloadStatus = 'pending' | 'downloading' | 'verified' | 'cached' | 'error' | 'stopped';
export interface DownloadState { path: string; loaded: number; total: number; status: DownloadStatus }
