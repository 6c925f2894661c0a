// How far a streamed analysis is and how long it still needs, in words for the progress panel:
// "window 4 of 118 · 112/3750 segments · about 17 min left". The estimate is the average pace
// since the start-up segments (windows cost about the same; an average of all of them is steadier
// than the last window's pace) times the segments left, shown only once enough work is timed.
// Start-up is left out because it is slow once: the video decoder and the models warm up, and an
// hour-long run counted from its first segment said "about 18 min left" for 4.5 minutes of work.
// Pure: the engine feeds it segment counts and times, tests feed it numbers.

/** Segments treated as start-up, whose time is not counted in the pace (a quarter window). */
export const ETA_WARM_UP_SEGMENTS = 8;
/** Segments timed after start-up before the pace is trusted. */
export const ETA_MIN_SEGMENTS = 8;

/** Remaining time in plain words, rounded the way people read a countdown. */
export function formatRemaining(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.round(seconds / 10) * 10} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

export interface ProgressSnapshot {
  /** Segments fully or partly processed (frames read) so far. */
  done: number;
  /** Segments expected in all (from the duration while streaming; exact once the audio ended). */
  total: number;
  /** Window being processed, 1-based, and the number of windows. */
  window: number;
  windows: number;
  /** Estimated seconds left, or null until ETA_MIN_SEGMENTS are timed after start-up. */
  remainingSeconds: number | null;
}

/** Measures the pace of a run of segments and words its progress. */
export class ProgressClock {
  /** Time and segment count when start-up ended (the first snapshot past ETA_WARM_UP_SEGMENTS). */
  private paceFrom: { t: number; done: number } | null = null;

  constructor(private readonly windowSegments: number, private readonly now: () => number = () => performance.now()) {}

  /** Where the run is after `done` of `total` segments (call with 0 when the first window starts). */
  snapshot(done: number, total: number): ProgressSnapshot {
    const t = this.now();
    if (this.paceFrom === null && done >= ETA_WARM_UP_SEGMENTS) this.paceFrom = { t, done };
    const safeTotal = Math.max(total, done, 1);
    const windows = Math.max(1, Math.ceil(safeTotal / this.windowSegments));
    const window = Math.min(windows, Math.floor(Math.min(done, safeTotal - 1) / this.windowSegments) + 1);
    const timed = this.paceFrom ? done - this.paceFrom.done : 0;
    const elapsed = this.paceFrom ? (t - this.paceFrom.t) / 1000 : 0;
    const remainingSeconds = timed >= ETA_MIN_SEGMENTS && elapsed > 0 ? (elapsed / timed) * (safeTotal - done) : null;
    return { done, total: safeTotal, window, windows, remainingSeconds };
  }
}

/** The progress line: windows only when there are several; the estimate once there is one. */
export function describeProgress(p: ProgressSnapshot): string {
  const parts = [];
  if (p.windows > 1) parts.push(`window ${p.window} of ${p.windows}`);
  parts.push(`${p.done}/${p.total} segments`);
  if (p.remainingSeconds !== null && p.done < p.total) parts.push(formatRemaining(p.remainingSeconds));
  return parts.join(' · ');
}

/** A length in words for messages: "3 hours", "1 hour 20 minutes", "45 minutes". */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hours = h ? `${h} hour${h === 1 ? '' : 's'}` : '';
  const mins = m || !h ? `${m} minute${m === 1 ? '' : 's'}` : '';
  return [hours, mins].filter(Boolean).join(' ');
}
