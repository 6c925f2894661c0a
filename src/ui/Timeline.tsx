// The per-segment timeline under the player: one cell per 0.96 s segment, coloured by its top
// emotion, with the face crop the model saw above it and two marks below (voice heard, face found;
// hollow when missing). A cell is a button — click, Enter or Space chooses it (and seeks the video
// when there is one); arrows, Home, End, PageUp/PageDown move between cells (one tab stop).
// The current cell (playing or chosen) is outlined and described in words beside the strip.
import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AnalysisResult, SegmentResult } from '../pipeline/result';
import { colourFor, coverage, describeSegment, formatSeconds, nextCell, segmentDecision } from './timeline';
import { SegmentDetail } from './SegmentDetail';

export interface TimelineProps {
  result: AnalysisResult;
  /** Face crop per segment (data URLs; null: no face), or null when there are none (shared view). */
  crops: readonly (string | null)[] | null;
  current: number | null;
  /** True when choosing a cell moves a video player. */
  seekable: boolean;
  onChoose: (index: number) => void;
}

export function Timeline({ result, crops, current, seekable, onChoose }: TimelineProps) {
  const { segments, labels } = result;
  const strip = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState<number | null>(null);
  const tabStop = focused ?? current ?? 0;
  const cellAt = (i: number) => strip.current?.querySelector<HTMLButtonElement>(`[data-index="${i}"]`) ?? null;

  // Keep the playing cell in view when the strip scrolls (long videos), without scrolling the page.
  useEffect(() => {
    const box = strip.current;
    const cell = current === null ? null : cellAt(current);
    if (!box || !cell) return;
    const left = cell.offsetLeft - box.offsetLeft;
    if (left < box.scrollLeft || left + cell.offsetWidth > box.scrollLeft + box.clientWidth) {
      box.scrollLeft = Math.max(0, left - box.clientWidth / 2);
    }
  }, [current]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = nextCell(e.key, tabStop, segments.length);
    if (next === null) return;
    e.preventDefault();
    setFocused(next);
    cellAt(next)?.focus();
  };

  // A stable handler (the latest onChoose through a ref) lets the memoised cells skip re-rendering.
  const onChooseRef = useRef(onChoose);
  onChooseRef.current = onChoose;
  const choose = useCallback((i: number) => {
    setFocused(i);
    onChooseRef.current(i);
  }, []);
  const { total, voice, face } = coverage(segments);
  const end = segments[segments.length - 1]?.end ?? 0;
  const showCrops = crops !== null;
  return (
    <section className="panel timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">Segment by segment</h2>
      <p className="muted small" id="timeline-help">
        Each cell is 0.96 s, coloured by its top emotion (voice and face decisions weighted by α).
        {seekable ? ' Choose a cell to play from there; arrow keys move between cells.' : ' Choose a cell for its numbers; arrow keys move between cells.'}
      </p>
      <div
        className={showCrops ? 'cells cells-with-crops' : 'cells'}
        ref={strip}
        role="group"
        aria-label={`Timeline, ${total} segments`}
        aria-describedby="timeline-help"
        onKeyDown={onKeyDown}
      >
        {segments.map((segment, i) => (
          <Cell key={i} result={result} segment={segment} index={i} crop={crops?.[i] ?? null} showCrop={showCrops}
            current={i === current} tabStop={i === tabStop} onChoose={choose} onFocus={setFocused} />
        ))}
      </div>
      <div className="axis muted small" aria-hidden="true">
        <span>0 s</span>
        <span>{formatSeconds(end)}</span>
      </div>
      <ul className="legend small" aria-label="Colours">
        {labels.map((l, i) => (
          <li key={l}><span className="swatch" style={{ background: colourFor(l, i) }} aria-hidden="true" />{l}</li>
        ))}
        <li><span className="swatch swatch-empty" aria-hidden="true" />no voice, no face</li>
        <li><span className="swatch mark-audio" aria-hidden="true" />voice heard</li>
        <li><span className="swatch mark-visual" aria-hidden="true" />face found</li>
        <li><span className="swatch mark-missing" aria-hidden="true" />hollow: missing</li>
      </ul>
      <p className="small" data-testid="coverage">
        Voice heard in {voice} of {total} segments; face found in {face} of {total}.
        {showCrops ? ' The small pictures are the 48 × 48 face crops the model saw.' : ''}
      </p>
      {current !== null && segments[current] && (
        <SegmentDetail result={result} index={current} crop={crops?.[current] ?? null} showCrop={showCrops} />
      )}
      <TimelineTable result={result} />
    </section>
  );
}

interface CellProps {
  result: AnalysisResult;
  segment: SegmentResult;
  index: number;
  crop: string | null;
  showCrop: boolean;
  current: boolean;
  tabStop: boolean;
  onChoose: (index: number) => void;
  onFocus: (index: number) => void;
}

/** One segment's button; memoised so playback re-renders only the cells whose state changed. */
const Cell = memo(function Cell({ result, segment, index, crop, showCrop, current, tabStop, onChoose, onFocus }: CellProps) {
  const d = segmentDecision(result, segment);
  const label = d.top >= 0 ? (result.labels[d.top] ?? '') : '';
  const description = describeSegment(result, index);
  return (
    <button
      type="button"
      className={`cell${current ? ' cell-current' : ''}${d.top < 0 ? ' cell-empty' : ''}`}
      data-testid="timeline-cell"
      data-index={index}
      data-emotion={label || 'none'}
      tabIndex={tabStop ? 0 : -1}
      aria-current={current ? 'true' : undefined}
      aria-label={description}
      title={description}
      onClick={() => onChoose(index)}
      onFocus={() => onFocus(index)}
    >
      {showCrop && (
        <span className="cell-crop">
          {crop ? <img src={crop} alt="" width={48} height={48} data-testid="crop" /> : <span className="cell-noface" />}
        </span>
      )}
      <span className="cell-emotion" style={d.top >= 0 ? { background: colourFor(label, d.top) } : undefined} />
      <span className={`cell-mark mark-audio${segment.audio ? '' : ' mark-missing'}`} />
      <span className={`cell-mark mark-visual${segment.face ? '' : ' mark-missing'}`} />
    </button>
  );
});

/** The whole timeline as a table (the chart's text equivalent); depends on the result only. */
const TimelineTable = memo(function TimelineTable({ result }: { result: AnalysisResult }) {
  const { segments, labels } = result;
  return (
    <details className="timeline-table">
      <summary>The timeline as a table</summary>
      <div className="table-scroll">
        <table>
          <thead>
            <tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Top emotion</th><th scope="col">Voice</th><th scope="col">Face</th></tr>
          </thead>
          <tbody>
            {segments.map((segment, i) => {
              const d = segmentDecision(result, segment);
              const a = segment.audio ? segmentDecision(result, { ...segment, visual: null }) : null;
              const v = segment.visual ? segmentDecision(result, { ...segment, audio: null }) : null;
              const name = (x: typeof d | null) => (x && x.top >= 0 ? `${labels[x.top]} ${((x.probs[x.top] ?? 0) * 100).toFixed(1)}%` : '—');
              return (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>{formatSeconds(segment.start)}–{formatSeconds(segment.end)}</td>
                  <td>{name(d)}</td>
                  <td>{segment.audio ? name(a) : 'no voice'}</td>
                  <td>{segment.visual ? name(v) : 'no face'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
});
