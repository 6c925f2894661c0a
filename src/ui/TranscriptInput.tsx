// Optional transcript: what is said in the video. It feeds the text modality (the SEM's sentence
// meaning) and, like the video, never leaves the tab. It belongs to one video: once a run used it,
// the next video starts with an empty box unless "keep this transcript for the next video" is ticked.
export interface TranscriptInputProps {
  value: string;
  onChange: (v: string) => void;
  disabled: boolean;
  /** The "keep for the next video" box. */
  keep: boolean;
  onKeep: (keep: boolean) => void;
  /** The text was used by the last run (so the next video will not get it unless kept). */
  used: boolean;
  /** Where the text came from, e.g. "subtitles from talk.srt"; null when typed. */
  sourceLabel?: string | null;
}

export function TranscriptInput({ value, onChange, disabled, keep, onKeep, used, sourceLabel = null }: TranscriptInputProps) {
  const hasText = value.trim() !== '';
  return (
    <div className="transcript">
      <label htmlFor="transcript">Transcript <span className="muted">(optional — what is said in the video)</span></label>
      <textarea
        id="transcript"
        data-testid="transcript"
        rows={2}
        value={value}
        disabled={disabled}
        placeholder="Type or paste what the speaker says, before dropping the video."
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="transcript-meta small">
        <label className="keep-transcript">
          <input type="checkbox" checked={keep} disabled={disabled} onChange={(e) => onKeep(e.target.checked)} data-testid="keep-transcript" />
          {' '}Keep this transcript for the next video
        </label>
        {sourceLabel && hasText && <span className="muted" data-testid="transcript-source"> · {sourceLabel}</span>}
        {used && hasText && !keep && (
          <span className="muted" data-testid="transcript-will-clear"> · used for the last video; the next video starts without it</span>
        )}
      </div>
    </div>
  );
}
