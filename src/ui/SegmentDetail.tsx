// The current segment in detail: the face crop the model saw (enlarged, pixels kept sharp) and the
// voice and face decisions for each emotion, as numbers.
import type { AnalysisResult } from '../pipeline/result';
import { percent } from './format';
import { segmentDecision } from '../pipeline/decisions';
import { describeSegment } from './timelineCells';

export function SegmentDetail({ result, index, crop, showCrop }: { result: AnalysisResult; index: number; crop: string | null; showCrop: boolean }) {
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
