import { beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, type AuditBundle } from '../../src/service/audit-bundle.js';
import { seedDemo } from '../../src/service/seed-demo.js';
import { makeCtx, type TestCtx } from '../helpers/app.js';

let ctx: TestCtx;
let seeded: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await makeCtx();
  seeded = await seedDemo(ctx.deps);
});

const getBundle = () => ctx.json<AuditBundle>('GET', `/v1/reports/${seeded.reportId}/bundle`, { token: seeded.auditorToken, expect: 200 });

describe('audit bundle', () => {
  it('verifies offline: every signature, the BOM hash, and the re-run walk giving the signed body', async () => {
    const bundle = await getBundle();
    expect(bundle.declarations.length).toBeGreaterThanOrEqual(13);
    const jwks = await ctx.json('GET', '/.well-known/jwks.json', { token: null });
    const result = await verifyBundle(bundle, { jwks: jwks as never });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result).toMatchObject({ valid: true, reportId: seeded.reportId, verdict: 'fail' });
  });

  it('still verifies after a later key compromise: the registry is carried as it stood', async () => {
    const registry = await ctx.json<{ keys: { kid: string; supplier: string }[] }>('GET', '/v1/registry', { token: seeded.auditorToken });
    const kid = registry.keys.find((k) => k.supplier === 'formosa-rf')!.kid;
    ctx.clock.now = new Date(ctx.clock.now.getTime() + 3_600_000);
    await ctx.json('POST', `/v1/keys/${kid}/revoke`, { body: { reason: 'compromised', compromisedAt: new Date(ctx.clock.now.getTime() - 7 * 86_400_000).toISOString() }, expect: 200 });
    const bundle = await getBundle();
    expect(bundle.registry.keys.find((k) => k.kid === kid)!.status).toBe('active');
    expect((await verifyBundle(bundle)).valid).toBe(true);
  });

  it('rejects a tampered report, BOM, declaration or receipt', async () => {
    const bundle = await getBundle();
    const [h, p, s] = bundle.report.split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(p, 'base64url').toString());
    body.verdict = 'pass';
    const forged = { ...bundle, report: `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}` };
    expect((await verifyBundle(forged)).checks.find((c) => c.name === 'report signature')!.ok).toBe(false);

    const bom = JSON.parse(Buffer.from(bundle.bom.content, 'base64').toString());
    bom.items.pop();
    const otherBom = { ...bundle, bom: { ...bundle.bom, content: Buffer.from(JSON.stringify(bom)).toString('base64') } };
    const r2 = await verifyBundle(otherBom);
    expect(r2.valid).toBe(false);
    expect(r2.checks.find((c) => c.name === 'bom')!.ok).toBe(false);

    const dropped = { ...bundle, declarations: bundle.declarations.filter((_, i) => i !== 0) };
    const r3 = await verifyBundle(dropped);
    expect(r3.checks.find((c) => c.name === 're-run')!.ok).toBe(false);

    const swapped = { ...bundle, declarations: bundle.declarations.map((d, i) => (i === 0 ? { ...d, receipt: bundle.declarations[1]!.receipt } : d)) };
    expect((await verifyBundle(swapped)).valid).toBe(false);

    expect((await verifyBundle({ schema: 'nope' })).valid).toBe(false);
  });

  it('serves the registry an offline check needs', async () => {
    const reg = await ctx.json<Record<string, any>>('GET', '/v1/registry', { token: seeded.procurementToken, expect: 200 });
    expect(reg.schema).toBe('nonred/registry/v1');
    expect(reg.suppliers.map((s: any) => s.id)).toContain('vistula-avionics');
    expect(reg.keys[0]).toMatchObject({ kid: expect.any(String), alg: expect.stringMatching(/EdDSA|ES256/), jwk: expect.any(Object), status: expect.any(String) });
    expect(JSON.stringify(reg)).not.toContain('"d"');
  });
});
