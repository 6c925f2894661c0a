// Progress of each pipeline stage, in order, with what it is doing and, while it runs, a bar (a long
// video's windows stage says "window k of n · done/total segments · about N min left").
import { STAGE_LABELS, STAGES, type StageState, type Stage } from '../state/store';

// After a failure: the stage whose work failed says "failed" (the message above says why, once),
// those that were running "stopped", those never reached "not run" — no step is left "working…".
export const STAGE_STATUS_TEXT: Readonly<Record<StageState['status'], string>> = Object.freeze({
  pending: 'waiting', running: 'working…', done: 'done', skipped: 'skipped', error: 'failed', stopped: 'stopped', 'not-run': 'not run',
});

export function StageList({ stages }: { stages: Record<Stage, StageState> }) {
  return (
    <ol className="stages" aria-label="Analysis steps">
      {STAGES.map((s) => {
        const st = stages[s];
        return (
          <li key={s} className={`stage stage-${st.status}`} data-stage={s} data-status={st.status} title={st.status === 'error' ? st.reason : undefined}>
            <span className="stage-dot" aria-hidden="true" />
            <span className="stage-name">{STAGE_LABELS[s]}</span>
            <span className="muted stage-detail">{STAGE_STATUS_TEXT[st.status]}{st.detail ? ` · ${st.detail}` : ''}</span>
            {st.status === 'running' && st.progress > 0 && (
              <progress className="stage-progress" max={1} value={st.progress} aria-label={`${STAGE_LABELS[s]}: ${Math.round(st.progress * 100)}%`} />
            )}
          </li>
        );
      })}
    </ol>
  );
}
