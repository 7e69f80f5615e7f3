import { compactVerify, createLocalJWKSet } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { DETERMINISTIC_MEMBERS } from '../../src/domain/report.js';
import { makeCtx, makeKey, makeSupplier, makeToken, signDeclaration, type SupplierKey, type TestCtx } from '../helpers/app.js';

let ctx: TestCtx;
let proc: string;
let auditor: string;
let fc: SupplierKey;
let radio: SupplierKey;
let chip: SupplierKey;

const origin = (c: string) => ({
  manufacturedIn: c, assembledIn: c, manufacturer: { domicile: c, ultimateParent: 'self' },
  software: { developerDomicile: c, dataHostedIn: [c], dataAdministeredFrom: c },
});

async function post(token: string, body: string) {
  return ctx.json<{ sha256: string }>('POST', '/v1/declarations', { token, body, type: 'application/jose', expect: 201 });
}

const bom = {
  schema: 'nonred/bom/v1', name: 'Quad X', partNumber: 'QX-1', revision: 'A',
  items: [
    { id: '1', parent: null, manufacturer: 'Vistula Avionics', partNumber: 'FC-7', name: 'Flight controller', category: 'flight-controller', quantity: 1 },
    { id: '2', parent: null, manufacturer: 'Formosa RF', partNumber: 'TR-900', name: 'Telemetry radio', category: 'radio', quantity: 1 },
    { id: '3', parent: null, manufacturer: 'Kestrel', partNumber: 'FRAME-1', name: 'Frame', category: 'frame', quantity: 1, origin: { manufacturedIn: 'PL' } },
  ],
};

beforeEach(async () => {
  ctx = await makeCtx();
  await makeSupplier(ctx, { id: 'vistula', manufacturerNames: ['Vistula Avionics'] });
  await makeSupplier(ctx, { id: 'formosa', domicile: 'TW', manufacturerNames: ['Formosa RF'] });
  await makeSupplier(ctx, { id: 'lotus', domicile: 'TW', manufacturerNames: ['Lotus Chips'] });
  fc = await makeKey(ctx, 'vistula', 'EdDSA');
  radio = await makeKey(ctx, 'formosa', 'ES256');
  chip = await makeKey(ctx, 'lotus', 'EdDSA');
  proc = await makeToken(ctx, 'procurement');
  auditor = await makeToken(ctx, 'auditor');
});

async function seedEvidence() {
  // the red part sits three tiers down: FC-7 → GNSS-1 → LC-9, reached only through declarations
  const lc = await post(proc, await signDeclaration(chip, { part: { manufacturer: 'Lotus Chips', partNumber: 'LC-9', name: 'GNSS chip', category: 'navigation' }, origin: { ...origin('TW'), manufacturedIn: 'CN' } }));
  const gnss = await post(proc, await signDeclaration(chip, { part: { manufacturer: 'Lotus Chips', partNumber: 'GNSS-1', name: 'GNSS module', category: 'navigation' }, origin: origin('TW'),
    components: [{ manufacturer: 'Lotus Chips', partNumber: 'LC-9', quantity: 1, declaration: lc.sha256 }] }));
  await post(proc, await signDeclaration(fc, { part: { manufacturer: 'Vistula Avionics', partNumber: 'FC-7', name: 'Flight controller', category: 'flight-controller' }, origin: origin('PL'),
    components: [{ manufacturer: 'Lotus Chips', partNumber: 'GNSS-1', quantity: 1, declaration: gnss.sha256 }] }));
  await post(proc, await signDeclaration(radio, { part: { manufacturer: 'Formosa RF', partNumber: 'TR-900', name: 'Telemetry radio', category: 'radio' }, origin: origin('TW') }));
  await post(proc, await signDeclaration(fc, { part: { manufacturer: 'Kestrel', partNumber: 'FRAME-1', name: 'Frame', category: 'frame' }, origin: origin('PL') }));
}

describe('from an empty database to a signed report', () => {
  it('issues a report whose signature verifies against the JWKS and whose findings carry the full path', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string; sha256: string; nodes: number }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    expect(up.nodes).toBe(3);
    expect(up.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    const report = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify?policy=non-red`, { token: proc, expect: 201 });
    expect(report.verdict).toBe('fail');
    expect(report.bom).toEqual({ id: up.id, name: 'Quad X', sha256: up.sha256 });
    expect(report.policy).toMatchObject({ id: 'non-red', version: 1, sha256: expect.stringMatching(/^sha256:/) });
    const red = report.findings.find((f: any) => f.code === 'DISALLOWED_ORIGIN');
    expect(red.path.map((s: any) => s.partNumber)).toEqual(['QX-1', 'FC-7', 'GNSS-1', 'LC-9']);
    expect(red.evidence).toMatchObject({ supplier: 'lotus', assurance: 'signed-direct', kid: chip.kid });
    // a third-party declaration for a non-critical part is fine, the frame's is from vistula
    expect(report.tree.nodes.find((n: any) => n.key === 'kestrel|frame-1').assurance).toBe('signed-third-party');
    expect(report.status).toEqual({ stale: false });

    const jws = await ctx.req('GET', `/v1/reports/${report.id}`, { token: auditor, headers: { accept: 'application/jose' } });
    expect(jws.headers.get('content-type')).toBe('application/jose');
    const jwks = createLocalJWKSet(await ctx.json('GET', '/.well-known/jwks.json', { token: null }) as never);
    const verified = await compactVerify(await jws.text(), jwks);
    expect(verified.protectedHeader).toMatchObject({ typ: 'nonred-report+jws', kid: ctx.deps.keys.kid });
    const signed = JSON.parse(new TextDecoder().decode(verified.payload));
    const { status: _status, ...withoutStatus } = await ctx.json<Record<string, unknown>>('GET', `/v1/reports/${report.id}?format=json`, { token: auditor, expect: 200 });
    expect(signed).toEqual(withoutStatus);
    expect(signed.log).toEqual({ size: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const list = await ctx.json<{ items: { id: string; verdict: string }[] }>('GET', `/v1/reports?bom=${up.id}&verdict=fail`, { token: auditor, expect: 200 });
    expect(list.items.map((r) => r.id)).toEqual([report.id]);
    expect((await ctx.json<{ items: unknown[] }>('GET', '/v1/reports?verdict=pass', { token: auditor })).items).toEqual([]);
  });

  it('is deterministic: two runs give the same body but for id, generatedAt and log', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    const one = await ctx.json<Record<string, unknown>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 60_000);
    const two = await ctx.json<Record<string, unknown>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    expect(two.id).not.toBe(one.id);
    expect(two.generatedAt).not.toBe(one.generatedAt);
    for (const m of DETERMINISTIC_MEMBERS) expect(JSON.stringify(two[m])).toBe(JSON.stringify(one[m]));
  });

  it('says in a Server-Timing header how long each step of a verification took', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    const t0 = performance.now();
    const res = await ctx.req('POST', `/v1/boms/${up.id}/verify`, { token: proc });
    const elapsed = performance.now() - t0;
    expect(res.status).toBe(201);
    const header = res.headers.get('server-timing') ?? '';
    expect(header).toMatch(/^walk;dur=\d+\.\d, body;dur=\d+\.\d, parts;dur=\d+\.\d, store;dur=\d+\.\d$/);
    const durations = [...header.matchAll(/dur=([\d.]+)/g)].map((m) => Number(m[1]));
    // milliseconds, of steps inside the request: together no longer than the request took
    expect(durations.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(elapsed + 0.5);
    // and not a member of the report, whose body stays deterministic
    expect(Object.keys(await res.json() as object)).not.toContain('timings');
  });

  it('keeps the policy version a report used when the policy changes', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    const v1 = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    const { id: _i, version: _v, sha256: _s, ...body } = v1.policy;
    const put = await ctx.json<Record<string, any>>('PUT', '/v1/policies/non-red', { body: { ...body, disallowedCountries: ['CN', 'HK', 'MO', 'TW'] }, expect: 201 });
    expect(put.version).toBe(2);
    const v2 = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify?policy=non-red`, { token: proc, expect: 201 });
    expect(v2.policy.version).toBe(2);
    expect(v2.findings.some((f: any) => f.value === 'TW')).toBe(true);
    const pinned = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify?policy=non-red@1`, { token: proc, expect: 201 });
    expect(pinned.policy.version).toBe(1);
    const again = await ctx.json<Record<string, any>>('GET', `/v1/reports/${v1.id}`, { token: proc, expect: 200 });
    expect(again.policy.version).toBe(1);
    expect((await ctx.req('PUT', '/v1/policies/non-red', { body: { ...body, version: 3 } })).status).toBe(422);
    expect((await ctx.req('POST', `/v1/boms/${up.id}/verify?policy=nope`, { token: proc })).status).toBe(422);
    const versions = await ctx.json<{ items: { version: number }[] }>('GET', '/v1/policies/non-red?versions', { token: proc, expect: 200 });
    expect(versions.items.map((v) => v.version)).toEqual([1, 2]);
  });

  it('answers where-used over BOMs and the declared sub-components reached in reports', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    const before = await ctx.json<{ items: unknown[] }>('GET', '/v1/parts/where-used?manufacturer=lotus%20chips&partNumber=lc-9', { token: auditor, expect: 200 });
    expect(before.items).toEqual([]);
    const r = await ctx.json<{ id: string }>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    const deep = await ctx.json<{ items: any[] }>('GET', '/v1/parts/where-used?manufacturer=Lotus%20Chips&partNumber=LC-9', { token: auditor, expect: 200 });
    expect(deep.items).toHaveLength(1);
    expect(deep.items[0].bom).toEqual({ id: up.id, name: 'Quad X' });
    expect(deep.items[0].reports).toEqual([r.id]);
    expect(deep.items[0].paths[0].map((s: any) => s.partNumber)).toEqual(['QX-1', 'FC-7', 'GNSS-1', 'LC-9']);
    const top = await ctx.json<{ items: any[] }>('GET', '/v1/parts/where-used?manufacturer=Formosa%20RF&partNumber=TR-900', { token: auditor, expect: 200 });
    expect(top.items[0].paths).toEqual([[{ manufacturer: null, partNumber: 'QX-1', name: 'Quad X' }, { manufacturer: 'Formosa RF', partNumber: 'TR-900', name: 'Telemetry radio' }]]);
  });

  it('serves a stored report the same on every read, with its status read fresh', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: bom, expect: 201 });
    const issued = await ctx.req('POST', `/v1/boms/${up.id}/verify`, { token: proc });
    const text = await issued.text();
    const id = (JSON.parse(text) as { id: string }).id;
    const first = await (await ctx.req('GET', `/v1/reports/${id}`, { token: auditor })).text();
    const second = await (await ctx.req('GET', `/v1/reports/${id}`, { token: auditor })).text();
    expect(second).toBe(first);
    expect(first).toBe(text);
    ctx.deps.store.sqlite.prepare('UPDATE reports SET stale = 1 WHERE id = ?').run(id);
    const later = await ctx.json<{ status: { stale: boolean } }>('GET', `/v1/reports/${id}`, { token: auditor, expect: 200 });
    expect(later.status.stale).toBe(true);
  });

  it('gives where-used every occurrence at any depth, each with its own path, across BOMs and aliases', async () => {
    const nested = {
      schema: 'nonred/bom/v1', name: 'Gimbal kit', partNumber: 'GK-2', revision: 'B', manufacturer: 'Kestrel',
      items: [
        { id: 'a', parent: null, manufacturer: 'Kestrel', partNumber: 'ARM-1', quantity: 1 },
        { id: 'b', parent: 'a', manufacturer: 'Kestrel', partNumber: 'MOTOR-3', quantity: 2 },
        { id: 'c', parent: 'b', manufacturer: 'Screw Works', partNumber: 'M2-6', name: 'Screw', quantity: 4 },
        { id: 'd', parent: null, manufacturer: 'SCREW  works', partNumber: 'm2-6', quantity: 8 },
        { id: 'e', parent: null, manufacturer: 'Kestrel', partNumber: 'PLATE-1', quantity: 1 },
      ],
    };
    const flat = { schema: 'nonred/bom/v1', name: 'Spares', partNumber: 'SP-1', items: [{ id: '1', parent: null, manufacturer: 'Screws Inc.', partNumber: 'M2-6', quantity: 100 }] };
    const g = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: nested, expect: 201 });
    const wu = (q: string) => ctx.json<{ items: any[] }>('GET', `/v1/parts/where-used?${q}`, { token: auditor, expect: 200 });
    const one = await wu('manufacturer=Screw%20Works&partNumber=M2-6');
    expect(one.items).toEqual([{
      bom: { id: g.id, name: 'Gimbal kit' }, reports: [],
      paths: [
        [{ manufacturer: 'Kestrel', partNumber: 'GK-2', name: 'Gimbal kit' }, { manufacturer: 'Kestrel', partNumber: 'ARM-1', name: null },
          { manufacturer: 'Kestrel', partNumber: 'MOTOR-3', name: null }, { manufacturer: 'Screw Works', partNumber: 'M2-6', name: 'Screw' }],
        [{ manufacturer: 'Kestrel', partNumber: 'GK-2', name: 'Gimbal kit' }, { manufacturer: 'SCREW  works', partNumber: 'm2-6', name: null }],
      ],
    }]);
    expect(await wu('manufacturer=Screw%20Works&partNumber=M2-6')).toEqual(one); // remembered paths, same answer
    // a second BOM under another spelling, joined once the alias exists (asked again after a cached answer)
    const s = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: flat, expect: 201 });
    expect((await wu('manufacturer=Screw%20Works&partNumber=M2-6')).items.map((i) => i.bom.id)).toEqual([g.id]);
    await ctx.json('POST', '/v1/manufacturers/aliases', { body: { name: 'Screw Works', aliases: ['Screws Inc.'] }, expect: 201 });
    const both = await wu('manufacturer=Screws%20Inc.&partNumber=M2-6');
    expect(both.items.map((i) => i.bom.id)).toEqual([g.id, s.id].sort());
    expect(both.items.find((i) => i.bom.id === s.id).paths).toEqual([[{ manufacturer: null, partNumber: 'SP-1', name: 'Spares' }, { manufacturer: 'Screws Inc.', partNumber: 'M2-6', name: null }]]);
  });

  it('follows an alias registered after the declarations arrived', async () => {
    await seedEvidence();
    await ctx.json('POST', '/v1/manufacturers/aliases', { body: { name: 'Formosa RF', aliases: ['Formosa Radio Frequency Co.'] }, expect: 201 });
    const aliased = { ...bom, items: [{ ...bom.items[1]!, manufacturer: 'FORMOSA  radio frequency co.' }] };
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: aliased, expect: 201 });
    const r = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    expect(r.verdict).toBe('pass');
    expect(r.tree.nodes[0]).toMatchObject({ key: 'formosa rf|tr-900', assurance: 'signed-direct' });
  });

  it('stops counting declarations received after a key compromise, including in new reports', async () => {
    await seedEvidence();
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body: { ...bom, items: [bom.items[1]] }, expect: 201 });
    expect((await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 })).verdict).toBe('pass');
    await ctx.json('POST', `/v1/keys/${radio.kid}/revoke`, { body: { reason: 'compromised', compromisedAt: '2026-11-20T11:00:00Z' }, expect: 200 });
    const after = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    expect(after.verdict).toBe('incomplete');
    expect(after.findings.map((f: any) => f.code)).toContain('REVOKED_KEY');
  });
});

describe('audit log', () => {
  it('chains every change, verifies, signs a checkpoint, and catches an edited, deleted or reordered row', async () => {
    await seedEvidence();
    const v = await ctx.json<{ valid: boolean; size: number; head: string }>('GET', '/v1/audit/verify', { token: auditor, expect: 200 });
    expect(v.valid).toBe(true);
    const entries = await ctx.json<{ items: any[] }>('GET', '/v1/audit?limit=1000', { token: auditor, expect: 200 });
    expect(entries.items).toHaveLength(v.size);
    expect(entries.items[0].prev).toBe('0'.repeat(64));
    expect(new Set(entries.items.map((e) => e.action))).toEqual(new Set(['supplier.registered', 'key.registered', 'token.created', 'declaration.accepted']));
    const cp = await ctx.json<{ size: number; head: string; checkpoint: string }>('GET', '/v1/audit/checkpoint', { token: auditor, expect: 200 });
    const jwks = createLocalJWKSet(await ctx.json('GET', '/.well-known/jwks.json', { token: null }) as never);
    const signed = await compactVerify(cp.checkpoint, jwks);
    expect(signed.protectedHeader.typ).toBe('nonred-checkpoint+jws');
    expect(JSON.parse(new TextDecoder().decode(signed.payload))).toMatchObject({ size: v.size, head: v.head });

    const db = ctx.deps.store.sqlite;
    db.prepare("UPDATE audit_log SET subject = 'forged' WHERE seq = 3").run();
    expect(await ctx.json('GET', '/v1/audit/verify', { token: auditor })).toMatchObject({ valid: false, firstBadSeq: 3 });
  });

  it('pages with next as a cursor', async () => {
    await seedEvidence();
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await ctx.json<{ items: { seq: number }[]; next?: string }>('GET', `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: auditor, expect: 200 });
      seen.push(...page.items.map((e) => e.seq));
      if (!page.next) break;
      cursor = page.next;
    }
    const { size } = await ctx.json<{ size: number }>('GET', '/v1/audit/verify', { token: auditor });
    expect(seen).toEqual(Array.from({ length: size }, (_, i) => i + 1));
  });

  it('catches a deleted row and a reordered pair', async () => {
    await seedEvidence();
    const db = ctx.deps.store.sqlite;
    const snapshot = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Record<string, unknown>[];
    db.prepare('DELETE FROM audit_log WHERE seq = 4').run();
    expect(await ctx.json('GET', '/v1/audit/verify', { token: auditor })).toMatchObject({ valid: false, firstBadSeq: 4 });
    // restore, then swap the content of rows 5 and 6 (seq kept)
    const ins = db.prepare('INSERT OR REPLACE INTO audit_log (seq, at, actor, action, subject, payload_sha256, prev, hash, payload) VALUES (@seq, @at, @actor, @action, @subject, @payload_sha256, @prev, @hash, @payload)');
    for (const r of snapshot) ins.run(r);
    expect((await ctx.json<{ valid: boolean }>('GET', '/v1/audit/verify', { token: auditor })).valid).toBe(true);
    const five = snapshot[4]!;
    const six = snapshot[5]!;
    ins.run({ ...six, seq: 5 });
    ins.run({ ...five, seq: 6 });
    expect(await ctx.json('GET', '/v1/audit/verify', { token: auditor })).toMatchObject({ valid: false, firstBadSeq: 5 });
  });

  it('writes the change and its entry together: a failed change leaves no entry', async () => {
    const before = await ctx.json<{ size: number }>('GET', '/v1/audit/verify', { token: auditor });
    expect((await ctx.req('POST', '/v1/suppliers', { body: { id: 'vistula', name: 'dup', domicile: 'PL' } })).status).toBe(409);
    expect((await ctx.json<{ size: number }>('GET', '/v1/audit/verify', { token: auditor })).size).toBe(before.size);
  });
});
