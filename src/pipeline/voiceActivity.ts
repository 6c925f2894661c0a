// The voice-activity detector (manifest audio.vad, docs/CONTRACTS.md "Voice activity") into the
// audio worker: downloaded, verified and cached like every model file, loaded once per audio worker
// (a cancel ends that worker; the next analysis loads it again). Without it the audio worker refuses
// to make an audio mask, so a tone or noise is never taken for a voice by accident.
import { findFile, type Manifest } from '../inference/manifest';
import { fetchModelFile } from '../inference/modelFiles';
import { assetBase, modelsBase } from '../inference/paths';
import { workerClient } from '../workers/client';
import type { PipelineReporter } from './reporter';

/** The audio worker generation that holds the detector. */
let loadedIn = -1;

export async function ensureVoiceActivity(manifest: Manifest, report: Pick<PipelineReporter, 'download'>, signal: AbortSignal): Promise<void> {
  const vad = manifest.audio.vad;
  const audio = workerClient('audio');
  if (!vad || loadedIn === audio.generation) return;
  const file = findFile(manifest, vad.model);
  if (!file) throw new Error(`The model manifest does not list the voice-activity detector ${vad.model}.`);
  const progress = (patch: Parameters<PipelineReporter['download']>[1]) => report.download(file.path, patch);
  progress({ total: file.bytes, loaded: 0, status: 'downloading' });
  const fetched = await fetchModelFile(file, { modelsBase: modelsBase(), signal, onProgress: (loaded, total) => progress({ loaded, total }) })
    .catch((e: unknown) => {
      progress({ status: 'error' });
      throw e;
    });
  progress({ status: fetched.source === 'cache' ? 'cached' : 'verified', loaded: file.bytes });
  await audio.load({ worker: 'audio', type: 'load', model: fetched.data, assetBase: assetBase() }, { signal });
  loadedIn = audio.generation;
}
