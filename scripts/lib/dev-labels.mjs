// The dev clips' labels.csv (id,emotion,transcript; RFC 4180 quoting, transcripts may hold commas
// and quotes), read with csv-parse for the scripts and the Playwright fixtures alike.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** CSV text -> one `{ id, emotion, transcript }` per row, in file order. */
export function parseDevLabels(text) {
  return parse(text, { columns: true, skip_empty_lines: true, trim: false }).map((r) => ({
    id: r.id ?? '', emotion: r.emotion ?? '', transcript: r.transcript ?? '',
  }));
}

/** labels.csv at `path` -> Map(id -> { emotion, transcript }). */
export function readDevLabels(path) {
  return new Map(parseDevLabels(readFileSync(path, 'utf8')).map(({ id, ...rest }) => [id, rest]));
}
