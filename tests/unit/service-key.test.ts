import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { compactVerify, createLocalJWKSet, FlattenedSign } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServiceKeys, rotateServiceKeyFile, signDetachedEd25519 } from '../../src/crypto/service-key.js';
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
      const ours = signDetachedEd25519(privateKey, header, payload, scratch);
      const theirs = await new FlattenedSign(payload).setProtectedHeader(header).sign(privateKey);
      expect(ours, `payload of ${n} bytes`).toEqual({ protected: theirs.protected, signature: theirs.signature });
    }
    // a smaller payload after a larger one reuses the buffer, and nothing of the larger leaks in
    const small = Buffer.from('{"a":1}');
    const again = signDetachedEd25519(privateKey, header, small, scratch);
    expect(again.signature).toBe((await new FlattenedSign(small).setProtectedHeader(header).sign(privateKey)).signature);
  });

  it('refuses a key set that is not private Ed25519 keys', async () => {
    await expect(loadServiceKeys({ file: null, envValue: '{"kty":"EC","crv":"P-256","x":"a","y":"b"}' })).rejects.toThrow(/Ed25519/);
  });
});
