// Each modality's own decision (voice, face, words) next to the fused one, and — when a modality is
// missing — a plain sentence saying which and why, so nobody reads a left-out modality as a 0 %.
// Voice and face are judged with the transcript masked, and their column names and a line say so.
import { MODALITY_NAMES, ownDecisionsNote, OWN_DECISION_NAMES } from '../pipeline/decisions';
import { MODALITIES, type AnalysisResult, type Modality } from '../pipeline/result';
import { percent } from './format';
import { modalityStatements } from './modalityStatus';

export function ModalityDecisions({ result }: { result: AnalysisResult }) {
  const statements = modalityStatements(result);
  const shown: Modality[] = MODALITIES.filter((m) => result.modalities[m] !== null);
  return (
    <section className="panel" aria-labelledby="modalities-title" data-testid="modalities">
      <h2 id="modalities-title">Each modality’s own decision</h2>
      <p className="muted small" data-testid="own-decisions-note" data-basis={result.modality_basis}>{ownDecisionsNote(result.modality_basis)}</p>
      {statements.length > 0 && (
        <ul className="missing" data-testid="missing-modalities">
          {statements.map((s) => <li key={s.modality} data-modality={s.modality}>{s.text}</li>)}
        </ul>
      )}
      <div className="table-scroll">
        <table className="decisions">
          <caption className="visually-hidden">Probability of each emotion by modality</caption>
          <thead>
            <tr>
              <th scope="col">Emotion</th>
              <th scope="col">Fused</th>
              {MODALITIES.map((m) => (
                // "Voice" + " (without the words)": on a narrow phone the qualifier is read out, not shown
                // (the sentence above says it), so all five columns fit without scrolling.
                <th scope="col" key={m}>
                  {MODALITY_NAMES[m]}<span className="own-qualifier">{OWN_DECISION_NAMES[m].slice(MODALITY_NAMES[m].length)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.labels.map((label, k) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{percent(result.fused[k] ?? 0)}</td>
                {MODALITIES.map((m) => {
                  const v = result.modalities[m];
                  return (
                    <td key={m} className={v ? undefined : 'muted'} data-modality={m}>
                      {v ? percent(v[k] ?? 0) : <span aria-label="not available">—</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length < MODALITIES.length && <p className="muted small">— : not available, left out of the fusion (α = 0).</p>}
    </section>
  );
}
