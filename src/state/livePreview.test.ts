// Live mode in its first seconds (issue 17 #5): the camera preview shows as soon as camera and
// microphone are open, while the models still load, with one progress for the model files.
import { describe, expect, it } from 'vitest';
import { modelProgress } from '../ui/LiveView';
import { initialLiveState, liveReducers } from './live';

const stream = { getVideoTracks: () => [{}] } as unknown as MediaStream;

describe('live preview while the models load', () => {
  it('the stream is shown while starting, not only once running', () => {
    const s = liveReducers.preview(liveReducers.starting(initialLiveState(), 'Asking…'), stream);
    expect(s.status).toBe('starting');
    expect(s.stream).toBe(stream);
  });
  it('a preview after Stop (or an error) is ignored', () => {
    expect(liveReducers.preview(initialLiveState(), stream).stream).toBeNull();
  });
  it('model files as one progress', () => {
    expect(modelProgress([
      { path: 'a', loaded: 5, total: 10, status: 'downloading' },
      { path: 'b', loaded: 0, total: 30, status: 'cached' },
      { path: 'c', loaded: 0, total: 60, status: 'pending' },
    ])).toEqual({ loaded: 35, total: 100, fraction: 0.35 });
  });
});
