// The --baseline comparison's arithmetic and table (the measuring itself needs a browser).
import { describe, expect, it } from 'vitest';
import {
  analysisFigures, analysisKey, analysisRecord, compareStartup, interleavedOrder, pairedRatio, renderComparison, STARTUP_FIGURES,
} from './compare.mjs';

const FIGS = [
  { key: 'ready', label: 'models ready', target: 2500 },
  { key: 'live', label: 'live first', target: null },
];

describe('interleaving', () => {
  it('alternates which build goes first', () => {
    expect(interleavedOrder(3)).toEqual(['new', 'old', 'old', 'new', 'new', 'old']);
    expect(interleavedOrder(0)).toEqual([]);
  });
});

describe('ratios', () => {
  it('pairs run i of each build and takes the median of new/old', () => {
    // A slow second run for both (machine busy) cancels out in the pair.
    expect(pairedRatio([1000, 4000, 1100], [2000, 8000, 2200])).toBe(0.5);
    expect(pairedRatio([1000, null, 3000], [2000, 1000, 1000])).toBe(1.75);
    expect(pairedRatio([1000], [0])).toBeNull();
    expect(pairedRatio([], [])).toBeNull();
  });
  it('gives medians, ranges, both ratios, run counts and the target per figure', () => {
    const rows = compareStartup(
      [{ ready: 1000, live: 3000 }, { ready: 3000, live: null }, { ready: 2000, live: 5000 }],
      [{ ready: 4000, live: 6000 }, { ready: 6000, live: 9000 }, { ready: 5000, live: 8000 }],
      FIGS,
    );
    expect(rows[0]).toMatchObject({
      key: 'ready', new_ms: 2000, old_ms: 5000, ratio: 0.4, paired_ratio: 0.4,
      new_range: [1000, 3000], old_range: [4000, 6000], runs: { new: 3, old: 3 }, met: true,
    });
    expect(rows[1]).toMatchObject({ new_ms: 4000, old_ms: 8000, ratio: 0.5, paired_ratio: 0.56, runs: { new: 2, old: 3 }, met: null });
    expect(rows[0].paired_range).toEqual([0.25, 0.5]);
    expect(rows[1].paired_range).toEqual([0.5, 0.63]);
  });
  it('leaves a figure one build did not measure as null, never 0 or Infinity', () => {
    const [row] = compareStartup([{ ready: 1000 }], [{ ready: null }], FIGS);
    expect(row).toMatchObject({ new_ms: 1000, old_ms: null, ratio: null, paired_ratio: null, old_range: null, met: true });
    const [missing] = compareStartup([{}], [{}], FIGS);
    expect(missing).toMatchObject({ new_ms: null, ratio: null, met: null, runs: { new: 0, old: 0 } });
  });
  it('covers the four start-up targets of issue 16', () => {
    expect(STARTUP_FIGURES.filter((f) => f.target !== null).map((f) => f.target)).toEqual([8000, 2500, 4000, 3000]);
  });
});

describe('comparison table', () => {
  it('names the baseline, the load and each figure with its ratios and status', () => {
    const rows = compareStartup([{ ready: 3000 }, { ready: 2000 }], [{ ready: 4000 }, { ready: 4000 }], FIGS);
    const md = renderComparison({ rows, baseline: { short: 'abc1234' }, load: [2.5, 3.5, 9], notes: ['a note'] });
    expect(md).toContain('working tree (new) vs abc1234 (old)');
    expect(md).toContain('median 3.5, 2.5–9 (3 readings)');
    expect(md).toContain('| models ready | 2500 | 4000 | 0.63 | 0.63 | 2000–3000 | 4000–4000 | 2/2 | ≤ 2500 | met |');
    expect(md).toContain('| live first | – | – | – | – | – | – | 0/0 | – |  |');
    expect(md).toContain('| 0.5–0.75 |');
    expect(md).toContain('| 0/0 | – |  | – |');
    expect(md).toContain('- a note');
    expect(renderComparison({ rows, baseline: { short: 'x' } })).toContain('load average not recorded');
  });
});

describe('per-clip analysis figures', () => {
  const timings = (total: number, fusion: number, masked?: number) => ({
    models: 3, decode: 150, text: 20, audio: 40, frames: 900, face: 1100, fusion, total,
    fusion_graph: fusion - 5, ...(masked === undefined ? {} : { fusion_graph_text_masked: masked }),
  });
  it('lists every stage of each clip and backend, totals with the clip length and issue 16\'s targets', () => {
    const figs = analysisFigures({ '10s': 10, '60s': 60.02 }, ['wasm-1t', 'wasm-2t']);
    expect(figs).toHaveLength(2 * 2 * 10);
    expect(figs[0]).toEqual({ key: '10s wasm-1t decode', label: '10s wasm-1t: decode', target: null });
    expect(figs.find((f) => f.key === analysisKey('60s', 'wasm-2t', 'total'))).toEqual({
      key: '60s wasm-2t total', label: '60s wasm-2t: total', target: 7202, seconds: 60.02,
    });
    expect(figs.find((f) => f.key === '10s wasm-1t face_per_segment')?.target).toBe(50);
  });
  it('flattens a run\'s results; the one-run figures leave out the text-masked graph run', () => {
    const r = analysisRecord({
      '10s': { 'wasm-1t': { timings_ms: timings(2400, 300, 120), segments: 11 } },
      '60s': { 'wasm-1t': { timings_ms: timings(12000, 900), segments: 63 }, 'wasm-2t': { error: 'crashed' } },
    });
    expect(r).toMatchObject({
      '10s wasm-1t face': 1100, '10s wasm-1t face_per_segment': 100, '10s wasm-1t fusion': 300,
      '10s wasm-1t fusion_one_run': 180, '10s wasm-1t total': 2400, '10s wasm-1t total_one_run': 2280,
      // No second run timed (a build before it): nothing subtracted.
      '60s wasm-1t fusion_one_run': 900, '60s wasm-1t total_one_run': 12000,
      '60s wasm-2t total': null, '60s wasm-2t face_per_segment': null,
    });
  });
  it('compares runs like the start-up figures and gives totals their realtime ratio', () => {
    const figs = analysisFigures({ '10s': 10 }, ['wasm-1t']);
    const run = (total: number, masked?: number) => analysisRecord({ '10s': { 'wasm-1t': { timings_ms: timings(total, 300, masked), segments: 11 } } });
    const rows = compareStartup([run(2600, 100), run(2200, 100), run(2400, 100)], [run(2400), run(2000), run(2500)], figs);
    const total = rows.find((r) => r.key === '10s wasm-1t total');
    expect(total).toMatchObject({ new_ms: 2400, old_ms: 2400, ratio: 1, paired_ratio: 1.08, realtime: { new: 0.24, old: 0.24 }, target: 1200, met: false });
    expect(rows.find((r) => r.key === '10s wasm-1t total_one_run')).toMatchObject({ new_ms: 2300, old_ms: 2400, paired_ratio: 1.04 });
    expect(rows.find((r) => r.key === '10s wasm-1t decode')).not.toHaveProperty('realtime');
    const md = renderComparison({ title: 'Analysis per clip', rows, baseline: { short: 'abc1234' } });
    expect(md).toContain('## Analysis per clip, working tree (new) vs abc1234 (old)');
    expect(md).toContain('| realtime (new / old) |');
    expect(md).toContain('| 10s wasm-1t: total | 2400 | 2400 | 1 | 1.08 | 2200–2600 | 2000–2500 | 3/3 | 0.24 / 0.24 | ≤ 1200 | NOT met | 0.96–1.1 |');
    expect(md).toContain('| 10s wasm-1t: decode | 150 | 150 | 1 | 1 | 150–150 | 150–150 | 3/3 |  | – |  |');
  });
});
