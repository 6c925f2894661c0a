// Live-mode counters for tests and the benchmark: `window.__merLiveStats()` returns
// `{ predictions, latencies_ms, dropped_segments, backlog, started_at }` (the bench reads
// `live_latency_ms` from `latencies_ms`; keep the names and shape). A latency runs from the end of
// a segment by the capture clock to the animation frame after its prediction reached the
// store. `started_at` is Date.now() at Start. Counters persist after Stop until the next Start.
// `stages_ms` (extra, for the benchmark's breakdown): the last STAGE_HISTORY durations of each
// live stage — face detection + alignment, log-mel, fused graph.

export interface LiveStats {
  predictions: number;
  latencies_ms: number[];
  dropped_segments: number;
  backlog: number;
  started_at: number;
  stages_ms: { face: number[]; audio: number[]; fusion: number[] };
}

/** Latencies and stage times kept (the newest), so a long session's memory stays flat. */
export const STAT_HISTORY = 2000;

const empty = (): LiveStats => ({
  predictions: 0, latencies_ms: [], dropped_segments: 0, backlog: 0, started_at: 0, stages_ms: { face: [], audio: [], fusion: [] },
});
export const liveStats: LiveStats = empty();

export function resetLiveStats(): void {
  Object.assign(liveStats, empty(), { started_at: Date.now() });
}

/** Appends to a bounded history. */
export function record(list: number[], value: number): void {
  list.push(value);
  if (list.length > STAT_HISTORY) list.splice(0, list.length - STAT_HISTORY);
}

declare global {
  interface Window { __merLiveStats?: () => LiveStats }
}

/** Installs the hook (a snapshot each call, so callers cannot change the live counters). */
export function installLiveStatsHook(): void {
  if (typeof window === 'undefined') return;
  window.__merLiveStats = () => ({
    ...liveStats,
    latencies_ms: [...liveStats.latencies_ms],
    stages_ms: { face: [...liveStats.stages_ms.face], audio: [...liveStats.stages_ms.audio], fusion: [...liveStats.stages_ms.fusion] },
  });
}
