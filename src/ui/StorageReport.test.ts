// The storage report is measured again whenever another model file is verified into the cache, so
// live mode (which loads models without a run) never says "nothing stored" beside stored models.
import { describe, expect, it } from 'vitest';
import { initialState, reducers } from '../state/store';
import { verifiedFiles } from './StorageReport';

describe('verifiedFiles', () => {
  it('changes as model files are verified, and only then', () => {
    let s = initialState();
    const before = verifiedFiles(s.downloads);
    s = reducers.download(s, 'fusion.onnx', { total: 10, loaded: 5, status: 'downloading' });
    expect(verifiedFiles(s.downloads)).toBe(before);
    s = reducers.download(s, 'fusion.onnx', { total: 10, loaded: 10, status: 'verified' });
    s = reducers.download(s, 'text/config.json', { total: 5, loaded: 5, status: 'verified' });
    expect(verifiedFiles(s.downloads)).toBe(before + 2);
  });
});
