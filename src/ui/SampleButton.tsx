// "Try the sample clip", for people without a video at hand. Shown only when this build has one
// (scripts/make-sample-clip.mjs), with where the clip comes from and its terms.
import type { SampleClip } from '../state/store';

export function SampleButton({ sample, label, disabled, onTry }: { sample: SampleClip | null; label: string; disabled: boolean; onTry: () => void }) {
  if (!sample) return null;
  return (
    <div className="sample" data-testid="sample">
      <button type="button" onClick={onTry} disabled={disabled} data-testid="sample-button">{label}</button>
      <span className="muted small">{sample.title} — {sample.source}; {sample.licence}</span>
    </div>
  );
}
