// One model file from the app's origin (or the Cache API), verified against the manifest's sha256,
// with its progress reported as the page shows it: downloading, then cached or verified, or error
// (stopped — not fetched — when the run was cancelled or another model failed first).
import type { ManifestFile } from '../inference/manifest';
import { fetchModelFile } from '../inference/modelFiles';
import { modelsBase } from '../inference/paths';
import { isAbort } from './errors';
import type { PipelineReporter } from './reporter';

export async function downloadModel(file: ManifestFile, report: Pick<PipelineReporter, 'download'>, signal: AbortSignal): Promise<ArrayBuffer> {
  report.download(file.path, { total: file.bytes, loaded: 0, status: 'downloading' });
  try {
    const { data, source } = await fetchModelFile(file, {
      modelsBase: modelsBase(), signal, onProgress: (loaded, total) => report.download(file.path, { loaded, total }),
    });
    report.download(file.path, { status: source === 'cache' ? 'cached' : 'verified', loaded: file.bytes });
    return data;
  } catch (e) {
    report.download(file.path, { status: isAbort(e) ? 'stopped' : 'error' });
    throw e;
  }
}
