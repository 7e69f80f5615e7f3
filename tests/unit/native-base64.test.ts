import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactVerify, CompactSign, generateKeyPair } from 'jose';
import { toBase64 } from '../../src/crypto/native-base64.js';

// The reference: jose's own fallback (String.fromCharCode and btoa), as the standard specifies.
function reference(bytes: Uint8Array, alphabet: 'base64' | 'base64url', omitPadding: boolean): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  let s = btoa(bin);
  if (alphabet === 'base64url') s = s.replace(/\+/g, '-').replace(/\//g, '_');
  return omitPadding ? s.replace(/=+$/, '') : s;
}

describe('native toBase64', () => {
  it('matches the reference encoder for every length, alphabet and padding choice', () => {
    for (let len = 0; len < 70; len++) {
      const bytes = new Uint8Array(randomBytes(len));
      for (const alphabet of ['base64', 'base64url'] as const) {
        for (const omitPadding of [false, true]) {
          expect(toBase64(bytes, { alphabet, omitPadding })).toBe(reference(bytes, alphabet, omitPadding));
        }
      }
      expect(toBase64(bytes)).toBe(reference(bytes, 'base64', false));
    }
  });

  it('encodes a view into a larger buffer, not the whole buffer', () => {
    const whole = new Uint8Array([0xfb, 0xff, 0xbf, 0x01, 0x02, 0x03]);
    const view = whole.subarray(1, 4);
    expect(toBase64(view, { alphabet: 'base64url', omitPadding: true })).toBe(reference(view, 'base64url', true));
  });

  it('rejects an unknown alphabet as the standard does', () => {
    expect(() => toBase64(new Uint8Array(3), { alphabet: 'hex' as 'base64' })).toThrow(TypeError);
  });

  it('is installed, and a JWS jose signs with it verifies and carries the exact payload', async () => {
    expect(typeof (Uint8Array.prototype as unknown as { toBase64?: unknown }).toBase64).toBe('function');
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const payload = new Uint8Array(randomBytes(100_003));
    const jws = await new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
    expect(jws.split('.')[1]).toBe(Buffer.from(payload).toString('base64url'));
    const { payload: back } = await compactVerify(jws, publicKey);
    expect(Buffer.from(back).equals(Buffer.from(payload))).toBe(true);
  });
});
