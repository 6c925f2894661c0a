import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../pipeline/result';
import type { SharedResult } from '../share/shareLink';
import { nothingToLose, type UpdateView } from './updatePolicy';

const idle: UpdateView = { phase: 'idle', result: null, shared: null, transcript: '' };

describe('nothingToLose', () => {
  it('lets an update take over a page with nothing on it', () => {
    expect(nothingToLose(idle)).toBe(true);
    expect(nothingToLose({ ...idle, phase: 'error' })).toBe(true);
    expect(nothingToLose({ ...idle, transcript: '   ' })).toBe(true);
  });

  it('waits while there is work to lose', () => {
    expect(nothingToLose({ ...idle, phase: 'running' })).toBe(false);
    expect(nothingToLose({ ...idle, phase: 'done', result: {} as AnalysisResult })).toBe(false);
    expect(nothingToLose({ ...idle, shared: {} as SharedResult })).toBe(false);
    expect(nothingToLose({ ...idle, transcript: 'what was said' })).toBe(false);
    expect(nothingToLose(idle, true)).toBe(false); // live mode open
  });
});
