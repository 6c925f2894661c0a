// Audio worker: 16 kHz mono PCM -> log-mel patches [T][96][64] and the audio mask, with the exact
// front end training uses (src/features/audio/logmel.ts, docs/CONTRACTS.md). The mask is voice
// activity (src/features/audio/vad.ts): Silero VAD, handed over by `load` as verified model bytes
// and run here by our own onnxruntime-web (WASM, one thread: a tiny recurrent model), on top of the
// energy floor: all of a request's frames in one run (audio.vad.batched_frames), else one run per
// frame. Its state carries over from one request to the next when they are contiguous.
import { logMelPatches } from '../features/audio/logmel';
import { oneFrameAtATime, sileroFrames, sileroStep, voiceMask, VoiceActivityStream } from '../features/audio/vad';
import { createSession, loadOrt, type CreatedSession } from '../inference/session';
import { serve } from './scope';
import { timeBase } from '../timebase';

let detector: CreatedSession | null = null;
/** The detector's stream for one parameter set (a new manifest starts a new one). */
let stream: { key: string; vad: VoiceActivityStream } | null = null;

serve('audio', async (req, emit) => {
  if (req.type === 'load') {
    emit({ worker: 'audio', id: req.id, status: 'initiate', task: 'voice-activity detector' });
    const ort = await loadOrt('wasm', req.assetBase);
    ort.env.wasm.numThreads = 1; // this worker's own runtime instance; the other workers keep theirs
    detector = await createSession(new Uint8Array(req.model), req.assetBase, 'wasm');
    stream = null;
    emit({ worker: 'audio', id: req.id, status: 'ready', available: true, backend: detector.backend, detail: '' });
    return;
  }
  const { pcm, params } = req;
  emit({ worker: 'audio', id: req.id, status: 'initiate', task: 'log-mel' });
  const features = logMelPatches(pcm, params);
  let { audioMask } = features;
  if (params.vad) {
    if (!detector) throw new Error('The voice-activity detector is not loaded.');
    const key = JSON.stringify(params);
    if (stream?.key !== key) {
      const { session, ort } = detector;
      const run = params.vad.batched_frames
        ? sileroFrames(session, params.vad, params.sample_rate, ort.Tensor)
        : oneFrameAtATime(sileroStep(session, params.vad, params.sample_rate, ort.Tensor));
      stream = { key, vad: new VoiceActivityStream(run) };
    }
    emit({ worker: 'audio', id: req.id, status: 'initiate', task: 'voice activity' });
    const activity = await stream.vad.next(pcm, timeBase(params).segmentSamples, params.vad);
    audioMask = voiceMask(audioMask, activity.speechFrames, params.vad);
  }
  const { logMel, segmentCount } = features;
  emit({ worker: 'audio', id: req.id, status: 'done', task: 'log-mel' });
  emit(
    { worker: 'audio', id: req.id, status: 'complete', result: { logMel, segmentCount, audioMask } },
    [logMel.buffer, audioMask.buffer],
  );
});
