import { describe, expect, it } from 'vitest';
import { initialLiveState, liveReducers as r, type LivePrediction } from './live';

const prediction = (segment: number): LivePrediction => ({
  segment, time: (segment + 1) * 0.96, segmentSeconds: 0.96, fused: [0.1, 0.9], modalities: { audio: [0.2, 0.8], visual: null, text: null },
  attention: { audio: 1, visual: 0, text: 0 }, face: false, audio: true, windowSegments: Math.min(segment + 1, 5), text: false,
});

describe('live reducers', () => {
  it('keeps only the last minute of predictions and counts all of them', () => {
    let s = initialLiveState();
    for (let t = 0; t < 100; t++) s = r.predicted(s, prediction(t));
    expect(s.predictions).toBe(100);
    expect(s.latest?.segment).toBe(99);
    const times = s.history.map((h) => h.time);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(60);
    expect(s.history).toHaveLength(63); // segments ending within 60 s of the newest: ceil(60 / 0.96)
    expect(s.history.at(-1)?.segment).toBe(99);
  });

  it('a new start clears the previous session but keeps the mode and the text box', () => {
    let s = r.mode(initialLiveState(), 'live');
    s = r.transcript(s, 'I am fine');
    s = r.predicted(s, prediction(0));
    s = r.failed(s, 'denied', 'blocked');
    s = r.starting(s, 'loading models');
    expect(s.status).toBe('starting');
    expect(s.mode).toBe('live');
    expect(s.transcript).toBe('I am fine');
    expect(s.history).toEqual([]);
    expect(s.error).toBeNull();
    expect(s.predictions).toBe(0);
  });

  it('stopping keeps the results on screen and drops the stream', () => {
    let s = r.running(r.starting(initialLiveState(), ''), { stream: {} as MediaStream, sources: { video: 'cam', audio: null }, labels: ['a', 'b'], backend: 'wasm', segmentSeconds: 0.96 });
    s = r.predicted(s, prediction(3));
    s = r.counters(s, 2, 1);
    s = r.stopped(s);
    expect(s.status).toBe('idle');
    expect(s.stream).toBeNull();
    expect(s.latest?.segment).toBe(3);
    expect(s.dropped).toBe(2);
    expect(s.backlog).toBe(0);
  });

  it('returns the same state when nothing changes', () => {
    const s = initialLiveState();
    expect(r.mode(s, 'file')).toBe(s);
    expect(r.counters(s, 0, 0)).toBe(s);
    expect(r.text(s, 'none')).toBe(s);
    const w = r.waiting(s, 'nothing heard');
    expect(r.waiting(w, 'nothing heard')).toBe(w);
    const n = r.note(s, 'x');
    expect(r.note(n, 'x')).toBe(n);
  });

  it('a failure carries its kind and plain message', () => {
    const s = r.failed(r.starting(initialLiveState(), ''), 'no-device', 'No camera or microphone was found.');
    expect(s.status).toBe('error');
    expect(s.error).toEqual({ problem: 'no-device', message: 'No camera or microphone was found.' });
  });
});
