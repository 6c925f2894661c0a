// `engines` in package.json says the Node versions the dependencies really need (issue 17 #9: it
// said >= 20 where react-dropzone and its helpers need >= 22 and vitest skips 23): every locked
// package's own `engines.node` (optional platform binaries aside) must admit every version ours does.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// semver comes with npm's own dependency tree (vite-plugin-pwa, babel); only this test uses it.
const semver = createRequire(import.meta.url)('semver') as { subset: (a: string, b: string) => boolean };
const read = (f: string) => JSON.parse(readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('package.json engines', () => {
  it('is no looser than any dependency needs', () => {
    const ours = (read('package.json').engines as { node: string }).node;
    const packages = read('package-lock.json').packages as Record<string, { engines?: { node?: string }; optional?: boolean }>;
    const tooLoose = Object.entries(packages)
      .filter(([path, p]) => path && p.engines?.node && !p.optional)
      .filter(([, p]) => !semver.subset(ours, p.engines!.node!))
      .map(([path, p]) => `${path.replace(/^node_modules\//, '')} needs ${p.engines!.node}`);
    expect(tooLoose).toEqual([]);
    expect(semver.subset(ours, '>=22')).toBe(true);
  });
});

describe('vite.config.ts', () => {
  it('imports local files with their extension (Vite warned on every run: "import without a file extension")', () => {
    const config = readFileSync(new URL('../vite.config.ts', import.meta.url), 'utf8');
    const local = [...config.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
    expect(local.length).toBeGreaterThan(0);
    expect(local.filter((p) => !/\.(ts|mjs|js|json)$/.test(p))).toEqual([]);
  });
});
