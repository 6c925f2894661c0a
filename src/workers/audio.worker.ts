// Audio worker: 16 kHz mono PCM -> log-mel patches [T][96][64] and the silence mask, with the
// exact front end training uses (src/features/audio/logmel.ts, docs/CONTRACTS.md).
import { logMelPatches } from '../features/audio/logmel';
import { serve } from './scope';

serve('audio', async (req, emit) => {
  emit({ worker: 'audio', id: req.id, status: 'initiate', task: 'log-mel' });
  const { logMel, segmentCount, audioMask } = logMelPatches(req.pcm, req.params);
  emit({ worker: 'audio', id: req.id, status: 'done', task: 'log-mel' });
  emit(
    { worker: 'audio', id: req.id, status: 'complete', result: { logMel, segmentCount, audioMask } },
    [logMel.buffer, audioMask.buffer],
  );
});
