// Start / Stop for live mode, its status in words, and the pipeline's counters.
import type { LiveStatus } from '../state/live';
import { secondsLabel } from '../timebase';

export interface LiveControlsProps {
  status: LiveStatus;
  detail: string;
  startLabel: string;
  stopLabel: string;
  startKey: string;
  stopKey: string;
  predictions: number;
  dropped: number;
  /** Seconds per segment of the running model (null before it is known). */
  segmentSeconds: number | null;
  onStart: () => void;
  onStop: () => void;
}

export function LiveControls(p: LiveControlsProps) {
  const active = p.status === 'running' || p.status === 'starting';
  return (
    <div className="live-controls">
      {active ? (
        <button type="button" onClick={p.onStop} aria-keyshortcuts={`${p.stopKey} ${p.startKey.toUpperCase()}`} data-testid="live-stop">
          {p.stopLabel} <kbd>Esc</kbd>
        </button>
      ) : (
        <button type="button" className="primary" onClick={p.onStart} aria-keyshortcuts={p.startKey.toUpperCase()} data-testid="live-start">
          {p.startLabel} <kbd>{p.startKey.toUpperCase()}</kbd>
        </button>
      )}
      {/* Only state changes are announced; the counters below change every second and are not. */}
      <span className="small muted" role="status" data-testid="live-status" data-status={p.status}>
        {p.status === 'starting' ? p.detail || 'Starting…'
          : p.status === 'running' ? `Live: a new prediction every ${p.segmentSeconds ? secondsLabel(p.segmentSeconds) : 'segment'}.`
            : p.predictions ? `Stopped after ${p.predictions} predictions. Camera and microphone are off.` : 'Camera and microphone are off.'}
      </span>
      {p.status === 'running' && (
        <span className="small muted" data-testid="live-counters">
          {p.predictions} so far{p.dropped ? ` · ${p.dropped} segments skipped to keep up` : ''}
        </span>
      )}
    </div>
  );
}
