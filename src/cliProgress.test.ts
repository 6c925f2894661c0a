// `npm run analyze` on a long file shows progress (issue 17 #9: a 15-minute file printed nothing
// for 5+ minutes): stage changes always, a running stage's progress at most every 10 s.
import { describe, expect, it } from 'vitest';
import { cliStageLines } from './cliProgress';

describe('cliStageLines', () => {
  it('prints every change, and a running stage every 10 s with its progress', () => {
    let t = 0;
    const line = cliStageLines(() => t);
    expect(line('audio', { status: 'running' })).toBe('audio: running');
    t = 2_000;
    expect(line('audio', { progress: 0.1, detail: 'window 1 of 12' })).toBeNull(); // too soon
    t = 11_000;
    expect(line('audio', { progress: 0.25, detail: 'window 3 of 12, about 4 min left' })).toBe('audio: running, 25% (window 3 of 12, about 4 min left)');
    t = 12_000;
    expect(line('audio', { progress: 0.3 })).toBeNull();
    expect(line('audio', { status: 'done', detail: '12/12 segments with a voice' })).toBe('audio: done (12/12 segments with a voice)');
    expect(line('face', { status: 'running' })).toBe('face: running');
  });
});
