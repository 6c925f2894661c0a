// The step list after a failure, as markup (react-dom/server, no browser): the stage that failed
// says "failed", the ones it stopped "stopped", the ones never reached "not run" (issue 17).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { initialState, reducers } from '../state/store';
import { StageList } from './StageList';

describe('StageList after a failure', () => {
  it('names the failed step alone; no step stays "working…" or "waiting", no bar is left', () => {
    let s = reducers.start(initialState(), 'a.mp4');
    s = reducers.stage(s, 'models', { status: 'running', progress: 0.5, detail: 'starting the inference runtime' });
    s = reducers.stage(s, 'decode', { status: 'running', progress: 0.4, detail: 'a.mp4' });
    s = reducers.stage(s, 'models', { status: 'error', reason: 'The graph was trained for 6 emotions.' });
    s = reducers.fail(s, 'The graph was trained for 6 emotions.');
    const html = renderToStaticMarkup(createElement(StageList, { stages: s.stages }));
    const status = (stage: string) => new RegExp(`data-stage="${stage}" data-status="([^"]+)"`).exec(html)?.[1];
    expect(['models', 'decode', 'audio', 'face', 'text', 'fusion'].map(status)).toEqual(['error', 'stopped', 'not-run', 'not-run', 'not-run', 'not-run']);
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Load models failed ');
    expect(text).toContain('Decode video stopped · a.mp4');
    expect(text).toContain('Fusion model not run');
    expect(text).not.toMatch(/working…|waiting/);
    expect(html).not.toContain('<progress');
  });
});
