import { describe, expect, it } from 'vitest';
import { chooseBackend, parseBackendPreference, type AdapterDescription } from './backend';

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
