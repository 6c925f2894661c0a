// Which inference backend really ran; a software WebGPU adapter is flagged as such.
import { BACKEND_LABELS } from '../inference/backend';
import type { Backend } from '../protocol';

export function BackendBadge({ backend, detail }: { backend: Backend | null; detail: string }) {
  if (!backend) return null;
  return (
    <span className={`badge badge-${backend}`} title={detail || undefined} data-testid="backend">
      {BACKEND_LABELS[backend]}
    </span>
  );
}
