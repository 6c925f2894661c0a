// The model's measured numbers (the manifest's `metrics`) for the page's panels: empty until the
// manifest is read, and empty when it cannot be (the analysis reports a missing manifest itself).
import { useEffect, useState } from 'react';
import type { ManifestMetric } from '../inference/manifest';
import { pageManifest } from '../inference/pageManifest';

export function usePageMetrics(): readonly ManifestMetric[] {
  const [metrics, setMetrics] = useState<readonly ManifestMetric[]>([]);
  useEffect(() => {
    let live = true;
    pageManifest().then((m) => live && setMetrics(m.metrics), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return metrics;
}
