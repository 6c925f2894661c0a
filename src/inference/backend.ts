// Backend choice for onnxruntime-web: WebGPU when the browser gives an adapter, WASM otherwise.
// A software adapter (SwiftShader; `isFallbackAdapter`) is still WebGPU but reported as such, so
// the UI never claims GPU speed it does not have. The choice is a pure function over an adapter
// description; `describeAdapter` does the one browser call.
import type { Backend, BackendPreference } from '../protocol';

/** What the backend choice needs to know about a WebGPU adapter (null = none). */
export interface AdapterDescription { isFallbackAdapter: boolean; vendor: string; architecture: string }

/** The backend to try first. A WebGPU choice may still fall back to WASM when session creation fails. */
export function chooseBackend(adapter: AdapterDescription | null, preference: BackendPreference = 'auto'): Backend {
  if (preference === 'wasm' || adapter === null) return 'wasm';
  return adapter.isFallbackAdapter ? 'webgpu-software' : 'webgpu';
}

/** Most WASM threads anyone may ask for: onnxruntime-web's own default stops at 4. */
export const MAX_WASM_THREADS = 16;

/**
 * Parses `?threads=N` (onnxruntime-web WASM threads, 1-16); null = leave onnxruntime's default
 * (ceil(cores / 2), at most 4, when cross-origin isolated). The benchmark compares 1 and 2.
 */
export function parseWasmThreads(value: string | null | undefined): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 && n <= MAX_WASM_THREADS ? n : null;
}

/** Parses `?backend=wasm|webgpu|auto` (anything else is auto). */
export function parseBackendPreference(value: string | null | undefined): BackendPreference {
  return value === 'wasm' || value === 'webgpu' ? value : 'auto';
}

// Minimal WebGPU typings: TypeScript's DOM lib does not ship them yet.
export interface GpuAdapterLike {
  readonly info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string };
  readonly isFallbackAdapter?: boolean; // older Chromium exposed it on the adapter itself
}
interface GpuLike { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null> }

/** Asks the browser for a WebGPU adapter (page or worker). Never throws. */
export async function requestAdapter(): Promise<{ adapter: GpuAdapterLike; description: AdapterDescription } | null> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: GpuLike }) | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    return {
      adapter,
      description: {
        isFallbackAdapter: Boolean(adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter),
        vendor: adapter.info?.vendor ?? '',
        architecture: adapter.info?.architecture ?? '',
      },
    };
  } catch {
    return null;
  }
}

export const BACKEND_LABELS: Readonly<Record<Backend, string>> = Object.freeze({
  wasm: 'WASM (CPU)',
  webgpu: 'WebGPU',
  'webgpu-software': 'WebGPU (software adapter)',
});
