// The result of one analysis: fused per-emotion probabilities, the modality weights α, and
// each available modality's own decision.
import type { AnalysisResult } from '../pipeline/result';
import { AttentionWeights } from './AttentionWeights';
import { ProbabilityBars } from './ProbabilityBars';
import { Timings } from './Timings';

export function ResultView({ result }: { result: AnalysisResult }) {
  const present = {
    audio: result.modalities.audio !== null,
    visual: result.modalities.visual !== null,
    text: result.modalities.text !== null,
  };
  const top = result.labels[result.fused.indexOf(Math.max(...result.fused))] ?? '';
  return (
    <div className="result" data-testid="result">
      <p className="headline">
        Most likely: <strong>{top}</strong>
        <span className="muted"> · {result.file || 'file name not shared'} · {result.segments.length} segment{result.segments.length === 1 ? '' : 's'} of 0.96 s</span>
      </p>
      <div className="grid">
        <ProbabilityBars title="Emotions (fused)" labels={result.labels} values={result.fused} />
        <AttentionWeights attention={result.attention} present={present} />
      </div>
      <details className="panel">
        <summary>Timings and backend</summary>
        <p>Backend: {result.backend}</p>
        <Timings timings={result.timings_ms} />
      </details>
    </div>
  );
}
