// The page's model manifest for the panels that read it (the model card link, the measured numbers
// a result is shown with): undefined until it is read, and while it cannot be (the analysis reports
// a missing manifest itself). One fetch per page (src/inference/pageManifest.ts).
import { useEffect, useState } from 'react';
import type { Manifest } from '../inference/manifest';
import { pageManifest } from '../inference/pageManifest';

export function usePageManifest(): Manifest | undefined {
  const [manifest, setManifest] = useState<Manifest | undefined>(undefined);
  useEffect(() => {
    let live = true;
    pageManifest().then((m) => live && setManifest(m), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return manifest;
}
