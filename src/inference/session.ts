// onnxruntime-web session creation for a worker: loads the runtime build that matches the backend
// (ort.wasm.min.mjs for WASM, ort.webgpu.min.mjs for WebGPU — the build transformers.js shares),
// points it at our own /ort/ files, creates sessions one at a time, and returns the backend that
// really ran. The WebGPU session lists ONLY the webgpu execution provider, so a failure throws
// instead of onnxruntime silently falling back; we then fall back to WASM explicitly and say so.
import type { InferenceSession } from 'onnxruntime-web';
import type { Backend, BackendPreference } from '../protocol';
import { chooseBackend, parseWasmThreads, requestAdapter, type GpuAdapterLike } from './backend';

type OrtModule = typeof import('onnxruntime-web');

const loaded = new Map<'wasm' | 'webgpu', Promise<OrtModule>>();

/** The onnxruntime-web build for a backend, configured to load its wasm from `${assetBase}ort/`. */
export function loadOrt(kind: 'wasm' | 'webgpu', assetBase: string): Promise<OrtModule> {
  let p = loaded.get(kind);
  if (!p) {
    p = (kind === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((ort) => {
      configureOrtEnv(ort.env, assetBase);
      return ort;
    });
    loaded.set(kind, p);
  }
  return p;
}

/** Shared settings for every onnxruntime-web instance (ours and transformers.js's). */
export function configureOrtEnv(env: OrtModule['env'], assetBase: string): void {
  env.wasm.wasmPaths = new URL('ort/', assetBase).href;
  env.wasm.proxy = false; // we already are in a worker
  // `?threads=N` on the page (see paths.ts); otherwise onnxruntime's default (ceil(cores / 2)).
  const threads = parseWasmThreads(new URL(assetBase).searchParams.get('threads'));
  if (threads !== null) env.wasm.numThreads = threads;
  env.logLevel = 'error';
}

let queue: Promise<unknown> = Promise.resolve();
/** Runs `task` after every earlier one settled: sessions are created one at a time. */
export function serialized<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

export interface CreatedSession {
  session: InferenceSession;
  ort: OrtModule;
  backend: Backend;
  /** Why WebGPU was not used although preferred, if it was not. */
  fallbackReason: string | null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function createSession(model: Uint8Array, assetBase: string, preference: BackendPreference): Promise<CreatedSession> {
  const found = preference === 'wasm' ? null : await requestAdapter();
  const choice = chooseBackend(found?.description ?? null, preference);
  let fallbackReason: string | null = preference === 'webgpu' && !found ? 'no WebGPU adapter' : null;
  if (choice !== 'wasm' && found) {
    try {
      const ort = await loadOrt('webgpu', assetBase);
      setWebGpuAdapter(ort, found.adapter);
      const session = await serialized(() => ort.InferenceSession.create(model, { executionProviders: ['webgpu'] }));
      return { session, ort, backend: choice, fallbackReason: null };
    } catch (e) {
      fallbackReason = `WebGPU session failed: ${message(e)}`;
    }
  }
  const ort = await loadOrt('wasm', assetBase);
  const session = await serialized(() => ort.InferenceSession.create(model, { executionProviders: ['wasm'] }));
  return { session, ort, backend: 'wasm', fallbackReason };
}

/** Hands our adapter to onnxruntime so it uses the very adapter we described (e.g. SwiftShader). */
function setWebGpuAdapter(ort: OrtModule, adapter: GpuAdapterLike): void {
  const webgpu = ort.env.webgpu as { adapter?: unknown };
  try {
    webgpu.adapter = adapter;
  } catch {
    // Read-only once a WebGPU session exists; the earlier adapter stays.
  }
}
