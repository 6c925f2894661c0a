// The model manifest as the page's own panels read it (what is still to download, the model card
// link): fetched once per page and shared, so each panel adds no request of its own. A failure is
// not kept: the next caller tries again (the analysis reports a missing manifest itself).
import { parseManifest, type Manifest } from './manifest';
import { fetchManifestJson } from './modelFiles';
import { modelsBase } from './paths';

let pending: Promise<Manifest> | null = null;

export function pageManifest(): Promise<Manifest> {
  if (!pending) {
    const loading = fetchManifestJson(new URL('manifest.json', modelsBase()).href).then(parseManifest);
    pending = loading;
    loading.catch(() => { if (pending === loading) pending = null; });
  }
  return pending;
}
