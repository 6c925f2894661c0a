// The result of one analysis: the player with the per-segment timeline (and face crops) under it,
// per-emotion probabilities (fused), the modality weights α, each modality's own decision, what
// was missing, downloads, and the backend and timings. A shared result has no media: the timeline
// shows without player, crops or seeking.
import type { AnalysisResult } from '../pipeline/result';
import type { Reliability } from '../pipeline/reliability';
import { CLOSE_MARGIN, LIKELY, SCORES_ARE_INDEPENDENT, verdict } from '../pipeline/verdict';
import type { UsedTranscript } from '../state/store';
import type { TextWindow } from '../pipeline/windowTexts';
import type { Coarse } from '../share/shareLink';
import { AttentionWeights } from './AttentionWeights';
import { ExportControls, type ExportAction } from './ExportControls';
import { ModalityDecisions } from './ModalityDecisions';
import { ReliabilityNote } from './ReliabilityNote';
import { ProbabilityBars } from './ProbabilityBars';
import { Timeline } from './Timeline';
import { Timings } from './Timings';
import { percent } from './format';
import { cellSpan } from '../pipeline/decisions';
import { VideoPlayer } from './VideoPlayer';
import { secondsLabel } from '../timebase';

export interface ResultViewProps {
  /** A shared result may carry `coarse` (its timeline was shortened to fit the link). */
  result: AnalysisResult & { coarse?: Coarse | null };
  /** The analysed file's object URL; null for a shared result. */
  mediaUrl?: string | null;
  crops?: readonly (string | null)[] | null;
  /** The timeline's current segment and the player's pending seek (store: segment, seek). */
  segment?: number | null;
  seek?: { time: number; nonce: number } | null;
  onChooseSegment?: (index: number) => void;
  onPlayhead?: (seconds: number) => void;
  exports?: readonly ExportAction[];
  /** Which transcript the run used (none / typed / subtitles); absent for a shared result. */
  transcriptUsed?: UsedTranscript | null;
  /** With timed captions: the words each window was given (the segment detail shows its window's). */
  textWindows?: readonly TextWindow[] | null;
  /** How far to trust it: the model's measured accuracy for these inputs (pipeline/reliability); absent for a shared result. */
  trust?: Reliability | null;
}

/** One sentence naming the transcript a run used, so a result is never read as resting on words it did not have. */
export function transcriptUsedText(used: UsedTranscript): string {
  const words = `${used.words.toLocaleString('en')} word${used.words === 1 ? '' : 's'}`;
  if (used.kind === 'none') return 'Transcript used: none — the words were not part of this result.';
  if (used.kind === 'subtitles') return `Transcript used: subtitles from ${used.name ?? 'a subtitle file'} (${words}).`;
  return `Transcript used: the text typed in the transcript box (${words}).`;
}

export function ResultView({ result, mediaUrl = null, crops = null, segment = null, seek = null, onChooseSegment, onPlayhead, exports, transcriptUsed = null, textWindows = null, trust = null }: ResultViewProps) {
  const present = {
    audio: result.modalities.audio !== null,
    visual: result.modalities.visual !== null,
    text: result.modalities.text !== null,
  };
  const v = verdict(result.labels, result.fused);
  const named = (x: { label: string; score: number }, testId?: string) => (
    <><strong data-testid={testId}>{x.label}</strong> ({percent(x.score)})</>
  );
  const span = cellSpan(result);
  return (
    <div className="result" data-testid="result">
      <p className="headline" data-testid="headline" data-verdict={v.kind}>
        {v.kind === 'likely' && <>Most likely: {named(v.top, 'top-emotion')}</>}
        {v.kind === 'close' && v.second && (
          <>Uncertain: {named(v.top, 'top-emotion')} or {named(v.second)}, within {Math.round(CLOSE_MARGIN * 100)} points of each other</>
        )}
        {v.kind === 'none-likely' && (
          <>Uncertain: no emotion reaches {Math.round(LIKELY * 100)}%; highest {named(v.top, 'top-emotion')}{v.second && <> and {named(v.second)}</>}</>
        )}
        <span className="muted"> · {result.file || 'file name not shared'} · {span.segments.toLocaleString('en')} segment{span.segments === 1 ? '' : 's'} of {secondsLabel(result.segment_seconds)}{span.per > 1 ? ` (timeline shortened: ${result.segments.length.toLocaleString('en')} cells)` : ''}</span>
      </p>
      <div className="muted small result-notes">
        <span data-testid="scores-note">{SCORES_ARE_INDEPENDENT}</span>
        {transcriptUsed && <><br /><span data-testid="transcript-used" data-kind={transcriptUsed.kind}>{transcriptUsedText(transcriptUsed)}</span></>}
        {trust && <ReliabilityNote reliability={trust} />}
      </div>
      {/* With a video: [player | bars], the timeline right under them, then [α | decisions]. Shared: [bars | α]. */}
      <div className="grid">
        {mediaUrl && <VideoPlayer src={mediaUrl} title={result.file} seek={seek} onTime={(t) => onPlayhead?.(t)} />}
        <ProbabilityBars title="Emotions (fused)" labels={result.labels} values={result.fused} />
        {!mediaUrl && <AttentionWeights attention={result.attention} present={present} />}
      </div>
      <Timeline result={result} crops={mediaUrl ? crops : null} current={segment} seekable={Boolean(mediaUrl)}
        onChoose={(i) => onChooseSegment?.(i)} textWindows={textWindows} />
      <div className="grid">
        {mediaUrl && <AttentionWeights attention={result.attention} present={present} />}
        <ModalityDecisions result={result} />
      </div>
      {exports && <ExportControls actions={exports} />}
      <details className="panel">
        <summary>Timings and backend</summary>
        <p>Backend: {result.backend}</p>
        <Timings timings={result.timings_ms} />
      </details>
    </div>
  );
}
