// The footer's model card link, shown only when the manifest names a card that ships beside the
// models (a custom model's export has none, and the link used to 404); otherwise it says so.
import { modelsBase } from '../inference/paths';
import { usePageManifest } from './usePageManifest';

export function ModelCardLink() {
  const manifest = usePageManifest();
  // undefined: not known yet (nothing shown); null: this model ships without a card.
  const card = manifest ? manifest.card ?? null : undefined;
  if (card === undefined) return null;
  if (card === null) return <> · <span data-testid="model-card">no model card ships with this model</span></>;
  return (
    <>
      {' · '}
      <a href={new URL(card, modelsBase()).href} target="_blank" rel="noopener" data-testid="model-card">
        model card: training data, limits, measured results
      </a>
    </>
  );
}
