// The voice-activity detector (manifest audio.vad, docs/CONTRACTS.md "Voice activity") into the
// audio worker: downloaded, verified and cached like every model file, loaded once per audio worker
// (a cancel ends that worker; the next analysis loads it again). Without it the audio worker refuses
// to make an audio mask, so a tone or noise is never taken for a voice by accident.
import { findFile, type Manifest } from '../inference/manifest';
import { assetBase } from '../inference/paths';
import { workerClient } from '../workers/client';
import { downloadModel } from './modelDownload';
import type { PipelineReporter } from './reporter';

/** The audio worker generation that holds the detector. */
let loadedIn = -1;

export async function ensureVoiceActivity(manifest: Manifest, report: Pick<PipelineReporter, 'download'>, signal: AbortSignal): Promise<void> {
  const vad = manifest.audio.vad;
  const audio = workerClient('audio');
  if (!vad || loadedIn === audio.generation) return;
  const file = findFile(manifest, vad.model);
  if (!file) throw new Error(`The model manifest does not list the voice-activity detector ${vad.model}.`);
  const model = await downloadModel(file, report, signal);
  await audio.load({ worker: 'audio', type: 'load', model, assetBase: assetBase() }, { signal });
  loadedIn = audio.generation;
}
