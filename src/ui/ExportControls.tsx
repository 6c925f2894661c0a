// Download buttons for the result, rendered from the export actions (src/actions.ts). Files are
// made in the tab and saved locally; the JSON and CSV hold numbers only, never media.
export interface ExportAction { name: string; label: string; perform: () => void | Promise<void> }

export function ExportControls({ actions }: { actions: readonly ExportAction[] }) {
  return (
    <section className="panel exports" aria-labelledby="exports-title" data-testid="exports">
      <h2 id="exports-title">Download</h2>
      <div className="export-row">
        {actions.map((a) => (
          <button key={a.name} type="button" onClick={() => void a.perform()} data-testid={a.name}>{a.label}</button>
        ))}
      </div>
      <p className="muted small">
        JSON: the whole result (as <code>npm run analyze -- --json</code> writes it). Segments CSV: one row per segment with
        every emotion’s voice and face probability (judged without the words). Summary CSV: fused and per-modality decisions and α. PNG: the charts.
      </p>
    </section>
  );
}
