import { generateKeyPairSync, randomBytes, randomInt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Ed25519TwoPass, expandKey } from '../../src/crypto/ed25519-two-pass.js';

function seedOf(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']): Uint8Array {
  return Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
}

describe('Ed25519 in two passes', () => {
  it('makes exactly the signature OpenSSL makes, however the message arrives', () => {
    for (let key = 0; key < 20; key++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const key = expandKey(seedOf(privateKey));
      expect(Buffer.from(key.publicKey).toString('base64url')).toBe(publicKey.export({ format: 'jwk' }).x);
      for (const n of [0, 1, 63, 64, 65, 127, 128, 1000, randomInt(1, 300_000)]) {
        const message = randomBytes(n);
        const signer = new Ed25519TwoPass(key);
        // in pieces of random sizes (empty ones too)
        for (let at = 0; at < n;) {
          const end = Math.min(n, at + randomInt(0, 5_000));
          signer.update(message.subarray(at, end));
          at = end;
        }
        // the second pass in pieces too, some as latin1 strings
        const again = [message.subarray(0, n >> 1), message.subarray(n >> 1).toString('latin1')];
        const mine = Buffer.from(signer.sign(again));
        expect(mine.equals(sign(null, message, privateKey)), `key ${key}, ${n} bytes`).toBe(true);
        expect(verify(null, message, publicKey, mine)).toBe(true);
      }
    }
  });

  it('signs the RFC 8032 test vector', () => {
    // RFC 8032 §7.1, TEST 3 (a two-byte message)
    const seed = Buffer.from('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'hex');
    const key = expandKey(seed);
    expect(Buffer.from(key.publicKey).toString('hex')).toBe('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025');
    const signer = new Ed25519TwoPass(key);
    const message = Buffer.from('af82', 'hex');
    signer.update(message);
    expect(Buffer.from(signer.sign([message])).toString('hex')).toBe(
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
    );
  });

  it('is used once: no update or signature after the signature', () => {
    const signer = new Ed25519TwoPass(expandKey(randomBytes(32)));
    signer.update(Buffer.from('a'));
    signer.sign(['a']);
    expect(() => signer.update(Buffer.from('b'))).toThrow(/already/);
    expect(() => signer.sign(['a'])).toThrow(/already/);
  });
});
