import { describe, expect, it } from 'vitest';
import { chooseBackend, parseBackendPreference, parseWasmThreads, type AdapterDescription } from './backend';

const hardware: AdapterDescription = { isFallbackAdapter: false, vendor: 'nvidia', architecture: 'ampere' };
const swiftshader: AdapterDescription = { isFallbackAdapter: true, vendor: 'google', architecture: 'swiftshader' };

describe('chooseBackend', () => {
  it('uses WASM when there is no adapter', () => {
    expect(chooseBackend(null)).toBe('wasm');
    expect(chooseBackend(null, 'webgpu')).toBe('wasm');
  });
  it('uses WebGPU on a hardware adapter', () => {
    expect(chooseBackend(hardware)).toBe('webgpu');
    expect(chooseBackend(hardware, 'webgpu')).toBe('webgpu');
  });
  it('reports a fallback adapter as software WebGPU', () => {
    expect(chooseBackend(swiftshader)).toBe('webgpu-software');
  });
  it('honours an explicit WASM preference', () => {
    expect(chooseBackend(hardware, 'wasm')).toBe('wasm');
  });
});

describe('parseBackendPreference', () => {
  it.each([['wasm', 'wasm'], ['webgpu', 'webgpu'], ['auto', 'auto'], ['cuda', 'auto'], [null, 'auto'], [undefined, 'auto']] as const)(
    '%s -> %s', (input, expected) => expect(parseBackendPreference(input)).toBe(expected),
  );
});

describe('parseWasmThreads', () => {
  it('accepts whole numbers from 1 to 16', () => {
    expect(parseWasmThreads('1')).toBe(1);
    expect(parseWasmThreads('2')).toBe(2);
    expect(parseWasmThreads('16')).toBe(16);
  });
  it('leaves anything else to onnxruntime (null)', () => {
    for (const v of [null, undefined, '', '0', '17', '-1', '1.5', '2x', ' 2']) expect(parseWasmThreads(v)).toBeNull();
  });
});
