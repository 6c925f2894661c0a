// The per-segment timeline under the player: one cell per segment (result.segment_seconds), coloured by its top
// emotion, with the face crop the model saw above it and two marks below (voice heard, face found;
// hollow when missing). A cell is a button — click, Enter or Space chooses it (and seeks the video
// when there is one); arrows, Home, End, PageUp/PageDown move between cells (one tab stop).
// The current cell (playing or chosen) is outlined and described in words beside the strip.
// A long clip (more than PAGE_CELLS segments; an hour is 3,750) shows one page of cells at a time
// under an overview of the whole clip: a bar per few segments, coloured by their mean decision;
// choosing a bar goes there, and the page follows the current segment and the keyboard.
// A clip whose cells do not all fit the width (a minute is 63 cells; about 22 show on a desktop,
// 10 on a phone) gets a bar of its whole duration with the visible part framed, so it is plain
// that the strip scrolls and where one is; choosing a point of the bar scrolls there.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { AnalysisResult, SegmentResult } from '../pipeline/result';
import type { Coarse } from '../share/shareLink';
import { cellSpan, coverage, overviewBins, segmentDecision } from '../pipeline/decisions';
import { colourFor, describeSegment, formatClock, formatSeconds, nextCell, PAGE_CELLS, pageOf } from './timelineCells';
import { SegmentDetail } from './SegmentDetail';
import { windowOfSegment, type TextWindow } from '../pipeline/windowTexts';
import { secondsLabel } from '../timebase';
import { percent } from '../format';

export interface TimelineProps {
  /** The result; a shared one may carry `coarse` (its timeline was averaged to fit the link). */
  result: AnalysisResult & { coarse?: Coarse | null };
  /** Face crop per segment (data URLs; null: no face), or null when there are none (shared view). */
  crops: readonly (string | null)[] | null;
  current: number | null;
  /** True when choosing a cell moves a video player. */
  seekable: boolean;
  onChoose: (index: number) => void;
  /** With timed captions: the words each window gave the text model (shown in the segment detail). */
  textWindows?: readonly TextWindow[] | null;
}

export function Timeline({ result, crops, current, seekable, onChoose, textWindows = null }: TimelineProps) {
  const { segments, labels } = result;
  const strip = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState<number | null>(null);
  // The page shown: the one holding the cell the keyboard is on, else the current (playing) one.
  const [anchor, setAnchor] = useState<number>(current ?? 0);
  useEffect(() => { if (current !== null) setAnchor(current); }, [current]);
  const page = pageOf(anchor, segments.length);
  const onPage = (i: number | null): i is number => i !== null && i >= page.first && i < page.first + page.count;
  const tabStop = onPage(focused) ? focused : onPage(current) ? current : page.first;
  const cellAt = (i: number) => strip.current?.querySelector<HTMLButtonElement>(`[data-index="${i}"]`) ?? null;
  const focusAfterRender = useRef<number | null>(null);
  useEffect(() => {
    const i = focusAfterRender.current;
    if (i === null) return;
    focusAfterRender.current = null;
    cellAt(i)?.focus();
  });

  // Which part of the strip is visible (fractions of its width), or null when every cell fits.
  const [view, setView] = useState<{ from: number; to: number } | null>(null);
  const measure = useCallback(() => {
    const box = strip.current;
    if (!box) return;
    const overflow = box.scrollWidth > box.clientWidth + 1;
    const next = overflow ? { from: box.scrollLeft / box.scrollWidth, to: (box.scrollLeft + box.clientWidth) / box.scrollWidth } : null;
    setView((v) => (v?.from === next?.from && v?.to === next?.to ? v : next));
  }, []);
  useEffect(() => {
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  });
  const scrollTo = (fraction: number) => {
    const box = strip.current;
    if (box) box.scrollLeft = Math.max(0, fraction * box.scrollWidth - box.clientWidth / 2);
  };

  // Keep the playing cell in view when the strip scrolls, without scrolling the page.
  useEffect(() => {
    const box = strip.current;
    const cell = current === null ? null : cellAt(current);
    if (!box || !cell) return;
    const left = cell.offsetLeft - box.offsetLeft;
    if (left < box.scrollLeft || left + cell.offsetWidth > box.scrollLeft + box.clientWidth) {
      box.scrollLeft = Math.max(0, left - box.clientWidth / 2);
    }
  }, [current, page.page]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = nextCell(e.key, tabStop, segments.length);
    if (next === null) return;
    e.preventDefault();
    setFocused(next);
    setAnchor(next);
    focusAfterRender.current = next; // the cell may be on a page not drawn yet
    cellAt(next)?.focus();
  };

  // A stable handler (the latest onChoose through a ref) lets the memoised cells skip re-rendering.
  const onChooseRef = useRef(onChoose);
  onChooseRef.current = onChoose;
  const choose = useCallback((i: number) => {
    setFocused(i);
    setAnchor(i);
    onChooseRef.current(i);
  }, []);
  const { total, voice, face } = useMemo(() => coverage(segments), [segments]);
  const end = segments[segments.length - 1]?.end ?? 0;
  const showCrops = crops !== null;
  const span = cellSpan(result);
  const paged = page.pages > 1;
  const pageEnd = segments[page.first + page.count - 1]?.end ?? end;
  const pageStart = segments[page.first]?.start ?? 0;
  const cellWords = span.per > 1
    ? `Each cell is ${span.per} segments of ${secondsLabel(result.segment_seconds)} averaged (${span.seconds.toFixed(2)} s): this shared link carries a shortened timeline of the ${span.segments.toLocaleString('en')} segments.`
    : `Each cell is ${secondsLabel(result.segment_seconds)}, coloured by its top emotion (voice and face decisions, judged without the words, weighted by α).`;
  const cells = [];
  for (let i = page.first; i < page.first + page.count; i++) {
    const segment = segments[i] as SegmentResult;
    cells.push(
      <Cell key={i} result={result} segment={segment} index={i} crop={crops?.[i] ?? null} showCrop={showCrops}
        current={i === current} tabStop={i === tabStop} onChoose={choose} onFocus={setFocused} />,
    );
  }
  return (
    <section className="panel timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">Segment by segment</h2>
      <p className="muted small" id="timeline-help">
        {cellWords}
        {seekable ? ' Choose a cell to play from there; arrow keys move between cells.' : ' Choose a cell for its numbers; arrow keys move between cells.'}
        {paged ? ` A long clip shows ${PAGE_CELLS} cells at a time: the bar above them is the whole clip; choose a part of it to go there.` : ''}
      </p>
      {paged && <Overview result={result} page={page} current={current} onChoose={choose} />}
      {!paged && view && <ScrollOverview result={result} view={view} end={end} onJump={scrollTo} />}
      {paged && (
        <p className="small timeline-page" data-testid="timeline-page">
          <button type="button" disabled={page.page === 0} onClick={() => choose(page.first - PAGE_CELLS)}>Earlier</button>{' '}
          Cells {(page.first + 1).toLocaleString('en')}–{(page.first + page.count).toLocaleString('en')} of {total.toLocaleString('en')}
          {' '}({formatClock(pageStart)}–{formatClock(pageEnd)}){' '}
          <button type="button" disabled={page.page === page.pages - 1} onClick={() => choose(page.first + PAGE_CELLS)}>Later</button>
        </p>
      )}
      <div
        className={showCrops ? 'cells cells-with-crops' : 'cells'}
        ref={strip}
        role="group"
        aria-label={`Timeline, ${total} segments${paged ? `, cells ${page.first + 1} to ${page.first + page.count} shown` : ''}`}
        aria-describedby="timeline-help"
        onKeyDown={onKeyDown}
        onScroll={measure}
      >
        {cells}
      </div>
      <div className="axis muted small" aria-hidden="true">
        {/* The axis spans the cells in view: a page, the visible part of a scrolled strip, or the clip. */}
        <span>{paged ? formatClock(pageStart) : view ? formatClock(view.from * end) : '0 s'}</span>
        <span>{paged ? formatClock(pageEnd) : view ? formatClock(view.to * end) : formatSeconds(end)}</span>
      </div>
      <ul className="legend small" aria-label="Colours">
        {labels.map((l, i) => (
          <li key={l}><span className="swatch" style={{ background: colourFor(labels, i) }} aria-hidden="true" />{l}</li>
        ))}
        <li><span className="swatch swatch-empty" aria-hidden="true" />no voice, no face</li>
        <li><span className="swatch mark-audio" aria-hidden="true" />voice heard</li>
        <li><span className="swatch mark-visual" aria-hidden="true" />face found</li>
        <li><span className="swatch mark-missing" aria-hidden="true" />hollow: missing</li>
      </ul>
      <p className="small" data-testid="coverage">
        Voice heard in {voice} of {total} {span.per > 1 ? 'cells' : 'segments'}; face found in {face} of {total}.
        {showCrops ? ' The small pictures are the 48 × 48 face crops the model saw.' : ''}
      </p>
      {current !== null && segments[current] && (
        <SegmentDetail result={result} index={current} crop={crops?.[current] ?? null} showCrop={showCrops}
          textWindow={textWindows ? windowOfSegment(textWindows, current) : null} />
      )}
      <TimelineTable result={result} />
    </section>
  );
}

/**
 * The whole duration of a strip that scrolls: its cells as thin bars (mean decision colours) with
 * the visible part framed and said in words; choosing a point of it scrolls the strip there.
 */
function ScrollOverview({ result, view, end, onJump }: {
  result: AnalysisResult; view: { from: number; to: number }; end: number; onJump: (fraction: number) => void;
}) {
  const bins = useMemo(() => overviewBins(result, Math.min(result.segments.length, 120)), [result]);
  return (
    <div className="scroll-overview-box" data-testid="timeline-scroll-overview">
      <div
        className="scroll-overview"
        onClick={(e) => {
          const box = e.currentTarget.getBoundingClientRect();
          onJump((e.clientX - box.left) / Math.max(1, box.width));
        }}
        aria-hidden="true"
      >
        {bins.map((b) => (
          <span key={b.first} className={`scroll-overview-bin${b.top < 0 ? ' cell-empty' : ''}`}
            style={b.top >= 0 ? { background: colourFor(result.labels, b.top) } : undefined} />
        ))}
        <span className="scroll-overview-window" data-testid="scroll-overview-window"
          style={{ left: `${view.from * 100}%`, width: `${(view.to - view.from) * 100}%` }} />
      </div>
      <p className="muted small" data-testid="scroll-overview-text">
        Showing {formatClock(view.from * end)}–{formatClock(view.to * end)} of {formatClock(end)}: scroll the cells, or choose a part of this bar.
      </p>
    </div>
  );
}

/** The whole clip as bars (long clips): each bar's colour is its segments' mean decision. */
const Overview = memo(function Overview({ result, page, current, onChoose }: {
  result: TimelineProps['result'];
  page: { first: number; count: number };
  current: number | null;
  onChoose: (index: number) => void;
}) {
  const bins = useMemo(() => overviewBins(result), [result]);
  return (
    <div className="overview" role="group" aria-label="The whole clip; choose a part to show its cells" data-testid="timeline-overview">
      {bins.map((b) => {
        const shown = b.first < page.first + page.count && b.first + b.count > page.first;
        const playing = current !== null && current >= b.first && current < b.first + b.count;
        const label = b.top >= 0 ? `mostly ${result.labels[b.top] ?? ''}` : 'no voice and no face';
        return (
          <button
            key={b.first}
            type="button"
            tabIndex={-1}
            className={`overview-bin${shown ? ' overview-shown' : ''}${playing ? ' overview-current' : ''}${b.top < 0 ? ' cell-empty' : ''}`}
            data-testid="overview-bin"
            data-first={b.first}
            aria-label={`${formatClock(b.start)} to ${formatClock(b.end)}: ${label}`}
            title={`${formatClock(b.start)}–${formatClock(b.end)}: ${label}`}
            onClick={() => onChoose(b.first)}
          >
            <span className="overview-emotion" style={b.top >= 0 ? { background: colourFor(result.labels, b.top) } : undefined} />
          </button>
        );
      })}
    </div>
  );
});

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
      <span className="cell-emotion" style={d.top >= 0 ? { background: colourFor(result.labels, d.top) } : undefined} />
      <span className={`cell-mark mark-audio${segment.audio ? '' : ' mark-missing'}`} />
      <span className={`cell-mark mark-visual${segment.face ? '' : ' mark-missing'}`} />
    </button>
  );
});

/**
 * The whole timeline as a table (the chart's text equivalent); depends on the result only. Its
 * rows are made when it is opened: thousands of hidden rows would slow every long result.
 */
const TimelineTable = memo(function TimelineTable({ result }: { result: AnalysisResult }) {
  const { segments, labels } = result;
  const [open, setOpen] = useState(false);
  return (
    <details className="timeline-table" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>The timeline as a table{segments.length > PAGE_CELLS ? ` (${segments.length.toLocaleString('en')} rows)` : ''}</summary>
      {open && (
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
              const name = (x: typeof d | null) => (x && x.top >= 0 ? `${labels[x.top]} ${percent(x.probs[x.top] ?? 0)}` : '—');
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
      )}
    </details>
  );
});
