// One progress bar per model file: downloaded and SHA-256 verified, or read from the offline cache.
import type { DownloadState } from '../state/store';
import { ProgressBar } from './ProgressBar';
import { formatBytes } from './format';

const STATUS_TEXT: Readonly<Record<DownloadState['status'], string>> = Object.freeze({
  pending: 'waiting',
  downloading: 'downloading',
  verified: 'downloaded, verified',
  cached: 'from cache, verified',
  error: 'failed',
});

export function ModelDownloads({ downloads }: { downloads: DownloadState[] }) {
  if (!downloads.length) return null;
  return (
    <section aria-label="Model files" className="panel">
      <h2>Model files</h2>
      {downloads.map((d) => (
        <ProgressBar
          key={d.path}
          label={d.path}
          value={d.total ? d.loaded / d.total : null}
          detail={`${formatBytes(d.loaded)} / ${formatBytes(d.total)} · ${STATUS_TEXT[d.status]}`}
        />
      ))}
    </section>
  );
}
