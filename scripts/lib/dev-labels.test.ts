// labels.csv reading: plain and quoted transcripts, CRLF line ends, a missing trailing newline.
import { describe, expect, it } from 'vitest';
import { parseDevLabels } from './dev-labels.mjs';

describe('parseDevLabels', () => {
  it('reads plain and quoted transcripts with commas, quotes and CRLF', () => {
    const csv = 'id,emotion,transcript\r\nA_1,happy,Plain words.\r\nB_2,angry,"Yes, ""quoted"", and commas."';
    expect(parseDevLabels(csv)).toEqual([
      { id: 'A_1', emotion: 'happy', transcript: 'Plain words.' },
      { id: 'B_2', emotion: 'angry', transcript: 'Yes, "quoted", and commas.' },
    ]);
  });
  it('keeps a transcript that spans lines inside quotes', () => {
    expect(parseDevLabels('id,emotion,transcript\nC,sad,"two\nlines"\n')[0]?.transcript).toBe('two\nlines');
  });
});
