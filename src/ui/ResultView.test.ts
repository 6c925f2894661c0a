// The result view as markup (react-dom/server, no browser): the headline says when it is
// uncertain, the page says each emotion is scored on its own, and the run names its transcript.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { sampleResult } from '../export/fixture.test-helpers';
import { ResultView } from './ResultView';

const render = (props: Parameters<typeof ResultView>[0]) => renderToStaticMarkup(createElement(ResultView, props));
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, '&');

describe('ResultView', () => {
  it('top two within 0.1: the headline is uncertain and names both', () => {
    const html = render({ result: sampleResult({ fused: [0.668, 0.615, 0.3] }) });
    expect(html).toContain('data-verdict="close"');
    expect(text(html)).toContain('Uncertain: anger (66.8%) or happiness (61.5%), within 10 points of each other');
    expect(text(html)).not.toContain('Most likely');
  });
  it('none above 0.5: uncertain', () => {
    expect(text(render({ result: sampleResult({ fused: [0.3, 0.2, 0.45] }) }))).toContain('Uncertain: no emotion reaches 50%; highest neutral (45.0%) and anger (30.0%)');
  });
  it('a clear result says "Most likely" and that each emotion is scored on its own', () => {
    const t = text(render({ result: sampleResult({ fused: [0.9, 0.2, 0.4] }) }));
    expect(t).toContain('Most likely: anger (90.0%)');
    expect(t).toContain('Each emotion is scored on its own, from 0 to 100%: several can be high at once');
  });
  it('names the transcript the run used', () => {
    const r = sampleResult();
    expect(text(render({ result: r, transcriptUsed: { kind: 'none', name: null, words: 0 } }))).toContain('Transcript used: none — the words were not part of this result.');
    expect(text(render({ result: r, transcriptUsed: { kind: 'typed', name: null, words: 7 } }))).toContain('Transcript used: the text typed in the transcript box (7 words).');
    expect(text(render({ result: r, transcriptUsed: { kind: 'subtitles', name: 'talk.srt', words: 1 } }))).toContain('Transcript used: subtitles from talk.srt (1 word).');
  });
});

describe('ResultView: how far to trust it', () => {
  it('says how often the top emotion was right for these inputs, beside the constant guess', async () => {
    const trust = { input: 'voice and face without words', exact: true, top1: 0.43, n: 72, dataset: 'dev clips', split: '4-fold CV',
      baseline: { label: 'happiness', top1: 0.305 } };
    const shown = text(render({ result: sampleResult(), trust }));
    expect(shown).toContain(
      'How far to trust this: for voice and face without words, the model’s top emotion was right for 43.0% of 72 real clips; always answering “happiness” was right for 30.5%.');
    // Where the number comes from is one tap away (a closed disclosure), not in the sentence itself.
    expect(render({ result: sampleResult(), trust })).toMatch(/<details class="reliability-source"><summary>Where this number comes from<\/summary>.*Measured on dev clips; 4-fold CV\. A hint, not a verdict/);
    expect(render({ result: sampleResult() })).not.toContain('data-testid="reliability"');
  });
});

describe('PNG export header (issue 17 #3)', () => {
  it('has the same headline, the independence note and the transcript used', async () => {
    const { headerLines } = await import('../export/png');
    const h = headerLines(sampleResult({ fused: [0.668, 0.615, 0.3] }), 'typed');
    expect(h.headline).toBe('Uncertain: anger (66.8%) or happiness (61.5%), within 10 points of each other');
    expect(h.details[0]).toMatch(/transcript used: typed$/);
    expect(h.details[1]).toMatch(/^Each emotion is scored on its own/);
    expect(h.details).toHaveLength(2);
    expect(headerLines(sampleResult(), 'typed', 'How far to trust this: …').details[2]).toBe('How far to trust this: …');
  });
});

describe('timings (issue 17 #9)', () => {
  it('names and values read apart: "fusion graph: 197 ms", never "fusion_graph197 ms"', async () => {
    const { Timings } = await import('./Timings');
    const t = text(renderToStaticMarkup(createElement(Timings, { timings: { fusion_graph: 197, total: 1200 } })));
    expect(t).toContain('fusion graph: 197 ms');
    expect(t).toContain('total: 1,200 ms');
    expect(t).not.toMatch(/[a-z]\d/);
  });
});

describe('backend badge before the first analysis (issue 17 #9)', () => {
  it('shows the expected backend, marked as such, until the models say what really runs', async () => {
    const { BackendBadge } = await import('./BackendBadge');
    const { initialState, reducers } = await import('../state/store');
    const before = reducers.expectedBackend(initialState(), 'wasm');
    const html = renderToStaticMarkup(createElement(BackendBadge, { backend: before.backend, detail: '', expected: before.expectedBackend }));
    expect(text(html)).toBe('WASM (CPU) · expected');
    expect(html).toContain('data-expected="true"');
    const after = reducers.backend(before, 'webgpu', 'adapter: x');
    expect(text(renderToStaticMarkup(createElement(BackendBadge, { backend: after.backend, detail: after.backendDetail, expected: after.expectedBackend })))).toBe('WebGPU');
    expect(renderToStaticMarkup(createElement(BackendBadge, { backend: null, detail: '' }))).toBe('');
  });
});

describe('offline honesty (issue 17 #6)', () => {
  it('"works offline" only where a service worker keeps the app', async () => {
    const { downloadSizeText } = await import('./ModelDownloads');
    const kept = { files: 3, totalBytes: 20e6, toDownloadBytes: 0 } as Parameters<typeof downloadSizeText>[0];
    expect(downloadSizeText(kept, true)).toMatch(/analysis works offline\.$/);
    expect(downloadSizeText(kept, false)).toMatch(/nothing to download\.$/);
  });
});

describe('after a run (issue 17 #9)', () => {
  it('never says "still to download" once every file of the run is verified and kept', async () => {
    const { downloadSizeText } = await import('./ModelDownloads');
    const stale = { files: 3, totalBytes: 20e6, toDownloadBytes: 9.8 * 1024 * 1024 } as Parameters<typeof downloadSizeText>[0];
    expect(downloadSizeText(stale, true)).toMatch(/still to download/);
    expect(downloadSizeText({ ...stale, toDownloadBytes: 0 }, true)).not.toMatch(/still to download/);
  });
});
