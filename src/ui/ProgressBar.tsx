// A labelled progress bar. value in [0, 1]; null = indeterminate.
export function ProgressBar({ label, value, detail }: { label: string; value: number | null; detail?: string }) {
  return (
    <div className="progress">
      <div className="progress-text">
        <span>{label}</span>
        {detail ? <span className="muted">{detail}</span> : null}
      </div>
      {value === null ? <progress aria-label={label} /> : <progress aria-label={label} max={1} value={value} />}
    </div>
  );
}
