import { describe, expect, it } from 'vitest';
import { graphInputs, prng } from './graphInputs.mjs';
import { evaluateTargets, markdownTable, median, medianRecord, percentile, ratio, renderMarkdown, round } from './report.mjs';

describe('summary statistics', () => {
  it('median of odd and even counts, ignoring missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, Number.NaN, 1])).toBe(3);
    expect(median([])).toBeNull();
  });
  it('nearest-rank percentile is an observed value', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBe(19);
    expect(percentile(xs, 100)).toBe(20);
    expect(percentile(xs, 50)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
  });
  it('key-wise median of timing records', () => {
    expect(medianRecord([{ decode: 10, fusion: 5 }, { decode: 30, fusion: 7 }, { decode: 20 }])).toEqual({ decode: 20, fusion: 6 });
  });
  it('ratio and round treat missing values as null', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(undefined)).toBeNull();
  });
});

describe('targets', () => {
  const bench = {
    realtime_ratio: { '10s': { 'wasm-1t': 0.25, 'wasm-2t': 0.4, 'webgpu-swiftshader': 9 } },
    live_latency_ms: null,
    browser_native_ratio: { fusion: { '10s': { 'wasm-1t': 2.5 } } },
    peak_memory_mb: { ratio_60s_to_10s: { js_heap: 1.2, total: 1.8 } },
  };
  it('reports each target as met, not met or not measured, and leaves WebGPU out', () => {
    const rows = evaluateTargets(bench);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.met]));
    expect(byName['realtime_ratio 10s wasm-1t']).toBe(true);
    expect(byName['realtime_ratio 10s wasm-2t']).toBe(false);
    expect(Object.keys(byName).some((n) => n.includes('webgpu'))).toBe(false);
    expect(byName['live latency p95 (ms)']).toBeNull();
    expect(byName['browser/native fused graph 10s wasm-1t']).toBe(true);
    expect(byName['peak memory 60 s / 10 s (total)']).toBe(false);
  });
});

describe('table writer', () => {
  it('writes a Markdown table with a dash for missing cells', () => {
    expect(markdownTable(['a', 'b'], [[1, null]])).toBe('| a | b |\n| --- | --- |\n| 1 | – |');
  });
  it('renders every section of a minimal report without throwing', () => {
    const md = renderMarkdown({
      clip_seconds: { '10s': 10 },
      stages_ms: { '10s': { 'wasm-1t': { decode: 100, fusion: 50 } } },
      total_ms: { '10s': { 'wasm-1t': 400 } },
      realtime_ratio: { '10s': { 'wasm-1t': 0.04 } },
      node_ms: { fusion: { '10s (T=11)': { '1t': 20 } } },
      browser_graph_ms: { fusion: { '10s (T=11)': { 'wasm-1t': 50 } } },
      browser_native_ratio: { fusion: { '10s (T=11)': { 'wasm-1t': 2.5 } } },
      live_latency_ms: null,
      live_latency_note: 'live mode is not in this build',
      model_bytes: { files: { 'fusion.onnx': 10 }, total: 10 },
      machine: { cores: 2, date: '2026-01-01', load_average_1m: { start: 1, end: 2 } },
    });
    expect(md).toContain('| 10s | wasm-1t | 100 |');
    expect(md).toContain('| fusion | 10s (T=11) | 1t | 50 | 20 | 2.5 |');
    expect(md).toContain('Not measured: live mode is not in this build.');
    expect(md).toContain('| realtime_ratio 10s wasm-1t | 0.04 | ≤ 0.3 | met |');
  });
});

describe('graph inputs', () => {
  it('are deterministic and shaped as the contract says', () => {
    expect(prng(1)()).toBe(prng(1)());
    const a = graphInputs('fusion', { segments: 2, channels: 1, size: 8, textDim: 4 });
    const b = graphInputs('fusion', { segments: 2, channels: 1, size: 8, textDim: 4 });
    expect(a.faces.dims).toEqual([1, 2, 1, 8, 8]);
    expect(a.log_mel.dims).toEqual([1, 2, 96, 64]);
    // Plain arrays: comparing typed arrays element by element is slow in the test runner.
    expect(Array.from(a.faces.data)).toEqual(Array.from(b.faces.data));
    expect(a.log_mel.data.every((v, i) => v === b.log_mel.data[i])).toBe(true);
    const text = graphInputs('text', { tokens: 5 });
    expect([...text.input_ids.data].slice(0, 1)).toEqual([101n]);
    expect(text.input_ids.data[4]).toBe(102n);
    expect(() => graphInputs('nope', {})).toThrow(/valid: fusion, text, detector/);
  });
});
