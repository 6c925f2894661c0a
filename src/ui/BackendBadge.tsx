// Which inference backend really ran; a software WebGPU adapter is flagged as such. Before the first
// analysis the badge shows the backend this browser is expected to use (from its WebGPU adapter and
// `?backend=`), marked "expected" until the models load and say what really runs.
import { BACKEND_LABELS } from '../inference/backend';
import type { Backend } from '../protocol';

export function BackendBadge({ backend, detail, expected = null }: { backend: Backend | null; detail: string; expected?: Backend | null }) {
  const shown = backend ?? expected;
  if (!shown) return null;
  const tentative = backend === null;
  const title = tentative ? 'What this browser offers; confirmed when the models load for the first analysis.' : detail || undefined;
  return (
    <span className={`badge badge-${shown}${tentative ? ' badge-expected' : ''}`} title={title} data-testid="backend" data-expected={tentative}>
      {BACKEND_LABELS[shown]}{tentative ? ' · expected' : ''}
    </span>
  );
}
