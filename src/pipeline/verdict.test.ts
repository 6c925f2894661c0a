// The headline's honesty rule (issue 17 #3): "Most likely" only when the top score passes 0.5 and
// leads the runner-up by more than 0.1; otherwise "Uncertain", naming both.
import { describe, expect, it } from 'vitest';
import { CLOSE_MARGIN, LIKELY, verdict } from './verdict';

const LABELS = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'];

describe('verdict', () => {
  it('the issue\'s case: anger 66.8% beside happiness 61.5% is uncertain and names both', () => {
    const v = verdict(LABELS, [0.668, 0.1, 0.1, 0.615, 0.2, 0.1, 0.3]);
    expect(v.kind).toBe('close');
    expect(v.uncertain).toBe(true);
    expect(v.headline).toBe('Uncertain: anger (66.8%) or happiness (61.5%), within 10 points of each other');
  });
  it('no emotion passes 0.5: uncertain, highest two named', () => {
    const v = verdict(LABELS, [0.32, 0.1, 0.1, 0.281, 0.2, 0.1, 0.3]);
    expect(v.kind).toBe('none-likely');
    expect(v.headline).toBe('Uncertain: no emotion reaches 50%; highest anger (32.0%) and neutral (30.0%)');
  });
  it('all scores 0 is uncertain, not "Most likely: anger"', () => {
    expect(verdict(LABELS, LABELS.map(() => 0)).headline).toMatch(/^Uncertain: no emotion reaches 50%/);
  });
  it('a clear lead above 0.5 is "Most likely"', () => {
    const v = verdict(LABELS, [0.2, 0.1, 0.1, 0.81, 0.2, 0.1, 0.6]);
    expect(v).toMatchObject({ kind: 'likely', uncertain: false, top: { label: 'happiness' }, second: { label: 'neutral' } });
    expect(v.headline).toBe('Most likely: happiness (81.0%)');
  });
  it('"close" is inclusive at exactly the margin, and the thresholds are the documented ones', () => {
    expect(LIKELY).toBe(0.5);
    expect(CLOSE_MARGIN).toBe(0.1);
    expect(verdict(['a', 'b'], [0.7, 0.6]).kind).toBe('close');
    expect(verdict(['a', 'b'], [0.71, 0.6]).kind).toBe('likely');
    expect(verdict(['a', 'b'], [0.5, 0.1]).kind).toBe('likely');
    expect(verdict(['only'], [0.9])).toMatchObject({ kind: 'likely', second: null });
  });
});
