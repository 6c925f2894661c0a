// The current segment in detail: the face crop the model saw (enlarged, pixels kept sharp) and the
// voice and face decisions for each emotion, as numbers; with timed captions, the words its window
// gave the text model.
import type { AnalysisResult } from '../pipeline/result';
import type { TextWindow } from '../pipeline/windowTexts';
import { percent } from './format';
import { segmentDecision } from '../pipeline/decisions';
import { describeSegment } from './timelineCells';

/** The words a window of timed captions gave the text model, or that it had none. */
export function WindowWords({ window: w }: { window: TextWindow }) {
  const span = `${Math.round(w.start * 100) / 100}–${Math.round(w.end * 100) / 100} s`;
  return (
    <p className="small window-words" data-testid="window-words" data-start={w.start} data-end={w.end}>
      {w.text
        ? <>Words this stretch gave the text model ({span}): “{w.text}”{w.cut ? ` — only the first ${w.tokens} word pieces were read, ${w.cut} cut` : ''}</>
        : <>No words were spoken in this stretch ({span}): the text was left out here.</>}
    </p>
  );
}

export function SegmentDetail({ result, index, crop, showCrop, textWindow = null }: {
  result: AnalysisResult; index: number; crop: string | null; showCrop: boolean; textWindow?: TextWindow | null;
}) {
  const segment = result.segments[index];
  if (!segment) return null;
  const d = segmentDecision(result, segment);
  const cell = (v: readonly number[] | null, k: number) => (v ? percent(v[k] ?? 0) : '—');
  return (
    <div className="segment-detail" data-testid="segment-detail" data-index={index}>
      {showCrop && (
        <figure className="detail-crop">
          {crop
            ? <img src={crop} alt={`Face crop the model saw in segment ${index + 1}`} width={96} height={96} />
            : <span className="detail-noface">no face found</span>}
          <figcaption className="muted small">what the model saw</figcaption>
        </figure>
      )}
      <div className="detail-numbers">
        <p className="detail-title">{describeSegment(result, index)}</p>
        {textWindow && <WindowWords window={textWindow} />}
        <div className="table-scroll">
          <table className="detail-table">
            <caption className="visually-hidden">Decisions in segment {index + 1}</caption>
            <thead>
              <tr><th scope="col">Emotion</th><th scope="col">Voice</th><th scope="col">Face</th><th scope="col">Both (α)</th></tr>
            </thead>
            <tbody>
              {result.labels.map((label, k) => (
                <tr key={label} className={k === d.top ? 'row-top' : undefined}>
                  <th scope="row">{label}</th>
                  <td>{cell(segment.audio, k)}</td>
                  <td>{cell(segment.visual, k)}</td>
                  <td>{d.probs.length ? percent(d.probs[k] ?? 0) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
