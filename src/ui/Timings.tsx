// How long each stage took, as a small definition list. Names are shown as words ("fusion graph")
// and each is followed by a colon, so they read apart from their values even as plain text
// (copied, or read by a screen reader): never "fusion_graph197 ms".
export const timingName = (key: string): string => key.replace(/_ms$/, '').replace(/_/g, ' ');

export function Timings({ timings }: { timings: Record<string, number> }) {
  return (
    <dl className="timings" aria-label="Timings">
      {Object.entries(timings).map(([k, v]) => (
        <div key={k}>
          <dt>{timingName(k)}:</dt>{' '}
          <dd>{v.toLocaleString('en')} ms</dd>
        </div>
      ))}
    </dl>
  );
}
