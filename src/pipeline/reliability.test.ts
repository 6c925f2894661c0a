// The measured numbers a result is shown with: the condition matching its inputs, the constant
// guess on the same clips, nothing without numbers; and the shipped metrics.json has every name read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ManifestMetric } from '../inference/manifest';
import { conditionFor, reliability, RELIABILITY_METRICS, reliabilitySource, trustSentence } from './reliability';

const shipped = JSON.parse(readFileSync(new URL('../../public/models/metrics.json', import.meta.url), 'utf8')) as ManifestMetric[];
const all = { audio: true, visual: true, text: true };

describe('reliability', () => {
  it('reads names the shipped metrics.json has (build.py writes them)', () => {
    const names = new Set(shipped.map((m) => m.name));
    expect(RELIABILITY_METRICS.filter((n) => !names.has(n))).toEqual([]);
  });
  it('picks the measured condition of the inputs present', () => {
    expect(conditionFor(all)).toBe('fused');
    expect(conditionFor({ ...all, text: false })).toBe('no_text');
    expect(conditionFor({ audio: true, visual: false, text: false })).toBe('audio');
    expect(conditionFor({ audio: false, visual: true, text: false })).toBe('visual');
    expect(conditionFor({ audio: false, visual: false, text: true })).toBe('text');
    expect(conditionFor({ audio: true, visual: false, text: true })).toBe('fused');
    expect(conditionFor({ audio: false, visual: false, text: false })).toBeNull();
  });
  it('gives the shipped model’s number with the constant guess on the same clips', () => {
    const r = reliability(shipped, { ...all, text: false })!;
    const measured = shipped.find((m) => m.name === 'top-1 accuracy (fused, voice + face without the words, 7 classes)')!;
    expect(r).toMatchObject({ input: 'voice and face without words', exact: true, top1: measured.value, n: measured.n, dataset: measured.dataset });
    expect(r.baseline?.label).toMatch(/^[a-z]+$/);
    expect(r.baseline!.top1).toBeLessThan(r.top1);
    expect(reliability(shipped, { audio: true, visual: false, text: true })).toMatchObject({ input: 'voice, face and words together', exact: false });
  });
  it('with words, says one tap away how the words alone did on other people', () => {
    const r = reliability(shipped, all)!;
    const words = shipped.find((m) => m.name === 'top-1 accuracy (fused graph, words only, 7 classes)')!;
    expect(r.wordsElsewhere).toMatchObject({ top1: words.value, n: words.n, dataset: words.dataset });
    expect(r.wordsElsewhere!.baseline!.top1).toBeLessThan(words.value);
    expect(reliabilitySource(r)).toMatch(/\. The words alone were right for \d+\.\d% of \d+ utterances by other people, where always answering “[a-z]+” was right for \d+\.\d% \([^()]*session 5[^()]*\)\. A hint, not a verdict: the model card says more\.$/);
    expect(reliability(shipped, { ...all, text: false })!.wordsElsewhere).toBeUndefined();
    expect(reliabilitySource(reliability(shipped, { ...all, text: false })!)).not.toMatch(/words alone/);
  });
  it('says nothing for a model without these numbers, or a result without inputs', () => {
    expect(reliability([], all)).toBeNull();
    expect(reliability(shipped, { audio: false, visual: false, text: false })).toBeNull();
  });
});

describe('trustSentence', () => {
  it('reads the result\'s inputs from its decisions; none without measured numbers', async () => {
    const { sampleResult } = await import('../export/fixture.test-helpers');
    const r = sampleResult();
    expect(trustSentence(shipped, { ...r, modalities: { ...r.modalities, text: null } })).toMatch(/^How far to trust this: for voice and face without words, /);
    expect(trustSentence([], r)).toBeNull();
  });
});
