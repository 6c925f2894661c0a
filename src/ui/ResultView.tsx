// The result of one analysis: the player with the per-segment timeline (and face crops) under it,
// per-emotion probabilities (fused), the modality weights α, each modality's own decision, what
// was missing, downloads, and the backend and timings. A shared result has no media: the timeline
// shows without player, crops or seeking.
import type { AnalysisResult } from '../pipeline/result';
import type { Coarse } from '../share/shareLink';
import { AttentionWeights } from './AttentionWeights';
import { ExportControls, type ExportAction } from './ExportControls';
import { ModalityDecisions } from './ModalityDecisions';
import { ProbabilityBars } from './ProbabilityBars';
import { Timeline } from './Timeline';
import { Timings } from './Timings';
import { cellSpan } from './timeline';
import { VideoPlayer } from './VideoPlayer';

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
}

export function ResultView({ result, mediaUrl = null, crops = null, segment = null, seek = null, onChooseSegment, onPlayhead, exports }: ResultViewProps) {
  const present = {
    audio: result.modalities.audio !== null,
    visual: result.modalities.visual !== null,
    text: result.modalities.text !== null,
  };
  const top = result.labels[result.fused.indexOf(Math.max(...result.fused))] ?? '';
  const span = cellSpan(result);
  return (
    <div className="result" data-testid="result">
      <p className="headline">
        Most likely: <strong data-testid="top-emotion">{top}</strong>
        <span className="muted"> · {result.file || 'file name not shared'} · {span.segments.toLocaleString('en')} segment{span.segments === 1 ? '' : 's'} of 0.96 s{span.per > 1 ? ` (timeline shortened: ${result.segments.length.toLocaleString('en')} cells)` : ''}</span>
      </p>
      {/* With a video: [player | bars], the timeline right under them, then [α | decisions]. Shared: [bars | α]. */}
      <div className="grid">
        {mediaUrl && <VideoPlayer src={mediaUrl} title={result.file} seek={seek} onTime={(t) => onPlayhead?.(t)} />}
        <ProbabilityBars title="Emotions (fused)" labels={result.labels} values={result.fused} />
        {!mediaUrl && <AttentionWeights attention={result.attention} present={present} />}
      </div>
      <Timeline result={result} crops={mediaUrl ? crops : null} current={segment} seekable={Boolean(mediaUrl)}
        onChoose={(i) => onChooseSegment?.(i)} />
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
