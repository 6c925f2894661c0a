// "Copy share link" under a result: the transcript only when ticked, the file name unless left out.
// The link is also shown in a read-only box, for browsers that do not let the page copy.
import { useMemo, useState } from 'react';
import { describeShareLink } from '../share/shareLink';

export interface ShareControlsProps {
  label: string;
  hasTranscript: boolean;
  link: string | null;
  error: string | null;
  copied: boolean;
  onShare: (opts: { includeTranscript: boolean; omitFileName: boolean }) => void;
}

export function ShareControls({ label, hasTranscript, link, error, copied, onShare }: ShareControlsProps) {
  const [includeTranscript, setIncludeTranscript] = useState(false);
  const [omitFileName, setOmitFileName] = useState(false);
  // A long clip's link carries a shortened timeline: say so next to the link.
  const shortened = useMemo(() => (link ? describeShareLink(link) : null), [link]);
  return (
    <section className="panel share" aria-label="Share this result" data-testid="share">
      <div className="share-row">
        <button type="button" onClick={() => onShare({ includeTranscript, omitFileName })} data-testid="share-button">{label}</button>
        <label>
          <input type="checkbox" checked={includeTranscript} disabled={!hasTranscript}
            onChange={(e) => setIncludeTranscript(e.target.checked)} data-testid="share-transcript" />
          {' '}include transcript
        </label>
        <label>
          <input type="checkbox" checked={omitFileName} onChange={(e) => setOmitFileName(e.target.checked)} data-testid="share-omit-name" />
          {' '}leave out the file name
        </label>
      </div>
      <p className="muted small">The link holds the numbers only — never the video. Anyone with it can see the result.</p>
      {link && (
        <p className="share-link">
          <label>
            <span className="small">{copied ? 'Copied to the clipboard:' : 'Copy this link:'}</span>{' '}
            <input type="text" readOnly value={link} onFocus={(e) => e.target.select()} data-testid="share-link" aria-label="Share link" />
          </label>
        </p>
      )}
      {shortened && <p className="notice notice-info small" role="status" data-testid="share-shortened">{shortened}</p>}
      {error && <p className="notice notice-error" role="alert">{error}</p>}
    </section>
  );
}
