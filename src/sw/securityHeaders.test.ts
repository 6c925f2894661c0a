import { describe, expect, it } from 'vitest';
import { devCsp, remoteSources, securityHeaders, strictCsp } from './securityHeaders';

describe('security headers', () => {
  it('admit no remote origin, in the build and in dev', () => {
    for (const csp of [strictCsp, devCsp]) {
      expect(csp).toContain("default-src 'self'");
      expect(remoteSources(csp)).toEqual([]);
    }
  });

  it('only dev allows inline script and style (React Refresh)', () => {
    expect(strictCsp).not.toContain('unsafe-inline');
    expect(devCsp).toMatch(/script-src 'self' 'unsafe-inline'/);
  });

  it('spot remote sources of every form', () => {
    const csp = "default-src 'self'; script-src 'self' https://cdn.example.com; img-src *; connect-src wss://x.test huggingface.co blob: data:";
    expect(remoteSources(csp)).toEqual(['https://cdn.example.com', '*', 'wss://x.test', 'huggingface.co']);
  });

  it('make the page cross-origin isolated', () => {
    const h = securityHeaders(strictCsp);
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
  });
});
