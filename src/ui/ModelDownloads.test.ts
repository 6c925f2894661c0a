// The model files panel after a failed run, as markup (react-dom/server, no browser): each file
// says how it ended — done, not fetched, failed — and no bar keeps moving (issue 17).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { initialState, reducers } from '../state/store';
import { downloadDetail, downloadValue, ModelDownloads } from './ModelDownloads';

describe('ModelDownloads after a failure', () => {
  it('shows each file’s real state and no endless bar', () => {
    let s = reducers.start(initialState(), 'a.mp4');
    s = reducers.download(s, 'fusion.onnx', { total: 6_556_136, loaded: 6_556_136, status: 'verified' });
    s = reducers.download(s, 'face_detector.onnx', { total: 2_090_014, loaded: 1_000_000, status: 'downloading' });
    s = reducers.download(s, 'text/config.json', { total: 488, loaded: 0, status: 'pending' });
    s = reducers.download(s, 'silero_vad_v6.onnx', { total: 0, loaded: 0, status: 'downloading' });
    s = reducers.fail(s, 'The graph was trained for 6 emotions.');
    const html = renderToStaticMarkup(createElement(ModelDownloads, { downloads: Object.values(s.downloads) }));
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('fusion.onnx');
    expect(text).toMatch(/downloaded, verified/);
    expect(text).toContain('stopped part way, not kept');
    expect(text).toMatch(/text\/config\.json .*· not fetched/);
    expect(text).not.toMatch(/downloading|waiting/);
    // An indeterminate <progress> (no value) is a bar that never ends.
    expect(html.match(/<progress(?![^>]*value=)[^>]*>/g)).toBeNull();
  });
  it('a file still coming has a moving bar only while it comes', () => {
    const d = { path: 'x.onnx', loaded: 0, total: 0 };
    expect(downloadValue({ ...d, status: 'downloading' })).toBeNull();
    expect(downloadValue({ ...d, status: 'stopped' })).toBe(0);
    expect(downloadValue({ ...d, status: 'error' })).toBe(0);
    expect(downloadDetail({ ...d, status: 'error' })).toContain('failed');
  });
});
