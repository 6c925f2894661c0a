// Face worker: for each segment's frame, the most prominent face (ported BlazeFace full range,
// src/features/face/), aligned by the eyes and cropped to the visual encoder's input
// (docs/CONTRACTS.md "Face crops"). A segment without a face gets visual_mask 0 and a zero crop:
// masked, never guessed. Without a detector model it reports "not available".
// With a `track` in the request, each frame first looks at one view around the previous frame's
// face and searches all views only on a miss (src/features/face/track.ts): ~1/7 of the detector's work.
import { alignFaceCrop, detectFaces } from '../features/face/detector';
import { searchFace, type Box } from '../features/face/track';
import type { View } from '../features/face/views';
import { createSession, type CreatedSession } from '../inference/session';
import type { FaceBox, FaceParams } from '../protocol';
import { serve } from './scope';

let loaded: { created: CreatedSession; params: FaceParams } | null = null;

serve('face', async (req, emit) => {
  if (req.type === 'load') {
    if (!req.model) {
      loaded = null;
      emit({ worker: 'face', id: req.id, status: 'ready', available: false, backend: null, detail: `no face detector (${req.params.detector}) is installed.` });
      return;
    }
    emit({ worker: 'face', id: req.id, status: 'initiate', task: 'face detector' });
    const created = await createSession(new Uint8Array(req.model), req.assetBase, req.backend);
    loaded = { created, params: req.params };
    emit({ worker: 'face', id: req.id, status: 'ready', available: true, backend: created.backend, detail: created.fallbackReason ?? '' });
    return;
  }
  if (!loaded) throw new Error('The face detector is not loaded.');
  const { created, params } = loaded;
  const { crop } = params;
  const per = crop.channels * crop.size * crop.size;
  const n = req.frames.length;
  const crops = new Float32Array(n * per);
  const visualMask = new Float32Array(n);
  const boxes: (FaceBox | null)[] = [];
  const detections: (FaceBox | null)[] = [];
  const tracking = req.track !== undefined;
  let previous: Box | null = req.track ?? null;
  emit({ worker: 'face', id: req.id, status: 'initiate', task: 'faces' });
  for (let i = 0; i < n; i++) {
    const image = req.frames[i];
    if (!image) throw new Error('missing frame');
    const detect = (views?: View[]) => detectFaces(created.session, image, { tensor: created.ort.Tensor, views });
    const { face } = await searchFace(detect, tracking ? previous : null, image.width, image.height, params.min_score);
    previous = face ? face.box : null;
    detections.push(face ? [...face.box] : null);
    if (face) {
      const aligned = alignFaceCrop(image, face, crop);
      crops.set(aligned.crop, i * per);
      visualMask[i] = 1;
      boxes.push(aligned.box);
    } else {
      boxes.push(null);
    }
    emit({ worker: 'face', id: req.id, status: 'progress', task: 'faces', progress: (i + 1) / n });
  }
  emit({ worker: 'face', id: req.id, status: 'complete', result: { crops, visualMask, boxes, detections } }, [crops.buffer, visualMask.buffer]);
});
