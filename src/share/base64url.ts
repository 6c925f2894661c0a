// base64url (RFC 4648 §5, no padding) for share links, on top of the platform's btoa/atob
// (browsers and Node ≥ 16) with a strict alphabet check first.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function isBase64url(s: string): boolean {
  return ALPHABET.test(s) && s.length % 4 !== 1;
}

export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of a base64url string; null when it is not valid base64url. */
export function base64urlDecode(s: string): Uint8Array | null {
  if (!isBase64url(s)) return null;
  const padded = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
