// What this app keeps in the browser (models, runtime, app shell), measured rather than quoted,
// whether the page works offline, and a button to clear it all (src/sw/storage.ts).
import { useEffect, useState } from 'react';
import { clearStorage, measureStorage, storageText, type OfflineState, type StorageReport as Report } from '../sw/storage';

/** True when a service worker controls this page (a built site; never `npm run dev`). */
export const worksOffline = (): boolean => Boolean(globalThis.navigator?.serviceWorker?.controller);

/** Whether the page works offline now, will once its service worker starts, or never (dev server). */
export function offlineState(): OfflineState {
  if (worksOffline()) return 'yes';
  return import.meta.env.DEV || !globalThis.navigator?.serviceWorker ? 'no' : 'starting';
}

/** How many model files are verified into the cache: a change means there is more stored to report. */
export function verifiedFiles(downloads: Readonly<Record<string, { status: string }>>): number {
  return Object.values(downloads).filter((d) => d.status === 'verified').length;
}

export function StorageReport({ refreshKey }: { refreshKey: unknown }) {
  const [report, setReport] = useState<Report | null>(null);
  const [cleared, setCleared] = useState(false);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!globalThis.caches) return;
    let live = true;
    const measure = () => void measureStorage().then((r) => live && setReport(r)).catch(() => undefined);
    measure();
    // The service worker taking control (first visit) changes what can be said.
    globalThis.navigator?.serviceWorker?.addEventListener('controllerchange', measure);
    return () => { live = false; globalThis.navigator?.serviceWorker?.removeEventListener('controllerchange', measure); };
  }, [refreshKey, round]);
  if (!report) return null;
  return (
    <p className="muted small storage-report" data-testid="storage-report" data-bytes={report.total}>
      {storageText(report, offlineState())}
      {report.total > 0 && (
        <>
          {' '}
          <button type="button" className="link-button" data-testid="clear-storage"
            onClick={() => void clearStorage().then(() => { setCleared(true); setRound((n) => n + 1); })}>
            Clear stored files
          </button>
        </>
      )}
      {cleared && <span data-testid="storage-cleared"> Cleared: the models and the runtime will be downloaded again when next needed.</span>}
    </p>
  );
}
