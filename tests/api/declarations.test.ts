import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  headerText, makeCtx, makeKey, makeSupplier, makeToken, payload, rawJws, sha256Of, signDeclaration,
  type SupplierKey, type TestCtx,
} from '../helpers/app.js';

let ctx: TestCtx;
let ed: SupplierKey;
let ec: SupplierKey;
let procurement: string;

async function submit(body: string, token = procurement) {
  const res = await ctx.req('POST', '/v1/declarations', { token, body, type: 'application/jose' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
}

async function storedCount(): Promise<number> {
  const r = await ctx.json<{ items: unknown[] }>('GET', '/v1/declarations', { token: procurement, expect: 200 });
  return r.items.length;
}

async function expectRejected(body: string, status: number, code: string) {
  const before = await storedCount();
  const auditBefore = await ctx.json<{ items: { action: string }[] }>('GET', '/v1/audit?limit=1000');
  const r = await submit(body);
  expect(r.type).toMatch(/application\/problem\+json/);
  expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
  expect(typeof r.body.detail).toBe('string');
  expect(await storedCount()).toBe(before);
  // nothing stored but the rejection entry in the audit log (not for oversized bodies)
  const auditAfter = await ctx.json<{ items: { action: string; payload: { code: string } }[] }>('GET', '/v1/audit?limit=1000');
  const added = auditAfter.items.slice(auditBefore.items.length);
  if (status === 413) expect(added).toEqual([]);
  else expect(added.map((e) => [e.action, e.payload.code])).toEqual([['declaration.rejected', code]]);
}

beforeEach(async () => {
  ctx = await makeCtx();
  const s = await makeSupplier(ctx, { id: 'acme-avionics' });
  ed = await makeKey(ctx, s, 'EdDSA');
  ec = await makeKey(ctx, s, 'ES256');
  procurement = await makeToken(ctx, 'procurement');
});

describe('POST /v1/declarations: acceptance', () => {
  it('accepts Ed25519 and ES256 declarations with a receipt signed by the service key', async () => {
    const jwks = createLocalJWKSet(await ctx.json('GET', '/.well-known/jwks.json', { token: null }) as never);
    for (const key of [ed, ec]) {
      const token = await signDeclaration(key);
      const r = await submit(token);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ sha256: sha256Of(token), supplier: 'acme-avionics', receivedAt: '2026-11-20T12:00:00.000Z' });
      const { payload: p, protectedHeader } = await compactVerify(r.body.receipt as string, jwks);
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'nonred-receipt+jws' });
      const receipt = JSON.parse(new TextDecoder().decode(p));
      expect(receipt).toEqual({ sha256: r.body.sha256, supplier: 'acme-avionics', id: r.body.id, receivedAt: r.body.receivedAt, logIndex: r.body.logIndex });
    }
  });

  it('returns the existing receipt, byte-identical, for the same bytes (200); a trailing newline is not part of the JWS', async () => {
    const token = await signDeclaration(ed);
    const first = await submit(`${token}\n`);
    expect(first.status).toBe(201);
    ctx.clock.now = new Date('2026-11-21T00:00:00Z');
    const again = await submit(token);
    expect(again.status).toBe(200);
    expect(again.body.receipt).toBe(first.body.receipt);
    expect(again.body.sha256).toBe(sha256Of(token));
    expect(await storedCount()).toBe(1);
  });

  it('refuses the same (supplier, id) with other content: 409', async () => {
    await submit(await signDeclaration(ed, { id: 'FC7-2026-001' }));
    await expectRejected(await signDeclaration(ed, { id: 'FC7-2026-001', origin: { manufacturedIn: 'DE' } }), 409, 'declaration.id_conflict');
  });

  it('accepts an ECDSA signature with a high S value', async () => {
    const token = await signDeclaration(ec);
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = Buffer.from(s, 'base64url');
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const S = BigInt(`0x${sig.subarray(32).toString('hex')}`);
    const high = Buffer.from((n - S).toString(16).padStart(64, '0'), 'hex');
    const flipped = `${h}.${p}.${Buffer.concat([sig.subarray(0, 32), high]).toString('base64url')}`;
    expect(flipped).not.toBe(token);
    expect((await submit(flipped)).status).toBe(201);
  });

  it('reports each declaration\'s status: valid, superseded, revoked', async () => {
    const old = await submit(await signDeclaration(ed, { id: 'S-1' }));
    const next = await submit(await signDeclaration(ec, { id: 'S-2', supersedes: 'S-1' }));
    const status = async (sha: unknown) => (await ctx.json<{ status: string }>('GET', `/v1/declarations/${sha as string}`, { token: procurement })).status;
    expect(await status(old.body.sha256)).toBe('superseded');
    expect(await status(next.body.sha256)).toBe('valid');
    await ctx.json('POST', `/v1/keys/${ec.kid}/revoke`, { body: { reason: 'compromised', compromisedAt: '2026-11-20T11:00:00Z' }, expect: 200 });
    expect(await status(next.body.sha256)).toBe('revoked');
    // a successor whose key was compromised at its receipt replaces nothing
    expect(await status(old.body.sha256)).toBe('valid');
  });

  it('lets a tier-1 supplier forward a tier-2 declaration, recording the submitter apart from the signer', async () => {
    const tier1 = await makeSupplier(ctx, { id: 'tier-one' });
    const t1 = await makeToken(ctx, 'supplier', tier1);
    const token = await signDeclaration(ed);
    const r = await submit(token, t1);
    expect(r.status).toBe(201);
    expect(r.body.supplier).toBe('acme-avionics');
    const got = await ctx.json('GET', `/v1/declarations/${r.body.sha256 as string}`, { token: procurement, expect: 200 });
    expect(got).toMatchObject({ supplier: 'acme-avionics', submittedBy: expect.stringMatching(/^tok_/) });
  });

  it('serves the JWS itself with ?raw, byte for byte, and accepts the bare hex in the path', async () => {
    const token = await signDeclaration(ed, { part: { manufacturer: 'Zakłady Łódź', partNumber: 'ŻÓŁĆ-1', name: 'kamera ✓ 相机', category: 'camera' } });
    const r = await submit(token);
    const hex = (r.body.sha256 as string).slice(7);
    const raw = await ctx.req('GET', `/v1/declarations/${hex}?raw`, { token: procurement });
    expect(raw.headers.get('content-type')).toBe('application/jose');
    expect(await raw.text()).toBe(token);
    expect(sha256Of(token)).toBe(r.body.sha256);
  });
});

describe('POST /v1/declarations: every rule, each with its own code', () => {
  it('refuses alg none and algorithms outside the allowlist', async () => {
    const p = JSON.stringify(payload(ed));
    const none = `${Buffer.from(`{"alg":"none","kid":"${ed.kid}","typ":"nonred-declaration+jws"}`).toString('base64url')}.${Buffer.from(p).toString('base64url')}.AA`;
    await expectRejected(none, 422, 'declaration.alg_not_allowed');
    await expectRejected(rawJws(ed, `{"alg":"HS256","kid":"${ed.kid}","typ":"nonred-declaration+jws"}`, p), 422, 'declaration.alg_not_allowed');
    await expectRejected(rawJws(ed, `{"alg":"Ed25519","kid":"${ed.kid}","typ":"nonred-declaration+jws"}`, p), 422, 'declaration.alg_not_allowed');
  });

  it.each(['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'cty', 'x5t'])('refuses the header member %s', async (member) => {
    const value = member === 'b64' ? 'false' : member === 'crit' ? '["b64"]' : member === 'jwk' ? JSON.stringify(ed.publicJwk) : '"x"';
    await expectRejected(rawJws(ed, headerText(ed, `,"${member}":${value}`), JSON.stringify(payload(ed))), 422, 'declaration.header_forbidden');
  });

  it('requires alg, kid and typ (header_invalid) and the declaration typ (typ_invalid)', async () => {
    const p = JSON.stringify(payload(ed));
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","kid":"${ed.kid}"}`, p), 422, 'declaration.header_invalid');
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","typ":"nonred-declaration+jws"}`, p), 422, 'declaration.header_invalid');
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","kid":"${ed.kid}","typ":"JWT"}`, p), 422, 'declaration.typ_invalid');
  });

  it('finds keys only by a registered kid', async () => {
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","kid":"not-registered","typ":"nonred-declaration+jws"}`, JSON.stringify(payload(ed))), 422, 'declaration.kid_unknown');
  });

  it('refuses JSON serializations and anything but three segments', async () => {
    const token = await signDeclaration(ed);
    const [h, p, s] = token.split('.');
    await expectRejected(JSON.stringify({ protected: h, payload: p, signature: s }), 400, 'declaration.not_compact');
    await expectRejected(JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] }), 400, 'declaration.not_compact');
    await expectRejected(`${token}.extra.segment`, 400, 'declaration.not_compact');
    await expectRejected(`${h}..${s}`, 400, 'declaration.not_compact');
  });

  it('requires strict base64url: no padding, no whitespace, no non-zero spare bits', async () => {
    const token = await signDeclaration(ed);
    const [h, p, s] = token.split('.') as [string, string, string];
    const padded = Buffer.from(Buffer.from(h, 'base64url')).toString('base64');
    await expectRejected(`${padded}.${p}.${s}`, 400, 'declaration.bad_base64url');
    await expectRejected(`${h}.${p.slice(0, 10)} ${p.slice(10)}.${s}`, 400, 'declaration.bad_base64url');
    await expectRejected(`${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}X+/.${s}`, 400, 'declaration.bad_base64url');
    // flip spare bits of the last character of the signature (64 bytes → 86 chars, 4 spare bits)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s[s.length - 1]!);
    const spare = `${s.slice(0, -1)}${alphabet[last | 1]}`;
    expect(Buffer.from(spare, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
    await expectRejected(`${h}.${p}.${spare}`, 400, 'declaration.bad_base64url');
  });

  it('takes a token with whitespace around it as the token itself (its sha256 is of the bare token)', async () => {
    const token = await signDeclaration(ed);
    const r = await submit(`\r\n \t${token}\n\t `);
    expect(r.status).toBe(201);
    expect(r.body.sha256).toBe(sha256Of(token));
    const again = await submit(token);
    expect(again.status).toBe(200);
    expect(again.body.sha256).toBe(sha256Of(token));
  });

  it('refuses a duplicate hidden behind a colon written as an escape', async () => {
    const good = JSON.stringify(payload(ed, { components: [{ manufacturer: 'M', partNumber: 'P', quantity: 1 }] }));
    const hidden = good.replace('"quantity":1', '"quantity":1,"quantity":1000').replace('"M"', '"M\\u003a"');
    expect(hidden).toContain('M\\u003a');
    await expectRejected(rawJws(ed, headerText(ed), hidden), 400, 'declaration.duplicate_key');
  });

  it('refuses duplicate keys in payload and header, which a last-wins parser would let through', async () => {
    const good = JSON.stringify(payload(ed, { components: [{ manufacturer: 'M', partNumber: 'P', quantity: 1 }] }));
    const dup = good.replace('"quantity":1', '"quantity":1,"quantity":1000');
    expect(dup).not.toBe(good);
    await expectRejected(rawJws(ed, headerText(ed), dup), 400, 'declaration.duplicate_key');
    const escaped = good.replace('"quantity":1', '"quantity":1,"quan\\u0074ity":1000');
    await expectRejected(rawJws(ed, headerText(ed), escaped), 400, 'declaration.duplicate_key');
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","kid":"${ed.kid}","typ":"nonred-declaration+jws","alg":"EdDSA"}`, good), 400, 'declaration.duplicate_key');
  });

  it('refuses a signature that does not verify', async () => {
    const token = await signDeclaration(ed);
    const other = await signDeclaration(ed);
    const [h, p] = token.split('.');
    await expectRejected(`${h}.${p}.${other.split('.')[2]}`, 422, 'declaration.signature_invalid');
    // a valid EdDSA signature presented under the kid of the ES256 key
    await expectRejected(rawJws(ed, `{"alg":"EdDSA","kid":"${ec.kid}","typ":"nonred-declaration+jws"}`, JSON.stringify(payload(ed))), 422, 'declaration.signature_invalid');
  });

  it('refuses payloads that do not match the v1 schema', async () => {
    await expectRejected(await signDeclaration(ed, { extra: true }), 422, 'declaration.schema_invalid');
    await expectRejected(await signDeclaration(ed, { origin: { manufacturedIn: 'China' } }), 422, 'declaration.schema_invalid');
    await expectRejected(await signDeclaration(ed, { components: [{ manufacturer: 'M', partNumber: 'P', quantity: 0 }] }), 422, 'declaration.schema_invalid');
    await expectRejected(await signDeclaration(ed, { components: [{ manufacturer: 'M', partNumber: 'P', quantity: 2e9 }] }), 422, 'declaration.schema_invalid');
    const r = await submit(await signDeclaration(ed, { part: { manufacturer: 'M', partNumber: 'P', name: 'n', category: 'toaster' } }));
    expect((r.body.errors as { path: string }[])[0]!.path).toBe('/payload/part/category');
  });

  it('never rewrites signed content: padded ids and impossible dates are refused, names kept as signed', async () => {
    await expectRejected(await signDeclaration(ed, { id: ' X-1' }), 422, 'declaration.schema_invalid');
    await expectRejected(await signDeclaration(ed, { issuedAt: '2026-02-30T00:00:00Z' }), 422, 'declaration.schema_invalid');
    await expectRejected(await signDeclaration(ed, { issuedAt: '2026-11-01T24:00:00Z' }), 422, 'declaration.schema_invalid');
    const r = await submit(await signDeclaration(ed, { part: { manufacturer: 'acme-avionics Manufacturing', partNumber: 'P-1', name: '  FC-7   flight controller ', category: 'flight-controller' } }));
    expect(r.status).toBe(201);
    const got = await ctx.json<{ payload: { part: { name: string } } }>('GET', `/v1/declarations/${r.body.sha256 as string}`, { token: procurement });
    expect(got.payload.part.name).toBe('  FC-7   flight controller ');
  });

  it('refuses a declaration whose supplier is not the key owner', async () => {
    await makeSupplier(ctx, { id: 'someone-else' });
    await expectRejected(await signDeclaration(ed, { supplier: 'someone-else' }), 422, 'declaration.supplier_mismatch');
  });

  it('applies the time rules against the service clock', async () => {
    await expectRejected(await signDeclaration(ed, { issuedAt: '2026-11-20T12:05:01Z' }), 422, 'declaration.issued_in_future');
    expect((await submit(await signDeclaration(ed, { issuedAt: '2026-11-20T12:04:59Z' }))).status).toBe(201);
    await expectRejected(await signDeclaration(ed, { expiresAt: '2026-10-01T00:00:00Z' }), 422, 'declaration.expired');
    await expectRejected(await signDeclaration(ed, { issuedAt: '2026-11-10T00:00:00Z', expiresAt: '2026-11-15T00:00:00Z' }), 422, 'declaration.expired');
  });

  it('refuses declarations signed with a revoked key', async () => {
    await ctx.json('POST', `/v1/keys/${ed.kid}/revoke`, { body: { reason: 'superseded' }, expect: 200 });
    await expectRejected(await signDeclaration(ed), 422, 'declaration.key_revoked');
  });

  it('refuses a payload over 256 KiB with 413', async () => {
    const big = await signDeclaration(ed, { evidence: [{ kind: 'note', reference: 'x'.repeat(400) }], part: { manufacturer: 'M', partNumber: 'P', name: 'y'.repeat(300), category: 'other' }, components: Array.from({ length: 2500 }, (_, i) => ({ manufacturer: 'Maker of many things', partNumber: `PN-${i}-${'z'.repeat(60)}`, quantity: 1 })) });
    expect(Buffer.from(big.split('.')[1]!, 'base64url').length).toBeGreaterThan(256 * 1024);
    await expectRejected(big, 413, 'request.too_large');
  });

  it('answers 415 to a body that is not application/jose', async () => {
    const res = await ctx.req('POST', '/v1/declarations', { token: procurement, body: await signDeclaration(ed), type: 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { code: string }).code).toBe('request.unsupported_media_type');
  });
});

describe('POST /v1/declarations/batch', () => {
  it('answers per line, keeps good lines when one is bad, and covers them with one signed receipt', async () => {
    const a = await signDeclaration(ed);
    const b = await signDeclaration(ec);
    await submit(a);
    const lines = [a, 'not-a-jws', '', b, await signDeclaration(ed, { supplier: 'nobody-here' })].join('\n');
    const r = await ctx.json<{ results: Record<string, unknown>[]; receipt: string }>('POST', '/v1/declarations/batch', { token: procurement, body: lines, type: 'application/x-ndjson', expect: 200 });
    expect(r.results.map((x) => [x.line, x.status, x.code ?? null])).toEqual([
      [1, 'held', null], [2, 'rejected', 'declaration.not_compact'], [4, 'accepted', null], [5, 'rejected', 'declaration.supplier_mismatch'],
    ]);
    const jwks = createLocalJWKSet(await ctx.json('GET', '/.well-known/jwks.json', { token: null }) as never);
    const { payload: p } = await compactVerify(r.receipt, jwks);
    const items = JSON.parse(new TextDecoder().decode(p)).items as { sha256: string }[];
    expect(items.map((i) => i.sha256)).toEqual([sha256Of(a), sha256Of(b)]);
    expect(decodeProtectedHeader(r.receipt).typ).toBe('nonred-receipt+jws');
  });

  it('reads a body that is not ASCII as UTF-8: a leading BOM dropped, Unicode blanks skipped, other bytes refused by line', async () => {
    const a = await signDeclaration(ed);
    const b = await signDeclaration(ec);
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${a}\n\u00a0\n${b}é\n${a}\n`, 'utf8'), Buffer.from([0xff, 0x0a])]);
    const r = await ctx.json<{ results: Record<string, unknown>[] }>('POST', '/v1/declarations/batch', { token: procurement, body, type: 'application/x-ndjson', expect: 200 });
    expect(r.results.map((x) => [x.line, x.status, x.code ?? null])).toEqual([
      // the same bytes twice in one batch: the second is held, with the first one's receipt
      [1, 'accepted', null], [3, 'rejected', 'declaration.bad_base64url'], [4, 'held', null], [5, 'rejected', 'declaration.not_compact'],
    ]);
    expect(r.results[2]!.logIndex).toBe(r.results[0]!.logIndex);
  });

  it('answers "held" for bytes already stored even when their key has been revoked since', async () => {
    const a = await signDeclaration(ed);
    await submit(a);
    await ctx.json('POST', `/v1/keys/${ed.kid}/revoke`, { body: { reason: 'superseded' }, expect: 200 });
    const r = await ctx.json<{ results: Record<string, unknown>[] }>('POST', '/v1/declarations/batch', { token: procurement, body: `${a}\n${await signDeclaration(ed)}`, type: 'application/x-ndjson', expect: 200 });
    expect(r.results.map((x) => [x.status, x.code ?? null])).toEqual([['held', null], ['rejected', 'declaration.key_revoked']]);
  });

  it('treats two lines with the same (supplier, id) and different bytes as a conflict', async () => {
    const one = await signDeclaration(ed, { id: 'SAME' });
    const two = await signDeclaration(ed, { id: 'SAME', origin: {} });
    const r = await ctx.json<{ results: Record<string, unknown>[] }>('POST', '/v1/declarations/batch', { token: procurement, body: `${one}\n${two}\n`, type: 'application/x-ndjson', expect: 200 });
    expect(r.results.map((x) => [x.status, x.code ?? null])).toEqual([['accepted', null], ['rejected', 'declaration.id_conflict']]);
  });
});
