// Progress of each pipeline stage, in order, with what it is doing.
import { STAGE_LABELS, STAGES, type StageState, type Stage } from '../state/store';

const STATUS_TEXT: Readonly<Record<StageState['status'], string>> = Object.freeze({
  pending: 'waiting', running: 'working…', done: 'done', skipped: 'skipped', error: 'failed',
});

export function StageList({ stages }: { stages: Record<Stage, StageState> }) {
  return (
    <ol className="stages" aria-label="Analysis steps">
      {STAGES.map((s) => {
        const st = stages[s];
        return (
          <li key={s} className={`stage stage-${st.status}`} data-stage={s} data-status={st.status}>
            <span className="stage-dot" aria-hidden="true" />
            <span className="stage-name">{STAGE_LABELS[s]}</span>
            <span className="muted">{STATUS_TEXT[st.status]}{st.detail ? ` · ${st.detail}` : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}
