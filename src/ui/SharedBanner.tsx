// Marks a result opened from a link: read-only, no video, and the way back to the analyser.
export function SharedBanner({ onBack, backLabel }: { onBack: () => void; backLabel: string }) {
  return (
    <div className="notice notice-info shared-banner" role="status" data-testid="shared-banner">
      <strong>Shared result</strong> — opened from a link, read-only. The video was not shared; only these numbers were.{' '}
      <button type="button" onClick={onBack} data-testid="shared-back">{backLabel}</button>
    </div>
  );
}
