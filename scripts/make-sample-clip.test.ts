// The sample-clip script's labels.csv reader (the copy itself is exercised by e2e/result-view.spec.ts).
import { describe, expect, it } from 'vitest';
import { labelRow, SAMPLE_ID } from './make-sample-clip.mjs';

describe('labelRow', () => {
  const csv = 'id,emotion,transcript\r\nA_1,happy,Plain words.\r\nB_2,angry,"Yes, ""quoted"", and commas."\r\n';
  it('reads plain and quoted transcripts', () => {
    expect(labelRow(csv, 'A_1')).toEqual({ emotion: 'happy', transcript: 'Plain words.' });
    expect(labelRow(csv, 'B_2')).toEqual({ emotion: 'angry', transcript: 'Yes, "quoted", and commas.' });
  });
  it('returns null for an id that is not there', () => {
    expect(labelRow(csv, 'A')).toBeNull();
    expect(SAMPLE_ID).toMatch(/^Ses01/);
  });
});
