import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { compactVerify, createLocalJWKSet, FlattenedSign } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { protectedHeaderOf, signDetachedEd25519 } from '../../src/crypto/detached-sign.js';
import { ephemeralServiceKeys, loadServiceKeys, rotateServiceKeyFile } from '../../src/crypto/service-key.js';
import { signingThread } from '../../src/crypto/signing-thread.js';
import { ScratchBuffer } from '../../src/scratch-buffer.js';

const dir = mkdtempSync(join(tmpdir(), 'nonred-sk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('service key', () => {
  it('is created once (mode 0600), kept across loads, and rotated with the old key still published', async () => {
    const file = join(dir, 'service-key.jwk');
    const first = await loadServiceKeys({ file });
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect((await loadServiceKeys({ file })).kid).toBe(first.kid);
    const signedBefore = await first.sign('nonred-report+jws', '{"id":"rpt_1"}');

    const newKid = await rotateServiceKeyFile(file);
    const after = await loadServiceKeys({ file });
    expect(after.kid).toBe(newKid);
    expect(after.kid).not.toBe(first.kid);
    expect(after.jwks().keys.map((k) => [k.kid, k.status])).toEqual([[first.kid, 'retired'], [newKid, 'current']]);
    expect(readFileSync(file, 'utf8')).toContain('"d"');
    expect(JSON.stringify(after.jwks())).not.toContain('"d"');
    // what was signed before the rotation still verifies against the published set
    const jwks = createLocalJWKSet(after.jwks() as never);
    expect((await compactVerify(signedBefore, jwks)).protectedHeader.kid).toBe(first.kid);
    const signedAfter = await after.sign('nonred-report+jws', '{}');
    expect((await compactVerify(signedAfter, jwks)).protectedHeader.kid).toBe(newKid);
  });

  it('signs large payloads detached exactly as jose does, in a reused buffer', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const scratch = new ScratchBuffer();
    const header = { alg: 'EdDSA', kid: 'kéy', typ: 'nonred-report+jws' };
    // lengths around the 48 KiB encoding slices and every remainder modulo 3
    for (const n of [0, 1, 2, 3, 4, 49_151, 49_152, 49_153, 98_305, 200_000]) {
      const payload = randomBytes(n);
      const theirs = await new FlattenedSign(payload).setProtectedHeader(header).sign(privateKey);
      expect(protectedHeaderOf(header)).toBe(theirs.protected);
      expect(signDetachedEd25519(privateKey, theirs.protected!, payload, scratch), `payload of ${n} bytes`).toBe(theirs.signature);
    }
    // a smaller payload after a larger one reuses the buffer, and nothing of the larger leaks in
    const small = Buffer.from('{"a":1}');
    expect(signDetachedEd25519(privateKey, protectedHeaderOf(header), small, scratch)).toBe((await new FlattenedSign(small).setProtectedHeader(header).sign(privateKey)).signature);
  });

  it('signs on its signing thread, from shared memory, the same signature as on the calling thread', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const t = signingThread(privateKey.export({ format: 'jwk' }));
    try {
      for (let i = 0; i < 200 && !t.ready; i++) await new Promise((r) => setTimeout(r, 10));
      expect(t.ready).toBe(true);
      const protectedB64 = protectedHeaderOf({ alg: 'EdDSA', kid: 'k', typ: 'nonred-report+jws' });
      for (const n of [10, 300_000]) {
        const shared = Buffer.from(new SharedArrayBuffer(n));
        randomBytes(n).copy(shared);
        expect(t.start(protectedB64, shared)).toBe(true);
        // one job at a time
        expect(t.start(protectedB64, shared)).toBe(false);
        expect(t.finish()).toBe(signDetachedEd25519(privateKey, protectedB64, shared, new ScratchBuffer()));
      }
      // not shared memory: the caller signs it
      expect(t.start(protectedB64, Buffer.alloc(10))).toBe(false);
    } finally {
      t.close();
    }
  });

  it('signs on the calling thread, without waiting, when the signing thread cannot start', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const t = signingThread(privateKey.export({ format: 'jwk' }), join(tmpdir(), 'no-such-signing-worker.js'));
    const shared = new Uint8Array(new SharedArrayBuffer(100));
    expect(t.start('e30', shared)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.ready).toBe(false);
    expect(t.start('e30', shared)).toBe(false);
    t.close();
  });

  it('runs the caller\'s work while signing, and keeps its error', async () => {
    const keys = await ephemeralServiceKeys({ signingThread: true });
    try {
      const jwks = createLocalJWKSet(keys.jwks() as never);
      const shared = Buffer.from(new SharedArrayBuffer(50_000));
      randomBytes(shared.length).copy(shared);
      let ran = false;
      const sig = keys.signDetachedWhile('nonred-report+jws', shared, () => {
        ran = true;
      });
      expect(ran).toBe(true);
      const v = await compactVerify(`${sig.protected}.${shared.toString('base64url')}.${sig.signature}`, jwks);
      expect(Buffer.from(v.payload).equals(shared)).toBe(true);
      expect(() => keys.signDetachedWhile('t', shared, () => {
        throw new Error('insert failed');
      })).toThrow('insert failed');
      expect(keys.signDetachedWhile('nonred-report+jws', shared, () => {}).signature).toBe(sig.signature);
    } finally {
      keys.close();
    }
  });

  it('signs a payload as it is written, the same signature as signed whole, and jose verifies it', async () => {
    for (const threaded of [true, false]) {
      const keys = await ephemeralServiceKeys({ signingThread: threaded });
      try {
        if (threaded) await new Promise((r) => setTimeout(r, 300)); // (the thread starts)
        const jwks = createLocalJWKSet(keys.jwks() as never);
        const buffer = Buffer.from(new SharedArrayBuffer(400_000));
        const payload = randomBytes(300_001);
        const stream = keys.streamDetached('nonred-report+jws', buffer);
        // written in pieces of every length modulo 3, the thread told after each
        for (let at = 0, step = 1; at < payload.length; step = (step * 7 + 1) % 40_000) {
          const end = Math.min(payload.length, at + step);
          payload.copy(buffer, at, at, end);
          stream.advance(end);
          at = end;
        }
        let ran = false;
        const sig = stream.finishWhile(buffer.subarray(0, payload.length), () => {
          ran = true;
        });
        expect(ran).toBe(true);
        const whole = keys.signDetachedWhile('nonred-report+jws', buffer.subarray(0, payload.length), () => {});
        expect(sig, threaded ? 'on the thread' : 'here').toEqual(whole);
        const v = await compactVerify(`${sig.protected}.${payload.toString('base64url')}.${sig.signature}`, jwks);
        expect(Buffer.from(v.payload).equals(payload)).toBe(true);
        expect(() => stream.finishWhile(buffer.subarray(0, 1), () => {})).toThrow(/already finished/);
      } finally {
        keys.close();
      }
    }
  });

  it('signs from the start what was not written where the stream was told, and frees the thread it abandons', async () => {
    const keys = await ephemeralServiceKeys({ signingThread: true });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const jwks = createLocalJWKSet(keys.jwks() as never);
      const verifies = async (sig: { protected: string; signature: string }, payload: Buffer) =>
        (await compactVerify(`${sig.protected}.${payload.toString('base64url')}.${sig.signature}`, jwks)).payload.length === payload.length;
      // the body outgrew its buffer: the complete payload is elsewhere
      const small = Buffer.from(new SharedArrayBuffer(1_000));
      const first = keys.streamDetached('t', small);
      randomBytes(1_000).copy(small);
      first.advance(999);
      const grown = Buffer.from(new SharedArrayBuffer(5_000));
      small.copy(grown);
      randomBytes(4_000).copy(grown, 1_000);
      expect(await verifies(first.finishWhile(grown, () => {}), grown)).toBe(true);
      // abandoned half way: the thread takes the next payload, and a late finish signs here
      const buffer = Buffer.from(new SharedArrayBuffer(10_000));
      randomBytes(10_000).copy(buffer);
      const second = keys.streamDetached('t', buffer);
      second.advance(5_000);
      second.abandon();
      second.abandon();
      expect(await verifies(second.finishWhile(buffer, () => {}), buffer)).toBe(true);
      const third = keys.streamDetached('t', buffer);
      third.advance(10_000);
      expect(await verifies(third.finishWhile(buffer, () => {}), buffer)).toBe(true);
    } finally {
      keys.close();
    }
  });

  it('streams on the signing thread only one payload at a time, and refuses to go back', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const t = signingThread(privateKey.export({ format: 'jwk' }));
    try {
      for (let i = 0; i < 200 && !t.ready; i++) await new Promise((r) => setTimeout(r, 10));
      const protectedB64 = protectedHeaderOf({ alg: 'EdDSA', kid: 'k', typ: 't' });
      const buffer = Buffer.from(new SharedArrayBuffer(1_000));
      randomBytes(1_000).copy(buffer);
      const s = t.stream(protectedB64, buffer)!;
      expect(s).not.toBeNull();
      expect(t.stream(protectedB64, buffer)).toBeNull();
      expect(t.start(protectedB64, buffer)).toBe(false);
      s.complete(1_000);
      expect(() => s.complete(1_000)).toThrow(/already/);
      expect(t.finish()).toBe(signDetachedEd25519(privateKey, protectedB64, buffer, new ScratchBuffer()));
      // told a length, then a shorter one: the thread fails the signature rather than sign
      const back = t.stream(protectedB64, buffer)!;
      back.advance(900);
      await new Promise((r) => setTimeout(r, 50));
      back.complete(300);
      expect(() => t.finish()).toThrow(/went back/);
      // not shared memory: no stream
      expect(t.stream(protectedB64, Buffer.alloc(10))).toBeNull();
    } finally {
      t.close();
    }
  });

  it('refuses a key set that is not private Ed25519 keys', async () => {
    await expect(loadServiceKeys({ file: null, envValue: '{"kty":"EC","crv":"P-256","x":"a","y":"b"}' })).rejects.toThrow(/Ed25519/);
  });
});
