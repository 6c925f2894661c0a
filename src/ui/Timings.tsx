// How long each stage took, as a small definition list.
export function Timings({ timings }: { timings: Record<string, number> }) {
  return (
    <dl className="timings" aria-label="Timings">
      {Object.entries(timings).map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v} ms</dd>
        </div>
      ))}
    </dl>
  );
}
