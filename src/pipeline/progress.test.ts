import { describe, expect, it } from 'vitest';
import { describeProgress, ETA_MIN_SEGMENTS, ETA_WARM_UP_SEGMENTS, formatDuration, formatRemaining, ProgressClock } from './progress';

describe('formatRemaining', () => {
  it('words a countdown the way people read one', () => {
    expect(formatRemaining(4)).toBe('a few seconds left');
    expect(formatRemaining(34)).toBe('about 30 s left');
    expect(formatRemaining(17 * 60 + 20)).toBe('about 17 min left');
    expect(formatRemaining(3600)).toBe('about 1 h left');
    expect(formatRemaining(3600 + 25 * 60)).toBe('about 1 h 25 min left');
    expect(formatRemaining(Number.NaN)).toBe('');
  });
});

describe('ProgressClock', () => {
  it('an hour (3,750 segments) at 0.3 s a segment: window k of 118 and about 18 min left once a window is timed', () => {
    let now = 0;
    const clock = new ProgressClock(32, () => now);
    const start = clock.snapshot(0, 3750);
    expect(start).toMatchObject({ window: 1, windows: 118, remainingSeconds: null });
    expect(describeProgress(start)).toBe('window 1 of 118 · 0/3750 segments');
    now = 8 * 300; // ms
    expect(clock.snapshot(8, 3750).remainingSeconds).toBeNull();
    now = 40 * 300;
    const timed = clock.snapshot(40, 3750);
    expect(timed.window).toBe(2);
    expect(timed.remainingSeconds).toBeCloseTo((3750 - 40) * 0.3, 6);
    expect(describeProgress(timed)).toBe('window 2 of 118 · 40/3750 segments · about 19 min left');
    now = 3750 * 300;
    const end = clock.snapshot(3750, 3750);
    expect(end.window).toBe(118);
    expect(describeProgress(end)).toBe('window 118 of 118 · 3750/3750 segments');
  });
  it('leaves the slow start-up out of the pace', () => {
    let now = 0;
    const clock = new ProgressClock(32, () => now);
    clock.snapshot(0, 1000);
    now = 10_000; // decoder and models warming up: 10 s for the first 8 segments
    clock.snapshot(ETA_WARM_UP_SEGMENTS, 1000);
    now += 64 * 250; // then 0.25 s a segment
    const p = clock.snapshot(ETA_WARM_UP_SEGMENTS + 64, 1000);
    expect(p.remainingSeconds).toBeCloseTo((1000 - 72) * 0.25, 6);
  });
  it('says nothing about time before a few segments are timed, and one window needs no window count', () => {
    let now = 0;
    const clock = new ProgressClock(32, () => now);
    clock.snapshot(0, 30);
    now = 1000;
    clock.snapshot(ETA_WARM_UP_SEGMENTS, 30);
    now = 2000;
    expect(clock.snapshot(ETA_WARM_UP_SEGMENTS + ETA_MIN_SEGMENTS - 1, 30).remainingSeconds).toBeNull();
    expect(describeProgress(clock.snapshot(ETA_WARM_UP_SEGMENTS + ETA_MIN_SEGMENTS, 30))).toMatch(/^16\/30 segments · (a few seconds|about \d+ s) left$/);
  });
  it('copes with a total that grows past the estimate (streamed audio longer than the container said)', () => {
    const clock = new ProgressClock(32, () => 0);
    expect(clock.snapshot(70, 64)).toMatchObject({ total: 70, windows: 3, window: 3 });
  });
});

describe('formatDuration', () => {
  it('says a length the way the too-long message needs it', () => {
    expect(formatDuration(3 * 3600)).toBe('3 hours');
    expect(formatDuration(11_400)).toBe('3 hours 10 minutes');
    expect(formatDuration(3600 + 60)).toBe('1 hour 1 minute');
    expect(formatDuration(45 * 60)).toBe('45 minutes');
    expect(formatDuration(10)).toBe('0 minutes');
  });
});
