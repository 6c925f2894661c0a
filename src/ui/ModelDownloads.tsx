// The models' download, stated before it starts ("The models are 18.2 MB, downloaded once and kept
// in this browser", less what is already kept), then one progress bar per model file: downloaded
// and SHA-256 verified, or read from the offline cache; after a failed or cancelled run each file
// says how it ended (done, not fetched, failed), never "downloading".
import { useEffect, useState } from 'react';
import { planDownloads, type DownloadPlan } from '../inference/downloadPlan';
import { pageManifest } from '../inference/pageManifest';
import { modelsBase } from '../inference/paths';
import type { DownloadState } from '../state/store';
import { ProgressBar } from './ProgressBar';
import { formatBytes } from './format';
import { worksOffline } from './StorageReport';

const STATUS_TEXT: Readonly<Record<DownloadState['status'], string>> = Object.freeze({
  pending: 'waiting',
  downloading: 'downloading',
  verified: 'downloaded, verified',
  cached: 'from cache, verified',
  error: 'failed',
  stopped: 'not fetched',
});

/** A file's line: bytes and state; a file stopped part way says its bytes were not kept. */
export function downloadDetail(d: DownloadState): string {
  const state = d.status === 'stopped' && d.loaded > 0 && d.loaded < d.total ? 'stopped part way, not kept' : STATUS_TEXT[d.status];
  return `${formatBytes(d.loaded)} / ${formatBytes(d.total)} · ${state}`;
}

/** The bar's value: an unknown size shows a moving bar only while the file is still coming. */
export function downloadValue(d: DownloadState): number | null {
  if (d.total) return Math.min(1, d.loaded / d.total);
  return d.status === 'downloading' || d.status === 'pending' ? null : d.status === 'verified' || d.status === 'cached' ? 1 : 0;
}

/**
 * The sentence that says what the first analysis will download. "Works offline" only where it is
 * true: a service worker controls the page (`offline`), which `npm run dev` never has.
 */
export function downloadSizeText(plan: DownloadPlan, offline = true): string {
  const total = formatBytes(plan.totalBytes);
  if (plan.toDownloadBytes === 0) {
    return `The models (${total}) are already kept in this browser: nothing to download${offline ? ', and analysis works offline' : ''}.`;
  }
  if (plan.toDownloadBytes === plan.totalBytes) return `The models are ${total}, downloaded once when you analyse your first video and kept in this browser.`;
  return `The models are ${total}; ${formatBytes(plan.toDownloadBytes)} of them are still to download, once, the rest is already kept in this browser.`;
}

/**
 * The download plan for this browser, worked out on mount and again when `refresh` changes (after
 * a run kept the files, so it never says "still to download" for files already kept).
 */
function useDownloadPlan(refresh: unknown): DownloadPlan | null {
  const [plan, setPlan] = useState<DownloadPlan | null>(null);
  useEffect(() => {
    let live = true;
    pageManifest()
      .then((manifest) => planDownloads(manifest, modelsBase(), globalThis.caches ?? null))
      .then((p) => live && setPlan(p))
      // Without a manifest the analysis itself reports the problem; this line just stays away.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [refresh]);
  return plan;
}

export function ModelDownloads({ downloads }: { downloads: DownloadState[] }) {
  const settled = downloads.filter((d) => d.status === 'verified' || d.status === 'cached').length;
  const plan = useDownloadPlan(settled);
  const offline = worksOffline();
  if (!downloads.length) {
    if (!plan || !plan.files) return null;
    return (
      <p className="muted small" data-testid="download-size" data-bytes={plan.toDownloadBytes} data-total-bytes={plan.totalBytes}>
        {downloadSizeText(plan, offline)}
      </p>
    );
  }
  return (
    <section aria-label="Model files" className="panel">
      <h2>Model files</h2>
      {/* Once every file of the run is verified and kept, nothing is left to download (the plan may lag the cache). */}
      {plan && <p className="muted small">{downloadSizeText(settled === downloads.length ? { ...plan, toDownloadBytes: 0 } : plan, offline)}</p>}
      {downloads.map((d) => (
        <ProgressBar
          key={d.path}
          label={d.path}
          value={downloadValue(d)}
          detail={downloadDetail(d)}
        />
      ))}
    </section>
  );
}
