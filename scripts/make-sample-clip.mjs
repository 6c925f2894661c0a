#!/usr/bin/env node
// Puts the "Try the sample clip" video into public/sample/ (gitignored) at build time, from the
// IEMOCAP dev clips in ../shared. IEMOCAP's licence (USC SAIL) allows research use only and no
// redistribution, and nothing in ../shared that we may ship has a face, a voice and words together,
// so the clip is never committed and exists only in builds made next to ../shared: a build without
// it simply has no sample button (the app looks for public/sample/sample.json). Do not publish a
// build that contains public/sample/ — delete the folder, or build with MER_NO_SAMPLE=1.
// Usage: node scripts/make-sample-clip.mjs [--force]
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDevLabels } from './lib/dev-labels.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataset = resolve(root, '..', 'shared', 'data', 'iemocap_dev_av');
const outDir = join(root, 'public', 'sample');
/** A 4.3 s clip: one speaker, face visible, clearly excited speech with its transcript. */
export const SAMPLE_ID = 'Ses01M_impro03_M005';

function main() {
  if (process.env.MER_NO_SAMPLE) {
    rmSync(outDir, { recursive: true, force: true });
    console.log('sample clip: MER_NO_SAMPLE set, public/sample/ removed (no sample button in this build).');
    return;
  }
  const clip = join(dataset, 'clips', `${SAMPLE_ID}.mp4`);
  if (!existsSync(clip)) {
    console.log(`sample clip: ${clip} not found; this build has no sample clip (the button stays hidden).`);
    return;
  }
  const row = readDevLabels(join(dataset, 'labels.csv')).get(SAMPLE_ID);
  if (!row) throw new Error(`${SAMPLE_ID} is not in labels.csv`);
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, 'sample.mp4');
  const fresh = existsSync(target) && statSync(target).size === statSync(clip).size;
  if (!fresh || process.argv.includes('--force')) copyFileSync(clip, target);
  const info = {
    file: 'sample.mp4',
    title: `Sample clip (4.3 s, acted “${row.emotion}”, with its transcript)`,
    transcript: row.transcript,
    source: `IEMOCAP session 1, utterance ${SAMPLE_ID} (USC SAIL)`,
    licence: 'research use only, not redistributable: present in local builds only',
  };
  writeFileSync(join(outDir, 'sample.json'), `${JSON.stringify(info, null, 2)}\n`);
  console.log(`sample clip: public/sample/sample.mp4 from ${SAMPLE_ID} (${row.emotion}).`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
