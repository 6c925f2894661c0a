// The --baseline comparison's arithmetic and table (the measuring itself needs a browser).
import { describe, expect, it } from 'vitest';
import { compareStartup, interleavedOrder, pairedRatio, renderComparison, STARTUP_FIGURES } from './compare.mjs';

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
    expect(md).toContain('- a note');
    expect(renderComparison({ rows, baseline: { short: 'x' } })).toContain('load average not recorded');
  });
});
