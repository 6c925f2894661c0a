// The footer's model card link, shown only when the manifest names a card that ships beside the
// models (a custom model's export has none, and the link used to 404); otherwise it says so.
import { useEffect, useState } from 'react';
import { pageManifest } from '../inference/pageManifest';
import { modelsBase } from '../inference/paths';

export function ModelCardLink() {
  // undefined: not known yet (nothing shown); null: this model ships without a card.
  const [card, setCard] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    pageManifest().then((m) => live && setCard(m.card ?? null), () => undefined);
    return () => {
      live = false;
    };
  }, []);
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
