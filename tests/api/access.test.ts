import { calculateJwkThumbprint } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCtx, makeKey, makeSupplier, makeToken, signDeclaration, type TestCtx } from '../helpers/app.js';

let ctx: TestCtx;
beforeEach(async () => {
  ctx = await makeCtx();
});

describe('authentication', () => {
  it('answers 401 auth.missing without a token and auth.invalid with a bad one', async () => {
    const none = await ctx.req('GET', '/v1/suppliers', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { code: string }).code).toBe('auth.missing');
    const bad = await ctx.req('GET', '/v1/suppliers', { token: 'nrd_nope' });
    expect(((await bad.json()) as { code: string }).code).toBe('auth.invalid');
  });

  it('stores tokens hashed, lists them without secrets, and stops accepting a revoked or expired one', async () => {
    const created = await ctx.json<{ id: string; token: string }>('POST', '/v1/tokens', { body: { role: 'auditor', expiresAt: '2026-12-01T00:00:00Z' }, expect: 201 });
    expect(created.token).toMatch(/^nrd_/);
    const row = ctx.deps.store.sqlite.prepare('SELECT * FROM api_tokens WHERE id = ?').get(created.id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(created.token);
    const list = await ctx.json<{ items: Record<string, unknown>[] }>('GET', '/v1/tokens', { expect: 200 });
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect(list.items.find((t) => t.id === created.id)).toMatchObject({ role: 'auditor', expiresAt: '2026-12-01T00:00:00Z', revokedAt: null });
    expect((await ctx.req('GET', '/v1/audit', { token: created.token })).status).toBe(200);
    ctx.clock.now = new Date('2026-12-01T00:00:00Z');
    expect((await ctx.req('GET', '/v1/audit', { token: created.token })).status).toBe(401);
    ctx.clock.now = new Date('2026-11-20T12:00:00Z');
    await ctx.json('DELETE', `/v1/tokens/${created.id}`, { expect: 200 });
    expect((await ctx.req('GET', '/v1/audit', { token: created.token })).status).toBe(401);
  });

  it('requires a supplier for supplier tokens, and only for them', async () => {
    expect((await ctx.req('POST', '/v1/tokens', { body: { role: 'supplier' } })).status).toBe(422);
    expect((await ctx.req('POST', '/v1/tokens', { body: { role: 'supplier', supplier: 'not-registered' } })).status).toBe(422);
    expect((await ctx.req('POST', '/v1/tokens', { body: { role: 'auditor', supplier: 'x-y' } })).status).toBe(422);
    expect((await ctx.req('POST', '/v1/tokens', { body: { role: 'root' } })).status).toBe(422);
  });
});

describe('role permissions', () => {
  it('hides another supplier\'s declarations from a supplier (404), and shows its own and what it submitted', async () => {
    const a = await makeSupplier(ctx, { id: 'alpha-parts' });
    const b = await makeSupplier(ctx, { id: 'beta-parts' });
    const ka = await makeKey(ctx, a);
    const kb = await makeKey(ctx, b);
    const ta = await makeToken(ctx, 'supplier', a);
    const tb = await makeToken(ctx, 'supplier', b);
    const proc = await makeToken(ctx, 'procurement');
    const own = await ctx.json<{ sha256: string }>('POST', '/v1/declarations', { token: ta, body: await signDeclaration(ka), type: 'application/jose', expect: 201 });
    const theirs = await ctx.json<{ sha256: string }>('POST', '/v1/declarations', { token: proc, body: await signDeclaration(kb), type: 'application/jose', expect: 201 });
    const forwarded = await ctx.json<{ sha256: string }>('POST', '/v1/declarations', { token: ta, body: await signDeclaration(kb), type: 'application/jose', expect: 201 });

    expect((await ctx.req('GET', `/v1/declarations/${own.sha256}`, { token: ta })).status).toBe(200);
    expect((await ctx.req('GET', `/v1/declarations/${forwarded.sha256}`, { token: ta })).status).toBe(200);
    const hidden = await ctx.req('GET', `/v1/declarations/${theirs.sha256}`, { token: ta });
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { code: string }).code).toBe('not_found');
    expect((await ctx.req('GET', `/v1/declarations/${theirs.sha256}?raw`, { token: ta })).status).toBe(404);
    const listA = await ctx.json<{ items: { sha256: string }[] }>('GET', '/v1/declarations', { token: ta, expect: 200 });
    expect(listA.items.map((i) => i.sha256).sort()).toEqual([own.sha256, forwarded.sha256].sort());
    const listB = await ctx.json<{ items: { sha256: string }[] }>('GET', '/v1/declarations', { token: tb, expect: 200 });
    expect(listB.items.map((i) => i.sha256).sort()).toEqual([theirs.sha256, forwarded.sha256].sort());
  });

  it('lets a supplier read a declaration it forwarded after someone else had submitted it', async () => {
    const tier2 = await makeSupplier(ctx, { id: 'tier-two' });
    const tier1 = await makeSupplier(ctx, { id: 'tier-one' });
    const k2 = await makeKey(ctx, tier2);
    const t1 = await makeToken(ctx, 'supplier', tier1);
    const proc = await makeToken(ctx, 'procurement');
    const jws = await signDeclaration(k2);
    const first = await ctx.json<{ sha256: string }>('POST', '/v1/declarations', { token: proc, body: jws, type: 'application/jose', expect: 201 });
    expect((await ctx.req('GET', `/v1/declarations/${first.sha256}`, { token: t1 })).status).toBe(404);
    await ctx.json('POST', '/v1/declarations', { token: t1, body: jws, type: 'application/jose', expect: 200 });
    expect((await ctx.req('GET', `/v1/declarations/${first.sha256}`, { token: t1 })).status).toBe(200);
    const list = await ctx.json<{ items: { sha256: string }[] }>('GET', '/v1/declarations', { token: t1, expect: 200 });
    expect(list.items.map((i) => i.sha256)).toEqual([first.sha256]);
    const audit = await ctx.json<{ items: { action: string; subject: string }[] }>('GET', '/v1/audit?limit=1000');
    expect(audit.items.filter((e) => e.action === 'declaration.submitted').map((e) => e.subject)).toEqual([first.sha256]);
  });

  it('lets an auditor read but never write', async () => {
    const auditor = await makeToken(ctx, 'auditor');
    const s = await makeSupplier(ctx);
    const k = await makeKey(ctx, s);
    const writes: [string, string, unknown, string?][] = [
      ['POST', '/v1/suppliers', { id: 'new-one', name: 'N', domicile: 'PL' }],
      ['POST', `/v1/suppliers/${s}/keys`, { jwk: generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) }],
      ['POST', `/v1/keys/${k.kid}/revoke`, { reason: 'superseded' }],
      ['POST', '/v1/manufacturers/aliases', { name: 'A', aliases: ['B'] }],
      ['POST', '/v1/tokens', { role: 'auditor' }],
      ['POST', '/v1/declarations', await signDeclaration(k), 'application/jose'],
      ['POST', '/v1/boms', { schema: 'nonred/bom/v1', name: 'x', items: [] }],
      ['PUT', '/v1/policies/non-red', { name: 'x' }],
    ];
    for (const [method, path, body, type] of writes) {
      const res = await ctx.req(method, path, { token: auditor, body, ...(type ? { type } : {}) });
      expect([path, res.status]).toEqual([path, 403]);
      expect(((await res.json()) as { code: string }).code).toBe('auth.forbidden');
    }
    for (const path of ['/v1/suppliers', '/v1/declarations', '/v1/boms', '/v1/reports', '/v1/policies', '/v1/audit', '/v1/audit/verify', '/v1/registry']) {
      expect([path, (await ctx.req('GET', path, { token: auditor })).status]).toEqual([path, 200]);
    }
  });

  it('keeps procurement away from keys, suppliers and policies, and suppliers away from BOMs and reports', async () => {
    const proc = await makeToken(ctx, 'procurement');
    const s = await makeSupplier(ctx);
    const sup = await makeToken(ctx, 'supplier', s);
    expect((await ctx.req('POST', '/v1/suppliers', { token: proc, body: { id: 'zz-top', name: 'Z', domicile: 'PL' } })).status).toBe(403);
    expect((await ctx.req('PUT', '/v1/policies/non-red', { token: proc, body: {} })).status).toBe(403);
    expect((await ctx.req('GET', '/v1/tokens', { token: proc })).status).toBe(403);
    for (const path of ['/v1/boms', '/v1/reports', '/v1/policies', '/v1/suppliers', '/v1/audit', '/v1/registry']) {
      expect([path, (await ctx.req('GET', path, { token: sup })).status]).toEqual([path, 403]);
    }
    expect((await ctx.req('POST', '/v1/boms', { token: sup, body: { schema: 'nonred/bom/v1', name: 'x', items: [] } })).status).toBe(403);
  });
});

describe('suppliers and keys', () => {
  it('registers Ed25519 and P-256 keys under their RFC 7638 thumbprint', async () => {
    const s = await makeSupplier(ctx);
    for (const pair of [generateKeyPairSync('ed25519'), generateKeyPairSync('ec', { namedCurve: 'P-256' })]) {
      const jwk = pair.publicKey.export({ format: 'jwk' });
      const res = await ctx.json<{ kid: string; status: string }>('POST', `/v1/suppliers/${s}/keys`, { body: { jwk }, expect: 201 });
      expect(res.kid).toBe(await calculateJwkThumbprint(jwk as never));
      expect(res.status).toBe('active');
    }
  });

  it('refuses a JWK with private members, other curves, and a key already held by any supplier', async () => {
    const s = await makeSupplier(ctx);
    const other = await makeSupplier(ctx);
    const pair = generateKeyPairSync('ed25519');
    const priv = await ctx.req('POST', `/v1/suppliers/${s}/keys`, { body: { jwk: pair.privateKey.export({ format: 'jwk' }) } });
    expect([priv.status, ((await priv.json()) as { code: string }).code]).toEqual([422, 'key.invalid']);
    const p384 = await ctx.req('POST', `/v1/suppliers/${s}/keys`, { body: { jwk: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) } });
    expect(p384.status).toBe(422);
    const rsa = await ctx.req('POST', `/v1/suppliers/${s}/keys`, { body: { jwk: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) } });
    expect(rsa.status).toBe(422);
    const badPoint = await ctx.req('POST', `/v1/suppliers/${s}/keys`, { body: { jwk: { kty: 'EC', crv: 'P-256', x: Buffer.alloc(32, 1).toString('base64url'), y: Buffer.alloc(32, 2).toString('base64url') } } });
    expect(badPoint.status).toBe(422);
    const jwk = pair.publicKey.export({ format: 'jwk' });
    await ctx.json('POST', `/v1/suppliers/${s}/keys`, { body: { jwk }, expect: 201 });
    const dup = await ctx.req('POST', `/v1/suppliers/${other}/keys`, { body: { jwk } });
    expect([dup.status, ((await dup.json()) as { code: string }).code]).toEqual([409, 'key.in_use']);
    const count = ctx.deps.store.sqlite.prepare('SELECT COUNT(*) n FROM supplier_keys').get() as { n: number };
    expect(count.n).toBe(1);
  });

  it('refuses a duplicate supplier id (409) and an unknown domicile (422)', async () => {
    await makeSupplier(ctx, { id: 'only-once' });
    const again = await ctx.req('POST', '/v1/suppliers', { body: { id: 'only-once', name: 'x', domicile: 'PL' } });
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([409, 'supplier.exists']);
    const bad = await ctx.req('POST', '/v1/suppliers', { body: { id: 'bad-dom', name: 'x', domicile: 'China' } });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { errors: { path: string }[] };
    expect(body.errors[0]!.path).toBe('/body/domicile');
  });

  it('revokes keys with a reason; compromisedAt is required for, and only for, compromise', async () => {
    const s = await makeSupplier(ctx);
    const k = await makeKey(ctx, s);
    expect((await ctx.req('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'compromised' } })).status).toBe(422);
    expect((await ctx.req('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'superseded', compromisedAt: '2026-11-01T00:00:00Z' } })).status).toBe(422);
    expect((await ctx.req('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'lost' } })).status).toBe(422);
    const r1 = await ctx.json('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'superseded' }, expect: 200 });
    expect(r1).toEqual({ kid: k.kid, status: 'revoked', reason: 'superseded', revokedAt: '2026-11-20T12:00:00.000Z' });
    // a superseded key later found compromised
    const r2 = await ctx.json('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'compromised', compromisedAt: '2026-11-10T00:00:00Z' }, expect: 200 });
    expect(r2).toMatchObject({ reason: 'compromised', compromisedAt: '2026-11-10T00:00:00.000Z' });
    expect((await ctx.req('POST', `/v1/keys/${k.kid}/revoke`, { body: { reason: 'superseded' } })).status).toBe(409);
    expect((await ctx.req('POST', '/v1/keys/nope/revoke', { body: { reason: 'superseded' } })).status).toBe(404);
  });

  it('keeps the alias registry unambiguous', async () => {
    await ctx.json('POST', '/v1/manufacturers/aliases', { body: { name: 'STMicroelectronics', aliases: ['STMicro', 'ST Micro'] }, expect: 201 });
    const conflict = await ctx.req('POST', '/v1/manufacturers/aliases', { body: { name: 'Someone Else', aliases: ['stmicro'] } });
    expect([conflict.status, ((await conflict.json()) as { code: string }).code]).toEqual([409, 'manufacturer.alias_conflict']);
    expect((await ctx.req('POST', '/v1/manufacturers/aliases', { body: { name: 'STMicro', aliases: ['X'] } })).status).toBe(409);
    const list = await ctx.json<{ items: { name: string; aliases: string[] }[] }>('GET', '/v1/manufacturers/aliases', { expect: 200 });
    expect(list.items).toEqual([{ name: 'STMicroelectronics', aliases: ['ST Micro', 'STMicro'] }]);
  });
});
