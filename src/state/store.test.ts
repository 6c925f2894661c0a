import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../pipeline/result';
import { initialState, reducers, STAGES, useAppStore } from './store';

const result: AnalysisResult = {
  file: 'a.mp4', labels: ['x'], segment_seconds: 0.96, fused: [0.5], modalities: { audio: [0.5], visual: null, text: null }, modality_basis: 'text_masked',
  attention: { audio: 1, visual: 0, text: 0 }, segments: [], backend: 'wasm', timings_ms: {},
};

describe('store reducers', () => {
  it('start resets the run but keeps downloads and backend', () => {
    let s = reducers.download(initialState(), 'fusion.onnx', { total: 10, loaded: 10, status: 'verified' });
    s = reducers.backend(s, 'webgpu', '');
    s = reducers.fail(s, 'old error');
    s = reducers.start(s, 'b.mp4');
    expect(s.phase).toBe('running');
    expect(s.fileName).toBe('b.mp4');
    expect(s.error).toBeNull();
    expect(s.downloads['fusion.onnx']?.status).toBe('verified');
    expect(s.backend).toBe('webgpu');
    expect(STAGES.every((k) => s.stages[k].status === 'pending')).toBe(true);
  });
  it('stage clamps progress and completes it when done', () => {
    let s = reducers.stage(initialState(), 'audio', { status: 'running', progress: 7 });
    expect(s.stages.audio.progress).toBe(1);
    s = reducers.stage(s, 'audio', { progress: -1 });
    expect(s.stages.audio.progress).toBe(0);
    s = reducers.stage(s, 'audio', { status: 'done' });
    expect(s.stages.audio).toEqual({ status: 'done', progress: 1, detail: '' });
  });
  it('does not mutate the previous state', () => {
    const before = initialState();
    const after = reducers.stage(before, 'decode', { status: 'running' });
    expect(before.stages.decode.status).toBe('pending');
    expect(after).not.toBe(before);
  });
  it('download merges progress for one file', () => {
    let s = reducers.download(initialState(), 'f.onnx', { total: 100, status: 'downloading' });
    s = reducers.download(s, 'f.onnx', { loaded: 40 });
    expect(s.downloads['f.onnx']).toEqual({ path: 'f.onnx', total: 100, loaded: 40, status: 'downloading' });
  });
  it('note keeps each message once', () => {
    const s = reducers.note(reducers.note(initialState(), 'x'), 'x');
    expect(s.notes).toEqual(['x']);
  });
  it('fail marks running stages as failed', () => {
    let s = reducers.stage(reducers.start(initialState(), 'a'), 'fusion', { status: 'running' });
    s = reducers.fail(s, 'no');
    expect(s.phase).toBe('error');
    expect(s.error).toBe('no');
    expect(s.stages.fusion.status).toBe('error');
  });
  it('a failed stage drops what it was doing: the reason is the error message, said once', () => {
    let s = reducers.stage(reducers.start(initialState(), 'a'), 'models', { status: 'running', progress: 0.3, detail: 'manifest' });
    s = reducers.fail(s, 'The fused model fusion.onnx was trained for 6 emotions but the manifest lists 7, so it was not loaded.');
    expect(s.stages.models).toEqual({ status: 'error', progress: 0, detail: '' });
  });
  it('a failure names its own stage: the others running are stopped, those not started not run (issue 17, no dead ends)', () => {
    const refused = 'The fused model fusion.onnx was trained for 6 emotions but the manifest lists 7, so it was not loaded.';
    let s = reducers.start(initialState(), 'a');
    s = reducers.stage(s, 'models', { status: 'running', progress: 0.5, detail: 'starting the inference runtime' });
    s = reducers.stage(s, 'decode', { status: 'running', detail: 'a.mp4' });
    // The pipeline reports the stage whose work failed, with the reason; then the run fails.
    s = reducers.stage(s, 'models', { status: 'error', reason: refused });
    expect(s.stages.models).toEqual({ status: 'error', progress: 0, detail: '', reason: refused });
    s = reducers.fail(s, refused);
    expect(s.stages.models).toEqual({ status: 'error', progress: 0, detail: '', reason: refused });
    expect(s.stages.decode).toMatchObject({ status: 'stopped', detail: 'a.mp4' });
    for (const k of ['audio', 'face', 'text', 'fusion'] as const) expect(s.stages[k].status).toBe('not-run');
    expect(STAGES.filter((k) => s.stages[k].status === 'error')).toEqual(['models']);
  });
  it('with several stages running and none named, none is called failed: they are stopped', () => {
    let s = reducers.start(initialState(), 'a');
    s = reducers.stage(s, 'audio', { status: 'running' });
    s = reducers.stage(s, 'fusion', { status: 'running' });
    s = reducers.fail(s, 'no');
    expect([s.stages.audio.status, s.stages.fusion.status]).toEqual(['stopped', 'stopped']);
  });
  it('after a failure no model file is left waiting or downloading: each says done, not fetched or failed', () => {
    let s = reducers.start(initialState(), 'a');
    s = reducers.download(s, 'fusion.onnx', { total: 100, loaded: 100, status: 'verified' });
    s = reducers.download(s, 'face_detector.onnx', { total: 50, loaded: 20, status: 'downloading' });
    s = reducers.download(s, 'text/config.json', { total: 5, loaded: 0, status: 'pending' });
    s = reducers.download(s, 'silero_vad_v6.onnx', { total: 9, loaded: 0, status: 'error' });
    s = reducers.fail(s, 'refused');
    expect(Object.fromEntries(Object.values(s.downloads).map((d) => [d.path, d.status]))).toEqual({
      'fusion.onnx': 'verified', 'face_detector.onnx': 'stopped', 'text/config.json': 'stopped', 'silero_vad_v6.onnx': 'error',
    });
    const cancelled = reducers.cancel(reducers.download(reducers.start(initialState(), 'b'), 'x.onnx', { total: 1, status: 'downloading' }));
    expect(cancelled.downloads['x.onnx']?.status).toBe('stopped');
  });
  it('cancel says which steps were stopped and which never ran, not "waiting"', () => {
    let s = reducers.stage(reducers.start(initialState(), 'a'), 'audio', { status: 'running', progress: 0.5 });
    s = reducers.stage(s, 'decode', { status: 'done', progress: 1 });
    s = reducers.cancel(s);
    expect(s.phase).toBe('cancelled');
    expect(s.stages.audio).toMatchObject({ status: 'stopped', progress: 0.5 });
    expect(s.stages.decode.status).toBe('done');
    expect(Object.values(s.stages).filter((st) => st.status === 'pending')).toEqual([]);
    expect(Object.values(s.stages).some((st) => st.status === 'not-run')).toBe(true);
  });
  it('finish stores the result', () => {
    const s = reducers.finish(reducers.start(initialState(), 'a.mp4'), result);
    expect(s.phase).toBe('done');
    expect(s.result).toBe(result);
  });
  it('the zustand store applies the reducers through its actions', () => {
    const { actions } = useAppStore.getState();
    actions.start('c.mp4');
    actions.stage('decode', { status: 'done' });
    expect(useAppStore.getState().fileName).toBe('c.mp4');
    expect(useAppStore.getState().stages.decode.status).toBe('done');
    actions.reset();
    expect(useAppStore.getState().phase).toBe('idle');
    expect(typeof useAppStore.getState().actions.start).toBe('function');
  });
});

describe('share-link reducers', () => {
  it('opens a shared result, reports a bad link, and closes either', () => {
    const shared = { ...result, transcript: null };
    let s = reducers.openShared(initialState(), shared);
    expect(s.shared).toBe(shared);
    s = reducers.sharedFailed(s, 'This link is damaged.');
    expect(s.shared).toBeNull();
    expect(s.sharedError).toBe('This link is damaged.');
    s = reducers.closeShared(s);
    expect(s.sharedError).toBeNull();
  });
  it('a new result forgets the previous share link; a new run leaves the shared view', () => {
    let s = reducers.shareMade(initialState(), { link: 'http://x/#r=v1.a', error: null, copied: true });
    s = reducers.finish(s, result);
    expect(s.share).toEqual({ link: null, error: null, copied: false });
    s = reducers.openShared(s, { ...result, transcript: 'hi' });
    s = reducers.start(s, 'b.mp4');
    expect(s.shared).toBeNull();
  });
});

describe('result-view reducers (player, timeline, crops)', () => {
  const segments = [0, 1, 2].map((t) => ({ start: t * 0.96, end: (t + 1) * 0.96, audio: [0.5], visual: null, face: false, face_box: null }));
  const withSegments: AnalysisResult = { ...result, segments };
  const done = () => reducers.finish(reducers.media(reducers.start(initialState(), 'a.mp4'), 'blob:x'), withSegments);

  it('choosing a cell makes it current and asks the player to seek to its start, each time anew', () => {
    let s = reducers.chooseSegment(done(), 2);
    expect(s.segment).toBe(2);
    expect(s.seek).toEqual({ time: 1.92, nonce: 1 });
    s = reducers.chooseSegment(s, 2);
    expect(s.seek?.nonce).toBe(2);
    expect(reducers.chooseSegment(s, 7)).toBe(s);
  });
  it('the playing time moves the current cell', () => {
    let s = reducers.playhead(done(), 1.0);
    expect(s.segment).toBe(1);
    s = reducers.playhead(s, 2.5);
    expect(s.segment).toBe(2);
    expect(reducers.playhead(s, 2.6)).toBe(s);
  });
  it('a shared result has no player: choosing a cell never seeks', () => {
    let s = reducers.openShared(done(), { ...withSegments, transcript: null });
    expect(s.segment).toBeNull();
    s = reducers.chooseSegment(s, 1);
    expect(s.segment).toBe(1);
    expect(s.seek).toBeNull();
  });
  it('a new run forgets the media, crops and position but keeps the sample clip', () => {
    let s = reducers.sampleFound(done(), { file: 'sample.mp4', title: 't', transcript: 'x', source: 's', licence: 'l' });
    s = reducers.crops(reducers.chooseSegment(s, 1), ['data:image/png;base64,AA', null, null]);
    s = reducers.start(s, 'b.mp4');
    expect([s.mediaUrl, s.crops, s.segment, s.seek]).toEqual([null, null, null, null]);
    expect(s.sample?.file).toBe('sample.mp4');
    expect(reducers.reset(s).sample?.file).toBe('sample.mp4');
  });
});
