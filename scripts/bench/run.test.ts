// The benchmark's command line (the measurements themselves run only under `npm run bench`).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../lib/app-browser.mjs';
import { carriedNotes, parseArgs } from './run.mjs';

describe('bench command line', () => {
  it('has the documented defaults', () => {
    const o = parseArgs([]);
    expect(o).toMatchObject({ server: undefined, runs: 3, out: join(ROOT, 'bench'), previous: null, help: false });
    expect([...o.skip]).toEqual([]);
  });
  it('reads every option; --skip takes lists and may repeat; --runs is at least 1', () => {
    const o = parseArgs(['--server', 'http://127.0.0.1:4173', '--runs', '5', '--skip', 'live,graphs', '--skip=webgpu', '--out', 'b', '--previous', 'a.json,b.json']);
    expect(o).toMatchObject({ server: 'http://127.0.0.1:4173', runs: 5, out: 'b', previous: ['a.json', 'b.json'] });
    expect([...o.skip]).toEqual(['live', 'graphs', 'webgpu']);
    expect(parseArgs(['--runs', '0']).runs).toBe(1);
    expect(parseArgs(['--runs', 'many']).runs).toBe(1);
    expect(parseArgs(['--help']).help).toBe(true);
  });
  it('--only measures the named sections alone (startup = start); --baseline takes a ref', () => {
    const o = parseArgs(['--only', 'startup', '--baseline', 'acc0f18']);
    expect([...o.skip].sort()).toEqual(['graphs', 'live', 'memory', 'realtime', 'stages', 'webgpu']);
    expect(o.baseline).toBe('acc0f18');
    expect([...parseArgs(['--only', 'start,live']).skip].sort()).toEqual(['graphs', 'memory', 'realtime', 'stages', 'webgpu']);
    expect(parseArgs([]).baseline).toBeNull();
    expect([...parseArgs(['--skip', 'startup']).skip]).toEqual(['start']);
    expect(() => parseArgs(['--only', 'start', '--skip', 'live'])).toThrow(/do not go together/);
    expect(() => parseArgs(['--only', 'speed'])).toThrow('--only takes stages, memory, start, realtime, live, graphs, webgpu; not speed.');
  });
  it('--only start,realtime compares start-up and per-clip analysis (analysis = realtime); --baseline-models picks the model files', () => {
    const o = parseArgs(['--only', 'start,analysis', '--baseline', 'acc0f18', '--baseline-models', 'working-tree']);
    expect([...o.skip].sort()).toEqual(['graphs', 'live', 'memory', 'stages', 'webgpu']);
    expect(o.baselineModels).toBe('working-tree');
    expect(parseArgs([]).baselineModels).toBe('own');
    expect(() => parseArgs(['--baseline-models', 'head'])).toThrow('--baseline-models takes own or working-tree; not head.');
  });
  it('refuses unknown sections and options, and options without their value', () => {
    expect(() => parseArgs(['--skip', 'stages,speed'])).toThrow('--skip takes stages, memory, start, realtime, live, graphs, webgpu; not speed.');
    expect(() => parseArgs(['--fast'])).toThrow(/^Unknown option --fast; valid are --server, --runs, --skip/);
    expect(() => parseArgs(['--runs'])).toThrow('--runs needs a value.');
    expect(() => parseArgs(['clip.mp4'])).toThrow('Unexpected argument clip.mp4.');
  });
});

describe('carriedNotes', () => {
  const both = 'Start-up and per-clip analysis compared with acc0f18 (acc0f18) built with its own public/models, in a temporary worktree, served with this checkout\'s headers; other sections measure the working tree only.';
  const start = 'Start-up compared with b894552 (b894552) built with its own public/models, in a temporary worktree, served with this checkout\'s headers; other sections measure the working tree only.';
  it('drops an earlier comparison this run measures again, keeps one it does not, and never carries "kept from"', () => {
    const notes = [both, 'default fused 10s 1t: failed', 'Sections graphs kept from an earlier run (bench/latest.json).'];
    expect(carriedNotes(notes, ['Start-up', 'per-clip analysis'])).toEqual(['default fused 10s 1t: failed']);
    expect(carriedNotes(notes, ['Start-up'])).toEqual([both, 'default fused 10s 1t: failed']);
    expect(carriedNotes([start], ['Start-up', 'per-clip analysis'])).toEqual([]);
    expect(carriedNotes([start], [])).toEqual([start]);
  });
});
