// The YAMNet port against the real yamnet.tflite run by the TFLite runtime in headless Chromium,
// on a small sample of real speech (3 IEMOCAP dev clips + 3 EmoDB files). The full check (all 72
// clips and 535 EmoDB files) is `node scripts/yamnet-tflite-parity.mjs`. Skipped, with the reason,
// when Chromium, the model or the clips are not on this machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const needs = [
  '/usr/bin/chromium',
  `${root}../shared/weights/yamnet/yamnet.tflite`,
  `${root}../shared/data/iemocap_dev_av/clips`,
  `${root}../shared/data/emodb/wav`,
  '/usr/bin/ffmpeg',
];
const missing = needs.filter((p) => !existsSync(p));
if (missing.length) console.warn(`yamnet-tflite-parity: skipped, missing ${missing.join(', ')}`);

describe.skipIf(missing.length > 0)('YAMNet PyTorch port vs yamnet.tflite (TFLite runtime, Chromium)', () => {
  it('agrees on the top class of real speech patches', { timeout: 600_000 }, () => {
    const cache = 'training/.cache/yamnet_parity_small';
    const r = spawnSync(
      'node',
      ['scripts/yamnet-tflite-parity.mjs', '--prepare', '--max-clips', '3', '--cache', cache, '--min-agreement', '0.9'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(readFileSync(`${root}${cache}/report.json`, 'utf8'));
    expect(report.patches).toBeGreaterThan(10);
    expect(report.top1_agreement_same_front_end).toBeGreaterThanOrEqual(0.9);
  });
});
