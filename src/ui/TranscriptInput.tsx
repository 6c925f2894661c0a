// Optional transcript: what is said in the video. It feeds the text modality (the SEM's sentence
// meaning) and, like the video, never leaves the tab.
export function TranscriptInput({ value, onChange, disabled }: { value: string; onChange: (v: string) => void; disabled: boolean }) {
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
    </div>
  );
}
