import { describe, expect, it } from 'vitest';
import { isTyping, performKey, type KeyedAction } from './action';
import { ACTIONS, ALL_ACTIONS, handleKey } from './actions';
import { useAppStore } from './state/store';
import { useLiveStore } from './state/live';

const key = (k: string, extra: Partial<KeyboardEvent> = {}) => {
  let prevented = false;
  const e = { key: k, ctrlKey: false, metaKey: false, altKey: false, target: null, preventDefault: () => { prevented = true; }, ...extra } as unknown as KeyboardEvent;
  return { e, prevented: () => prevented };
};

describe('the action registry (excalidraw style)', () => {
  it('has every action once, each with a name and a label', () => {
    const names = ALL_ACTIONS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of ALL_ACTIONS) expect(a.label.length).toBeGreaterThan(0);
    expect(ACTIONS.cancel.key).toBe('Escape');
    expect(ACTIONS.liveStart.key).toBe('l');
  });

  it('one key handler: Escape cancels a running analysis and nothing else', () => {
    let cancelled = 0;
    const original = ACTIONS.cancel.perform;
    ACTIONS.cancel.perform = () => { cancelled++; };
    try {
      useAppStore.setState({ phase: 'idle' });
      const idle = key('Escape');
      handleKey(idle.e);
      expect(cancelled).toBe(0);
      expect(idle.prevented()).toBe(false);
      useAppStore.setState({ phase: 'running' });
      const running = key('Escape');
      handleKey(running.e);
      expect(cancelled).toBe(1);
      expect(running.prevented()).toBe(true);
      handleKey(key('Escape', { ctrlKey: true }).e);
      expect(cancelled).toBe(1);
    } finally {
      ACTIONS.cancel.perform = original;
      useAppStore.setState({ phase: 'idle' });
    }
  });

  it('live keys: L starts outside text fields, L or Escape stops a running session', () => {
    const calls: string[] = [];
    const { liveStart, liveStop } = ACTIONS;
    const [start, stop] = [liveStart.perform, liveStop.perform];
    liveStart.perform = () => { calls.push('start'); };
    liveStop.perform = () => { calls.push('stop'); };
    try {
      useLiveStore.setState({ mode: 'file', status: 'idle' });
      handleKey(key('l').e);
      expect(calls).toEqual([]); // file mode: L is an ordinary key
      useLiveStore.setState({ mode: 'live' });
      handleKey(key('L').e);
      expect(calls).toEqual(['start']);
      useLiveStore.setState({ status: 'running' });
      handleKey(key('l').e);
      handleKey(key('Escape').e);
      expect(calls).toEqual(['start', 'stop', 'stop']);
    } finally {
      liveStart.perform = start;
      liveStop.perform = stop;
      useLiveStore.setState({ mode: 'file', status: 'idle' });
    }
  });

  it('performKey runs the first matching action only', () => {
    const ran: string[] = [];
    const a = (name: string, test: boolean): KeyedAction => ({ name, label: name, keyTest: () => test, perform: () => { ran.push(name); } });
    expect(performKey([a('no', false), a('first', true), a('second', true)], key('x').e)).toBe(true);
    expect(ran).toEqual(['first']);
    expect(performKey([a('no', false)], key('x').e)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
