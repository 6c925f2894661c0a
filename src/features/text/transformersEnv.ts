// transformers.js settings shared by every text component: local models only (never the hub),
// from our /models/ folder, with the same onnxruntime-web wasm files as the rest of the app, and
// every model file delivered through our verified store (sha256 against the manifest, Cache API).
import type { ModelFileEntry } from '../../protocol';
import { configureOrtEnv } from '../../inference/session';
import { fetchModelFile } from '../../inference/modelFiles';

export type FileProgress = (path: string, loaded: number, total: number) => void;

export async function configureTransformers(assetBase: string, modelsBase: string, files: ModelFileEntry[], onProgress: FileProgress) {
  const transformers = await import('@huggingface/transformers');
  const { env } = transformers;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsBase;
  env.useBrowserCache = false;
  env.useWasmCache = false;
  const byUrl = new Map(files.map((f) => [new URL(f.path, modelsBase).href, f]));
  env.useCustomCache = true;
  env.customCache = {
    // transformers.js asks the cache first: listed files come verified from our store; anything
    // else (optional files it probes for) falls through to a plain same-origin fetch.
    async match(request: string) {
      const file = byUrl.get(new URL(request, modelsBase).href);
      if (!file) return undefined;
      const { data } = await fetchModelFile(file, { modelsBase, onProgress: (l, t) => onProgress(file.path, l, t) });
      return new Response(data, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.byteLength) } });
    },
    async put() {
      // Verified files are already cached by fetchModelFile.
    },
  };
  const onnx = env.backends.onnx as Parameters<typeof configureOrtEnv>[0] | undefined;
  if (onnx?.wasm) configureOrtEnv(onnx, assetBase);
  return transformers;
}
